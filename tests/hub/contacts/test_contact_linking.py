"""A detail a customer types or a page sends in ``identify`` is not proven: it never merges contacts,
never touches another contact, and becomes a suggested link (issue 15, finding 2).

These tests replace the auto-merge tests of tests/hub/test_contacts.py: each case that used to merge
now checks that both contacts stay apart, untouched, with a suggestion for an agent."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa
from contacts_testing import customer, rows
from hub_testing import HubClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.bus import Database
from hub.contacts import linking, suggestions
from hub.contacts.details import ContactDetails
from hub.errors import InvalidContactDetail, LinkAlreadyDecided
from hub.models import Contact, ContactIdentity, ContactLink, Conversation, Event, Message
from hub.privacy import erase_contact
from hub.settings import Settings

VICTIM = "34657025713"


async def test_identify_stores_normalised_email_phone_and_name_as_not_proven(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    contact_id, _ = await customer(sessions, "widget", "session-aaaa1111")
    async with sessions.begin() as session:
        contact = await linking.identify(
            session, contact_id=contact_id, email=" Ana@Example.COM", phone="+34 600 111 222", name="Ana"
        )
    [stored] = await rows(sessions, Contact)
    assert (contact.id, stored.email, stored.phone, stored.name) == (
        contact_id,
        "ana@example.com",
        "34600111222",
        "Ana",
    )
    assert (stored.email_verified, stored.phone_verified) == (False, False)
    [identity] = await rows(sessions, ContactIdentity)
    assert identity.verified  # the widget session itself is proven by its signed token


@pytest.mark.parametrize(("field", "value"), [("email", "ana@"), ("phone", "llámame")])
async def test_an_invalid_detail_is_refused_and_nothing_changes(
    sessions: async_sessionmaker[AsyncSession], field: str, value: str
) -> None:
    contact_id, _ = await customer(sessions, "widget", "session-aaaa1111")
    with pytest.raises(InvalidContactDetail) as caught:
        async with sessions.begin() as session:
            await linking.identify(session, contact_id=contact_id, name="Ana", **{field: value})
    assert caught.value.code == "invalid_contact_detail"
    [stored] = await rows(sessions, Contact)
    assert (stored.name, stored.email, stored.phone) == (None, None, None)


async def test_typing_someones_whatsapp_number_suggests_a_link_and_takes_nothing_over(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """The finding: a visitor gives the victim's WhatsApp number (and a name) in identify."""
    victim, victim_conversation = await customer(sessions, "whatsapp", VICTIM, "mi pedido AB-1")
    async with sessions.begin() as session:
        (await session.get(Contact, victim)).name = "Laura"  # type: ignore[union-attr]
    visitor, visitor_conversation = await customer(sessions, "widget", "session-bbbb2222", "hola")

    async with sessions.begin() as session:
        contact = await linking.identify(session, contact_id=visitor, phone=f"+{VICTIM}", name="Mallory")

    assert contact.id == visitor
    by_id = {c.id: c for c in await rows(sessions, Contact)}
    assert set(by_id) == {victim, visitor}
    assert (by_id[victim].name, by_id[victim].phone, by_id[victim].phone_verified) == ("Laura", VICTIM, True)
    assert (by_id[visitor].name, by_id[visitor].phone, by_id[visitor].phone_verified) == (
        "Mallory",
        VICTIM,
        False,
    )
    owners = {c.id: c.contact_id for c in await rows(sessions, Conversation)}
    assert owners == {victim_conversation: victim, visitor_conversation: visitor}
    assert {m.contact_id for m in await rows(sessions, Message, Message.text == "mi pedido AB-1")} == {victim}
    assert await rows(sessions, Event, Event.kind == "contact_merged") == []
    [link] = await rows(sessions, ContactLink)
    assert (link.contact_id, link.other_contact_id) == (visitor, victim)
    assert (link.key, link.value) == ("phone", VICTIM)
    assert (link.other_verified, link.state) == (True, "open")
    [suggested] = await rows(sessions, Event, Event.kind == "contact_link_suggested")
    assert (suggested.contact_id, suggested.data["link_id"]) == (visitor, link.id)


async def test_an_email_another_contact_typed_is_a_suggestion_not_a_merge(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Was: the newer contact merged into the older one that had the email (and renamed it)."""
    older, _ = await customer(sessions, "whatsapp", "34600111222", "hola")
    async with sessions.begin() as session:
        await linking.identify(session, contact_id=older, email="x@y.com", name="Ana")
    newer, _ = await customer(sessions, "widget", "session-bbbb2222", "¿y mi pedido?")

    async with sessions.begin() as session:
        survivor = await linking.identify(session, contact_id=newer, email="X@Y.com", name="Ana López")

    assert survivor.id == newer
    by_id = {c.id: c for c in await rows(sessions, Contact)}
    assert (by_id[older].email, by_id[older].name) == ("x@y.com", "Ana")
    assert (by_id[newer].email, by_id[newer].name) == ("x@y.com", "Ana López")
    [link] = await rows(sessions, ContactLink)
    assert (link.contact_id, link.other_contact_id, link.other_verified) == (newer, older, False)


async def test_details_written_in_a_message_fill_in_but_do_not_overwrite(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    contact_id, _ = await customer(sessions, "widget", "session-aaaa1111")
    async with sessions.begin() as session:
        await linking.identify(session, contact_id=contact_id, email="ana@example.com")
        await linking.identify(
            session, contact_id=contact_id, email="boss@example.com", phone="34600111222", replace=False
        )
    [stored] = await rows(sessions, Contact)
    assert (stored.email, stored.phone) == ("ana@example.com", "34600111222")


async def test_an_explicit_identify_replaces_a_typed_email_but_never_a_proven_phone(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    widget, _ = await customer(sessions, "widget", "session-aaaa1111")
    whatsapp, _ = await customer(sessions, "whatsapp", "34600111222")
    async with sessions.begin() as session:
        await linking.identify(session, contact_id=widget, email="old@example.com")
        await linking.identify(session, contact_id=widget, email="new@example.com")
        await linking.identify(session, contact_id=whatsapp, phone="+34 699 000 111")
    by_id = {c.id: c for c in await rows(sessions, Contact)}
    assert by_id[widget].email == "new@example.com"
    assert (by_id[whatsapp].phone, by_id[whatsapp].phone_verified) == ("34600111222", True)


async def test_a_phone_is_matched_to_the_contact_writing_from_it_on_whatsapp_even_if_its_phone_differs(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    whatsapp, _ = await customer(sessions, "whatsapp", "34600111222")
    async with sessions.begin() as session:
        contact = await session.get(Contact, whatsapp)
        assert contact is not None
        contact.phone, contact.phone_verified = "34911222333", False  # e.g. taken from a merged contact
    newer, _ = await customer(sessions, "widget", "session-cccc3333")

    async with sessions.begin() as session:
        await linking.identify(session, contact_id=newer, phone="+34 600 111 222", replace=False)

    assert len(await rows(sessions, Contact)) == 2
    [link] = await rows(sessions, ContactLink)
    assert (link.other_contact_id, link.other_verified) == (whatsapp, True)


async def test_a_pair_is_suggested_once_and_a_dismissed_one_not_again(
    db: Database, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await customer(sessions, "whatsapp", VICTIM)
    visitor, _ = await customer(sessions, "widget", "session-dddd4444")
    for _ in range(2):
        async with sessions.begin() as session:
            await linking.identify(session, contact_id=visitor, phone=VICTIM)
    [link] = await rows(sessions, ContactLink)

    dismissed = await suggestions.dismiss(db, link_id=link.id, contact_id=visitor, agent_id=7)
    async with sessions.begin() as session:
        await linking.identify(session, contact_id=visitor, email="x@y.com", phone=VICTIM)

    assert (dismissed.state, dismissed.agent_id) == ("dismissed", 7)
    assert [(x.id, x.state) for x in await rows(sessions, ContactLink)] == [(link.id, "dismissed")]
    async with sessions() as session:
        assert await suggestions.open_links(session, contact_id=visitor) == []
    with pytest.raises(LinkAlreadyDecided):
        await suggestions.dismiss(db, link_id=link.id, contact_id=visitor, agent_id=7)
    assert len(await rows(sessions, Contact)) == 2


async def test_the_same_email_given_at_once_from_many_sessions_merges_nobody(db: Database) -> None:
    """Was: six sessions giving one email became one contact. Now each keeps its own contact."""
    sessions_ids = [f"session-{i:04d}race" for i in range(6)]
    await asyncio.gather(
        *(
            linking.identify_identity(
                db,
                channel="widget",
                source_id=s,
                details=ContactDetails(email="race@example.com"),
                country_code=Settings().phone_default_country_code,
            )
            for s in sessions_ids
        )
    )
    contacts = await rows(db.sessions, Contact)
    assert [c.email for c in contacts] == ["race@example.com"] * 6
    identities = await rows(db.sessions, ContactIdentity)
    assert len({i.contact_id for i in identities}) == 6
    assert await rows(db.sessions, Event, Event.kind == "contact_merged") == []


def test_erasing_a_contact_takes_its_suggested_links_and_leaves_the_other_contact(hub: HubClient) -> None:
    ana = hub.post("soy ana@example.com", source_id="cli-ana").json()
    other = hub.post("yo también soy ana@example.com", source_id="cli-other").json()
    assert len(hub.db(lambda s: all_rows(s, ContactLink))) == 1

    portal = hub.client.portal
    assert portal is not None
    services = hub.services
    portal.call(
        lambda: erase_contact(
            sessions=services.sessions,
            settings=services.settings,
            contact_id=other["contact_id"],
            requested_by="cli",
        )
    )

    assert hub.db(lambda s: all_rows(s, ContactLink)) == []
    [left] = hub.db(lambda s: all_rows(s, Contact))
    assert (left.id, left.email) == (ana["contact_id"], "ana@example.com")


async def all_rows(session: AsyncSession, model: Any) -> list[Any]:
    return list((await session.execute(sa.select(model))).scalars())
