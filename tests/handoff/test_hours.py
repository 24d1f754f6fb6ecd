"""Business hours: open or closed now, when the team is back; DST, holidays, teams; clear config errors."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from handoff import hours
from handoff.policy import DEFAULT_POLICY_PATH
from handoff.settings import HandoffSettings

MADRID: dict[str, Any] = {
    "time_zone": "Europe/Madrid",
    "week": {
        "monday": ["09:00-14:00", "16:00-20:00"],
        "tuesday": ["09:00-14:00", "16:00-20:00"],
        "wednesday": ["09:00-14:00", "16:00-20:00"],
        "thursday": ["09:00-14:00", "16:00-20:00"],
        "friday": ["09:00-15:00"],
        "saturday": ["10:00-14:00"],
    },
    "holidays": [{"date": "12-25", "name": "Navidad"}, "2026-12-08"],
}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def schedule(**changes: Any) -> hours.Schedule:
    found = hours.parse({**MADRID, **changes}).schedule_for()
    assert found is not None
    return found


def test_open_within_either_interval_of_the_day_and_closed_at_lunch_and_on_sunday() -> None:
    desk = schedule()
    # Monday 23 November 2026, Madrid is UTC+1 in winter.
    assert desk.is_open(utc(2026, 11, 23, 8, 0))  # 09:00 opening minute
    assert not desk.is_open(utc(2026, 11, 23, 13, 30))  # 14:30 lunch
    assert desk.is_open(utc(2026, 11, 23, 18, 59))  # 19:59
    assert not desk.is_open(utc(2026, 11, 23, 19, 0))  # 20:00 closing minute
    assert not desk.is_open(utc(2026, 11, 29, 11, 0))  # Sunday


def test_next_opening_is_after_lunch_the_next_morning_or_monday_after_the_weekend() -> None:
    desk = schedule()
    lunch = desk.next_opening(utc(2026, 11, 23, 13, 30))
    assert lunch is not None and lunch.isoformat() == "2026-11-23T16:00:00+01:00"
    night = desk.next_opening(utc(2026, 11, 23, 21, 0))
    assert night is not None and night.isoformat() == "2026-11-24T09:00:00+01:00"
    weekend = desk.next_opening(utc(2026, 11, 28, 15, 0))  # Saturday 16:00, after Saturday's hours
    assert weekend is not None and weekend.isoformat() == "2026-11-30T09:00:00+01:00"
    now_open = utc(2026, 11, 23, 9, 0)
    assert desk.next_opening(now_open) == now_open


def test_local_hours_stay_local_across_daylight_saving_changes() -> None:
    desk = schedule()
    # Spring forward on Sunday 29 March 2026: Monday opens at 09:00 CEST = 07:00 UTC (08:00 UTC before).
    spring = desk.next_opening(utc(2026, 3, 28, 20, 0))
    assert spring is not None and spring.astimezone(UTC) == utc(2026, 3, 30, 7, 0)
    assert not desk.is_open(utc(2026, 3, 27, 7, 30))  # Friday 08:30 CET
    assert desk.is_open(utc(2026, 3, 30, 7, 30))  # Monday 09:30 CEST
    # Fall back on Sunday 25 October 2026: Monday opens at 09:00 CET = 08:00 UTC.
    autumn = desk.next_opening(utc(2026, 10, 24, 20, 0))
    assert autumn is not None and autumn.astimezone(UTC) == utc(2026, 10, 26, 8, 0)
    assert not desk.is_open(utc(2026, 10, 26, 7, 30))


def test_an_opening_inside_the_spring_forward_gap_starts_when_the_clocks_jump() -> None:
    night_shift = schedule(week={"sunday": ["02:30-05:00"]})
    opening = night_shift.next_opening(utc(2026, 3, 29, 0, 0))  # 01:00 CET
    assert opening is not None and opening.isoformat() == "2026-03-29T03:00:00+02:00"


def test_holidays_are_closed_every_year_or_once_with_their_name() -> None:
    desk = schedule()
    christmas = utc(2026, 12, 25, 10, 0)  # a Friday at 11:00
    assert not desk.is_open(christmas)
    assert desk.holiday(christmas.date()) == (True, "Navidad")
    after = desk.next_opening(christmas)
    assert after is not None and after.isoformat() == "2026-12-26T10:00:00+01:00"  # Saturday's hours
    assert desk.is_open(utc(2027, 12, 24, 10, 0))  # a Friday, not a holiday
    assert not desk.is_open(utc(2026, 12, 8, 10, 0))  # once, unnamed
    assert desk.holiday(datetime(2026, 12, 8).date()) == (True, None)
    assert desk.is_open(utc(2027, 12, 8, 10, 0))  # 2027-12-08 is a working Wednesday


def test_languages_and_teams_can_have_their_own_hours_and_time_zone() -> None:
    config = {
        **MADRID,
        "languages": {"en": {"time_zone": "Europe/London", "week": {"monday": ["09:00-17:00"]}}},
        "teams": {"orders": {"week": {"sunday": ["10:00-12:00"]}}},
    }
    business = hours.parse(config)
    evening = utc(2026, 11, 23, 17, 30)  # Monday 18:30 in Madrid, 17:30 in London
    spanish, english = business.schedule_for(language="es"), business.schedule_for(language="en")
    assert spanish is not None and english is not None
    assert spanish.is_open(evening) and not english.is_open(evening)
    assert english.place == "London"
    orders = business.schedule_for(language="es", team="orders")
    assert orders is not None and orders.is_open(utc(2026, 11, 29, 10, 0))  # Sunday 11:00 Madrid
    assert orders.holidays == spanish.holidays  # not given: inherited


def test_hours_off_or_missing_mean_always_open() -> None:
    assert hours.parse(None).schedule_for(language="es") is None
    assert hours.parse({**MADRID, "enabled": False}).schedule_for() is None
    shipped = hours.load(DEFAULT_POLICY_PATH)  # the example in handoff/policy.yml is valid
    assert shipped.default is not None and shipped.default.zone.key == "Europe/Madrid"


@pytest.mark.parametrize(
    ("changes", "key", "words"),
    [
        ({"time_zone": "Europe/Madird"}, "business_hours.time_zone", "not an IANA time zone"),
        ({"week": {"monday": ["9-14"]}}, "business_hours.week.monday[0]", "HH:MM-HH:MM"),
        ({"week": {"monday": ["14:00-09:00"]}}, "business_hours.week.monday[0]", "ends before it starts"),
        ({"week": {"monday": ["09:00-14:00", "13:00-15:00"]}}, "business_hours.week.monday", "overlap"),
        ({"week": {"lunes": ["09:00-14:00"]}}, "business_hours.week", "unknown weekday 'lunes'"),
        ({"week": {"monday": ["09:00-25:00"]}}, "business_hours.week.monday[0]", "not a time of day"),
        ({"holidays": ["2026-13-01"]}, "business_hours.holidays[0]", "not a date"),
        ({"holidays": [{"name": "Navidad"}]}, "business_hours.holidays[0]", "needs a date"),
        ({"enabled": "yes"}, "business_hours.enabled", "true or false"),
        ({"timezone": "UTC"}, "business_hours.timezone", "unknown key"),
        ({"teams": {"orders": {"hours": {}}}}, "business_hours.teams.orders.hours", "unknown key"),
    ],
)
def test_a_wrong_business_hours_section_names_the_file_and_the_key(
    tmp_path: Path, changes: dict[str, Any], key: str, words: str
) -> None:
    import yaml

    path = tmp_path / "policy.yml"
    path.write_text(yaml.safe_dump({"business_hours": {**MADRID, **changes}}))
    with pytest.raises(hours.HoursError) as caught:
        hours.load(path)
    assert str(caught.value).startswith(f"{path}: {key}: ")
    assert words in str(caught.value)


def test_the_hub_refuses_to_start_with_broken_business_hours(tmp_path: Path) -> None:
    path = tmp_path / "policy.yml"
    path.write_text("business_hours:\n  time_zone: Mars/Olympus\n  week: {}\n")
    with pytest.raises(ValidationError) as caught:
        HandoffSettings(handoff_policy_path=path)
    assert f"{path}: business_hours.time_zone: 'Mars/Olympus' is not an IANA time zone" in str(caught.value)
