"""Issue 18's points as the customers live them (ops/desk_walk.py): 1 waiting without being dropped,
2 one voice, 5 WhatsApp media, 7 clarify, 8 late orders, 9 the widget on a phone."""

from __future__ import annotations

import asyncio
import random
import time

from playwright.async_api import Page, expect

from ops.desk_walk_people import Desk, Phone, open_widget, widget_texts

__all__ = [
    "check_waiting",
    "clarify_and_late_order",
    "media",
    "one_voice",
    "phone_widget",
    "start_waiting",
]


async def say(page: Page, text: str, *, quiet: float = 3.0, until: str = "") -> list[str]:
    """Type in the widget; the answers and notices that came until a quiet spell (and one with ``until``)."""
    before = await page.locator(".mw-msg--out, .mw-msg--system").count()
    box = page.get_by_label("Escribe tu mensaje").or_(page.get_by_label("Type your message"))
    await box.fill(text)
    await box.press("Enter")
    deadline, seen, still = time.monotonic() + 90, before, time.monotonic()
    while time.monotonic() < deadline:
        texts = await widget_texts(page, before)
        if len(texts) + before != seen:
            seen, still = len(texts) + before, time.monotonic()
        if texts and time.monotonic() - still >= quiet and (not until or any(until in t for t in texts)):
            return texts
        await asyncio.sleep(0.25)
    return await widget_texts(page, before)


def fresh_number() -> str:
    """A WhatsApp number that never wrote before (a second walk on the same desk meets new people)."""
    return f"346{random.randint(10_000_000, 99_999_999)}"


async def _answer_when_asked(page: Page, limit: float) -> tuple[list[str], list[str]]:
    """The customer who keeps their place: they answer as soon as "¿Sigues ahí?" comes."""
    deadline, asked = time.monotonic() + limit, list[str]()
    while time.monotonic() < deadline and not any("Sigues ahí" in t for t in asked):
        await asyncio.sleep(1)
        asked = await widget_texts(page)
    if not any("Sigues ahí" in t for t in asked):
        return asked, []
    return asked, await say(page, "sí, sigo aquí")


def _q(texts: list[str]) -> str:
    return " ⏎ ".join(f"«{t}»" for t in texts) or "(nothing)"


async def one_voice(desk: Desk) -> Page:
    """Point 2 with nobody online: a shouting customer, then Ana comes online."""
    found = desk.found
    page = await open_widget(desk.browser, desk.hub)
    first = await say(page, "me habéis cobrado dos veces el pedido")
    found.saw(
        2,
        f"Widget customer (desktop, no agent online): «me habéis cobrado dos veces el pedido» → {_q(first)}",
    )
    shout = await say(page, "ME HABEIS COBRADO DOS VECES Y NADIE ME CONTESTA")
    found.saw(2, f"Then «ME HABEIS COBRADO DOS VECES Y NADIE ME CONTESTA» → {_q(shout)}")
    joined = " ".join(shout)
    repeated = [t for t in shout if t in first and t.startswith(first[0][:30])] if first else []
    found.check(2, not repeated, "the FAQ answer is not repeated to the shouting customer")
    found.check(2, "Siento" in joined or "Lo siento" in joined, "an apology (frustration handoff)")
    found.check(2, not ("En breve" in joined and "no hay agentes" in joined),
                "no «En breve te escriben» followed by «no hay agentes conectados»")  # fmt: skip
    before = await page.locator(".mw-msg--out, .mw-msg--system").count()
    await desk.staff.status("ana", "online")
    await asyncio.sleep(6)
    told = await widget_texts(page, before)
    found.saw(2, f"Ana goes online (PUT /api/v1/agent/me/status online) → the customer: {_q(told)}")
    found.check(2, sum("conectada" in t for t in told) == 1, "told once that a person is now online")
    await desk.staff.status("ana", "offline")
    await desk.staff.status("ana", "online")
    await asyncio.sleep(5)
    again = await widget_texts(page, before + len(told))
    found.check(
        2, not any("conectada" in t for t in again), "going offline and online again tells nobody twice"
    )
    await found.shot(2, page, "one_voice")
    return page


async def start_waiting(desk: Desk) -> dict[str, object]:
    """Point 1: three widget customers and a WhatsApp one ask for a person and go quiet; one English
    customer asks while the English desk is closed."""
    pages = {}
    for name in ("stays", "answers", "gone"):
        page = await open_widget(desk.browser, desk.hub)
        told = await say(page, "quiero hablar con una persona")
        pages[name] = page
        if name == "answers":
            watch = asyncio.create_task(_answer_when_asked(page, 90))
        desk.found.saw(1, f"Widget customer «{name}»: «quiero hablar con una persona» → {_q(told)}")
    night = await open_widget(desk.browser, desk.hub, locale="en-GB")
    told = await say(night, "I want to talk to a person please")
    desk.found.saw(1, f"English widget customer (English desk closed: business hours on): "
                      f"«I want to talk to a person please» → {_q(told)}")  # fmt: skip
    pages["night"] = night
    await pages["gone"].context.close()  # closed the tab: left
    wa = Phone(desk.tools, desk.graph, fresh_number(), "Rocío")
    told_wa = await wa.says("quiero hablar con una persona")
    desk.found.saw(1, f"WhatsApp customer: «quiero hablar con una persona» → {_q(told_wa)}")
    return {"pages": pages, "wa": wa, "watch": watch, "wa_seen": len(wa.received())}


async def check_waiting(desk: Desk, waiting: dict[str, object], abandon_after: float) -> None:
    found, pages = desk.found, waiting["pages"]
    assert isinstance(pages, dict)
    answers, watch = pages["answers"], waiting["watch"]
    assert isinstance(watch, asyncio.Task)
    asked, kept = await watch
    found.saw(1, f"After {abandon_after:.0f} s of silence (HANDOFF_ABANDON_AFTER) the «answers» customer "
                 f"sees: «{asked[-1] if asked else ''}»")  # fmt: skip
    found.check(1, any("Sigues ahí" in t for t in asked), "asked «¿Sigues ahí?» before anything is closed")
    found.saw(1, f"They answer «sí, sigo aquí» → {_q(kept)}")
    found.check(1, any("mantienes tu sitio" in t for t in kept), "the answer keeps their place")
    await found.shot(1, answers, "still_there")
    await asyncio.sleep(40)  # answer_within (25 s) passes for the one who stays silent
    silent = await widget_texts(pages["stays"])
    asked_at = next((i for i, t in enumerate(silent) if "Sigues ahí" in t), len(silent) - 2)
    found.saw(1, f"The «stays» customer, silent, from the question on: {_q(silent[asked_at:])}")
    asked_first = any("Sigues ahí" in t for t in silent)
    told_end = any("no hemos tenido respuesta" in t for t in silent)
    found.check(1, asked_first and told_end, "asked first, and told when the wait ends for no answer")
    night = await widget_texts(pages["night"])
    found.check(
        1,
        not any("still there" in t.lower() or "Sigues" in t or "closing" in t for t in night),
        f"the English customer of the closed desk is neither asked nor dropped ({_q(night[1:])})",
    )
    found.check(
        2,
        not any("online now" in t for t in night),
        "the English customer of the closed desk is not told «Someone from our team is online now»",
    )
    wa = waiting["wa"]
    assert isinstance(wa, Phone)
    later = wa.texts(int(str(waiting["wa_seen"])))
    dropped = [t for t in later if "Sigues" in t or "cerramos" in t]
    found.check(1, not dropped, f"WhatsApp: nothing asked or closed within the 24-hour window ({_q(later)})")
    causes = desk.tools.db("SELECT conversation_id, data FROM events WHERE kind = 'handoff_abandoned'")
    found.saw(1, f"Abandonments recorded (event handoff_abandoned): {[(c, d) for c, d in causes]}")
    found.check(
        1, any("widget_closed" in str(d) for _, d in causes), "the closed tab recorded as widget_closed"
    )
    queue = (await desk.staff.call("sara", "GET", "/queue")).json()
    found.saw(
        1, f"Still waiting: {[(e['conversation_id'], e['channel'], e['language']) for e in queue['waiting']]}"
    )


async def clarify_and_late_order(desk: Desk) -> Page:
    """Points 7 and 8 on the widget, and on WhatsApp (the order's owner, by phone)."""
    found = desk.found
    page = await open_widget(desk.browser, desk.hub)
    told = await say(page, "envio")
    replies = page.locator(".mw-replies button")
    buttons = [" ".join((await b.inner_text()).split()) for b in await replies.all()]
    found.saw(7, f"Widget: «envio» → {_q(told)}; buttons {buttons}")
    found.check(7, any("persona" in b for b in buttons), "clarify offers «Ninguna, hablar con una persona»")
    await found.shot(7, page, "widget_clarify")
    if buttons and not buttons[0].startswith("Ninguna"):
        await replies.first.click()
        await asyncio.sleep(6)
        mine = await page.locator(".mw-msg--in").last.inner_text()
        found.saw(6, f"The widget customer taps «{buttons[0]}»: their bubble says «{mine.strip()}»")
        found.check(6, "/choose_faq" not in mine, "a quick-reply choice shows as its text in the widget")
    late = await say(page, "dónde está mi pedido AB-12345?")
    found.saw(8, f"Widget (not the order's owner): «dónde está mi pedido AB-12345?» → {_q(late)}")
    found.check(
        8,
        not any("25/11/2026" in t and "tracking" in t.lower() for t in late),
        "a stranger gets no details (general words, asked to confirm)",
    )
    await found.shot(8, page, "widget_late_order")
    owner = Phone(desk.tools, desk.graph, "34600111222", "Ana López")
    got = await owner.says("hola, dónde está mi pedido AB-12345?")
    found.saw(8, f"WhatsApp, the order's owner (+34 600 111 222): → {_q(got)}")
    text = " ".join(got)
    found.check(8, "Siento" in text or "siento" in text or "Perdona" in text, "an apology for the late order")
    found.check(8, "25/11" in text, "the date it was due")
    found.check(8, "persona" in text, "an offer of a person")
    found.check(8, "en camino" not in text or "debería" in text or "retras" in text,
                "not reported as simply «en camino»")  # fmt: skip
    wa = Phone(desk.tools, desk.graph, fresh_number(), "Pau")
    listed = await wa.says("envio")
    found.saw(7, f"WhatsApp: «envio» → {_q(listed)}")
    rows = [r for b in wa.received() for s in b.get("interactive", {}).get("action", {}).get("sections", [])
            for r in s.get("rows", [])]  # fmt: skip
    found.saw(7, "WhatsApp list rows (title / description): " + "; ".join(
        f"«{r['title']}» / «{r.get('description', '')}»" for r in rows))  # fmt: skip
    cut = [r for r in rows if r["title"].endswith("…")]
    lost = [r["title"] for r in cut if not str(r.get("description", "")).startswith(r["title"][:-1])]
    found.check(
        7, bool(rows) and not lost, "a list: every question spelt out (a cut title has it in full below)"
    )
    found.check(7, any("persona" in str(r.get("description", r["title"])) for r in rows),
                "WhatsApp clarify offers a person too")  # fmt: skip
    await wa.says("quiero hablar con una persona")  # waits in the queue for the supervisor (point 3)
    return page


async def media(desk: Desk) -> Phone:
    """Point 5: the damaged-item answer asks for photos; the customer sends one with a caption."""
    found = desk.found
    wa = Phone(desk.tools, desk.graph, fresh_number(), "Nuria")
    asked = await wa.says("me ha llegado el paquete roto")
    found.saw(5, f"WhatsApp: «me ha llegado el paquete roto» → {_q(asked)}")
    shop = await desk.browser.new_page(viewport={"width": 1280, "height": 860})
    await shop.goto(f"{desk.hub}/demo")
    photo = await shop.screenshot(clip={"x": 40, "y": 587, "width": 222, "height": 170})  # "the item"
    await shop.close()
    await desk.mark()  # the photo's handoff is the next WhatsApp conversation in the queue
    sent = await wa.sends_photo("walkphoto1", "así ha llegado la caja, el jarrón roto", photo)
    found.saw(5, f"They send a photo captioned «así ha llegado la caja, el jarrón roto» → {_q(sent)}")
    found.check(
        5, not any("fotos del" in t for t in sent), "the bot does not ask again for the photo just sent"
    )
    found.check(
        5,
        not any("solo sé leer texto" in t for t in sent),
        "the bot does not say it reads text only (the customer wrote words with the photo)",
    )
    found.check(
        5, any("persona" in t for t in sent), "a captioned damage photo: told a person will look at it"
    )
    return wa


async def phone_widget(desk: Desk) -> None:
    """Point 9: the widget at 390x844, then with a 336 px keyboard."""
    found = desk.found
    page = await open_widget(desk.browser, desk.hub, phone=True)
    panel = await page.locator(
        "#mostrador-widget .mw-panel, #mostrador-widget [role=dialog]"
    ).first.bounding_box()
    found.saw(9, f"Open at 390x844: the chat's box {panel}")
    found.check(
        9, panel is not None and panel["width"] >= 389 and panel["height"] >= 843, "full screen, not a card"
    )
    await say(page, "cuanto tarda el envio a canarias?")
    await found.shot(9, page, "phone")
    await page.set_viewport_size({"width": 390, "height": 844 - 336})  # the keyboard rises
    await asyncio.sleep(1)
    await expect(page.locator("#mostrador-widget.mw-keyboard")).to_have_count(1)
    last = await page.locator(".mw-msg").last.bounding_box()
    found.check(
        9,
        last is not None and last["y"] + last["height"] <= 844 - 336,
        f"with the keyboard open the last message is in view ({last})",
    )
    await found.shot(9, page, "phone_keyboard")
