"""The README's configuration table, generated from every area's settings class (hub, WhatsApp, handoff, KB).

`python -m ops.config_doc` prints it; `--write` replaces the table between the README's config markers.
A test fails when the README and the settings disagree, so the table stays true.
"""

from __future__ import annotations

import argparse
import re

from pydantic_settings import BaseSettings

from ops.stack import ROOT

__all__ = ["render", "settings_classes", "write_readme"]

README = ROOT / "README.md"
START, END = "<!-- config:start -->", "<!-- config:end -->"

# Variables read outside a Settings class, by the launcher and the Rasa/action processes.
LAUNCHER_VARS = [
    ("RASA_PORT", "5005", "make run: port of the Rasa server (the hub's RASA_URL follows it)."),
    ("ACTION_PORT", "5055", "make run: port of the action server (Rasa's action endpoint follows it)."),
]


def settings_classes() -> list[tuple[str, type[BaseSettings]]]:
    from gaps.settings import GapSettings
    from handoff.settings import HandoffSettings
    from hub.channels.whatsapp_settings import WhatsAppSettings
    from hub.settings import Settings
    from knowledge_base.settings import KBSettings
    from kpis.settings import KpiSettings
    from learning.settings import LearningSettings
    from surveys.settings import SurveySettings

    return [
        ("hub", Settings),
        ("hub: WhatsApp channel", WhatsAppSettings),
        ("handoff desk", HandoffSettings),
        ("surveys", SurveySettings),
        ("learning signals", LearningSettings),
        ("knowledge-gap report", GapSettings),
        ("reports and /metrics", KpiSettings),
        ("knowledge base (actions, CLI)", KBSettings),
    ]


def _nested(annotation: object) -> bool:
    """A field holding another area's settings (``Settings.whatsapp``): listed under that area."""
    return isinstance(annotation, type) and issubclass(annotation, BaseSettings)



def render() -> str:
    lines = ["| variable | default | used by | meaning |", "|---|---|---|---|"]
    for used_by, cls in settings_classes():
        prefix = str(cls.model_config.get("env_prefix") or "")
        for name, field in cls.model_fields.items():
            if _nested(field.annotation):
                continue
            default = "" if field.default is None else str(field.default).replace(f"{ROOT}/", "")
            description = (field.description or "").replace("|", "\\|").replace("\n", " ")
            lines.append(f"| `{(prefix + name).upper()}` | `{default}` | {used_by} | {description} |")
    for name, default, description in LAUNCHER_VARS:
        lines.append(f"| `{name}` | `{default}` | launcher | {description} |")
    return "\n".join(lines)


def write_readme() -> None:
    text = README.read_text()
    block = f"{START}\n{render()}\n{END}"
    README.write_text(re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="update README.md in place")
    if parser.parse_args().write:
        write_readme()
    else:
        print(render())


if __name__ == "__main__":
    main()
