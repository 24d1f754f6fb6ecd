"""Issue 18's points as the desk lives them (ops/desk_walk.py): 3 the supervisor, 4 canned replies and FAQ
answers, 5 media in the console, 6 the console's details. Ana and Luis in their consoles, Sara (admin)
in the supervisors' view, at 1440 px."""

from __future__ import annotations

import asyncio
import uuid

from playwright.async_api import Page, expect

from ops.desk_walk_customers import say
from ops.desk_walk_people import Desk, widget_texts

__all__ = ["console_details", "media_in_console", "supervisor"]

# The console header's height and how far apart its items' centres are (one line: a few px).
HEADER = """() => {
  const top = document.querySelector('header.top');
  const centres = Array.from(top.querySelectorAll('.brand, .top-tools > *, .me > *'))
    .filter((e) => e.offsetParent !== null && !e.classList.contains('me'))
    .map((e) => { const b = e.getBoundingClientRect(); return Math.round(b.top + b.height / 2); });
  return { height: top.getBoundingClientRect().height, spread: Math.max(...centres) - Math.min(...centres) };
}"""


async def _open(page: Page, conversation: int) -> None:
    claim = page.get_by_role("button", name=f"Atender la conversación {conversation}")
    if await claim.count():
        await claim.click()
    else:
        await page.get_by_role("button", name=f"Abrir la conversación {conversation}").click()
    await expect(page.locator("#conv")).to_be_visible()
    await expect(page.locator("#transcript .msg").first).to_be_visible()
    await asyncio.sleep(1.5)


async def console_details(desk: Desk, ana: Page, luis: Page, customer: Page) -> int:
    """Points 6 and 4: the widget customer of points 7/8 asks for a person; Ana answers from her console."""
    found = desk.found
    await desk.mark()
    await say(customer, "quiero hablar con una persona")
    conversation = await desk.new_in_queue("widget")
    await _open(ana, conversation)
    title = (await ana.locator("#conv-title").inner_text()).strip()
    found.saw(6, f"Ana opens conversation {conversation}: title «{title}»")
    found.check(6, "Visitante web #" in title, "a widget visitor is «Visitante web #N», not a hex id")
    transcript = " ".join((await ana.locator("#transcript").inner_text()).split())
    found.check(6, "/choose_faq" not in transcript, "no raw quick-reply payload in the transcript")
    summary = (await ana.locator("#context .ctx-summary .summary").inner_text()).strip()
    found.saw(6, f"Resumen: «{summary}»")
    found.check(6, 0 < len(summary) <= 300 and "quiero hablar con una persona envios" not in summary,
                "a short summary, not every message pasted together")  # fmt: skip
    slots = " ".join((await ana.locator("#context .ctx-slots").inner_text()).split())
    found.saw(6, f"«Datos recogidos por el bot»: «{slots}»")
    found.check(6, "AB-12345" in slots, "the widget customer's order number is in the data collected")
    found.check(6, "faq_id" not in slots, "the FAQ the customer tapped named for people, not «faq_id …»")
    box = await ana.locator("#context").bounding_box()
    found.check(
        6, box is not None and box["x"] + box["width"] <= 1440, f"context panel inside 1440 px ({box})"
    )

    reply = ana.get_by_label("Respuesta al cliente")
    await reply.fill("/")
    options = ana.get_by_role("listbox").get_by_role("option")
    await expect(options.first).to_be_visible()
    names = [" ".join((await o.inner_text()).split())[:40] for o in await options.all()]
    found.saw(4, f"Ana types «/» in the reply box: {len(names)} canned replies listed, e.g. {names[:3]}")
    found.check(4, len(names) > 0, "canned replies listed by «/»")
    await found.shot(4, ana, "canned")
    await reply.press("Enter")
    await asyncio.sleep(0.5)
    filled = await reply.input_value()
    found.saw(4, f"Enter picks the first one; the reply box holds «{filled}»")
    found.check(4, "{{" not in filled or bool(await ana.locator("#canned-hint").count()),
                "variables filled for this conversation (or the unfilled one pointed out)")  # fmt: skip
    insert = ana.locator("#context .ctx-turns").get_by_role("button", name="Insertar", exact=False)
    if await insert.count():
        await reply.fill("")
        await insert.first.click()
        found.saw(
            4, f"«Insertar» on an FAQ candidate puts «{(await reply.input_value())[:80]}…» in the reply box"
        )
        found.check(4, len(await reply.input_value()) > 20, "an FAQ answer inserted from the context panel")
    else:
        found.check(4, False, "an «Insertar» button on the context panel's FAQ candidates")
    await reply.fill("Hola, soy Ana. Miro tu pedido AB-12345 ahora mismo.")
    await reply.press("Enter")
    mine = ana.locator("#transcript .msg-agent").last
    await expect(mine).to_contain_text("Miro tu pedido")
    who = (await mine.locator(".msg-who").inner_text()).strip()
    found.check(6, who == "Ana García", f"Ana's message shows her name («{who}»), not «Agente»")
    last = await ana.locator("#transcript .msg").last.bounding_box()
    form = await ana.locator("#reply-form").bounding_box()
    found.check(
        6,
        last is not None and form is not None and last["y"] + last["height"] <= form["y"] + 1,
        "the last transcript line is above the reply box",
    )
    await found.shot(6, ana, "console_1440")
    told = await widget_texts(customer)
    found.saw(6, f"The widget customer sees: «{told[-1] if told else ''}»")
    found.check(6, bool(told) and told[-1].startswith("Ana García:"),
                "the widget's label of her message (read by screen readers) is her name")  # fmt: skip

    luis_id = desk.staff.ids["luis"]
    await desk.staff.call(
        "ana",
        "POST",
        f"/conversations/{conversation}/transfer",
        json={"agent_id": luis_id, "note": "Cobro doble del AB-12345, ya verificado"},
    )
    await _open(luis, conversation)
    note = luis.locator("#transcript .msg-transfer")
    await expect(note).to_be_visible()
    found.saw(
        6, f"Ana transfers it to Luis with a note; Luis sees «{' '.join((await note.inner_text()).split())}»"
    )
    found.check(6, "traspaso" in (await note.inner_text()).lower(), "the transfer note is marked as such")
    await found.shot(6, luis, "transfer_note")
    for width in (1280, 1920):
        await ana.set_viewport_size({"width": width, "height": 900})
        await asyncio.sleep(0.5)
        box = await ana.locator("#context").bounding_box()
        found.check(
            6,
            box is not None and box["x"] + box["width"] <= width and box["width"] >= 240,
            f"context panel fits at {width} px ({box and round(box['width'])} px wide)",
        )
    await ana.set_viewport_size({"width": 1440, "height": 900})
    return conversation


async def media_in_console(desk: Desk, ana: Page) -> int:
    conversation = await desk.new_in_queue("whatsapp")
    await _open(ana, conversation)
    thumb = ana.locator("#transcript .media[data-media=image] img")
    try:
        await expect(thumb.first).to_be_visible(timeout=15_000)
        size = await thumb.first.bounding_box()
        shown = size is not None and size["width"] >= 60  # a thumbnail one can see, not a dot
    except AssertionError:
        shown = False
    found = desk.found
    found.check(5, shown, "the console shows the photo as a thumbnail")
    text = " ".join((await ana.locator("#transcript").inner_text()).split())
    words = [" ".join(t.split()) for t in await ana.locator("#transcript .msg").all_inner_texts()]
    found.saw(5, f"Ana's transcript, the customer's photo: «{next((w for w in words if 'jarrón' in w), '')}»")
    found.check(5, "jarrón roto" in text, "the caption is there as the customer's words")
    if await thumb.count():
        await thumb.last.scroll_into_view_if_needed()
    await found.shot(5, ana, "media_console")
    return conversation


async def supervisor(desk: Desk, sara: Page, ana: Page, media_conversation: int) -> None:
    """Point 3: Sara sees the desk, reassigns Ana's conversation to Luis, takes a waiting one over; Luis
    logs out and his unanswered conversations go back; Sara manages an agent."""
    found, staff = desk.found, desk.staff
    await sara.get_by_role("button", name="Supervisión").click()
    view = sara.locator("#sup-view")
    rows = view.locator("section[aria-labelledby=sup-agents-title] tr[data-agent]")
    await expect(rows.first).to_be_visible()
    found.saw(
        3,
        "Sara's agents table: "
        + " | ".join([" ".join((await r.inner_text()).split()) for r in await rows.all()]),
    )
    waiting = view.locator("section[aria-labelledby=sup-waiting-title] tr[data-conversation]")
    found.saw(
        3,
        f"Waits, longest first: {await waiting.count()} rows, first «"
        f"{' '.join((await waiting.first.inner_text()).split()) if await waiting.count() else ''}»",
    )
    first = " ".join((await waiting.first.inner_text()).split()) if await waiting.count() else ""
    found.check(
        3,
        bool(first) and not first.startswith("Conversación"),
        "the waits name the customer (a name, a number, «Visitante web #N»), not «Conversación N»",
    )
    header = await sara.evaluate(HEADER)
    found.check(3, header["spread"] <= 6 and header["height"] <= 60,
                f"an admin's header is one line at 1440 px ({header['height']:.0f} px tall, items' centres "
                f"within {header['spread']} px)")  # fmt: skip
    page = await sara.evaluate("() => [document.scrollingElement.scrollHeight, innerHeight]")
    found.check(3, page[0] <= page[1], f"the view scrolls in its panel, the page does not ({page[0]} px "
                f"tall in a {page[1]} px window): the header stays on screen")  # fmt: skip
    alerts = await view.locator(".sup-alert").count()
    found.check(3, alerts > 0, f"live alerts for waits past HANDOFF_WAIT_ALERT_AFTER ({alerts})")
    await found.shot(3, sara, "supervisor", full=True)

    held = view.locator(
        f"section[aria-labelledby=sup-assigned-title] tr[data-conversation='{media_conversation}']"
    )
    pick = held.get_by_label(f"Asignar la conversación {media_conversation} a")
    await pick.select_option(value=str(staff.ids["luis"]))
    await held.get_by_role("button", name="Reasignar").click()
    alert = ana.get_by_role("alert")
    await expect(alert).to_contain_text("Luis", timeout=15_000)
    found.saw(
        3,
        f"Sara reassigns {media_conversation} to Luis; Ana's console: «{(await alert.inner_text()).strip()}»",
    )
    found.check(3, True, "reassign from the supervisors' view")
    await found.shot(3, ana, "reassigned_agent")
    first_wait = waiting.first
    target = await first_wait.get_attribute("data-conversation")
    await first_wait.get_by_role("button", name="Tomarla yo").click()
    await expect(sara.locator("#conv-title")).to_contain_text(str(target), timeout=15_000)
    await sara.get_by_label("Respuesta al cliente").fill("Hola, soy Sara, la supervisora. Te atiendo yo.")
    await sara.get_by_label("Respuesta al cliente").press("Enter")
    found.check(3, True, f"Sara takes over waiting conversation {target} and answers it")

    before = {e["conversation_id"] for e in (await staff.call("sara", "GET", "/queue")).json()["waiting"]}
    out = await staff.call("luis", "POST", "/logout")
    await asyncio.sleep(2)
    after = {e["conversation_id"] for e in (await staff.call("sara", "GET", "/queue")).json()["waiting"]}
    back = sorted(after - before)
    found.saw(3, f"Luis logs out ({out.status_code}); back in the queue: {back}")
    found.check(3, media_conversation in back, "an agent who logs out does not keep unanswered conversations")

    made = await staff.call("sara", "POST", "/agents", json={
        "email": f"nora-{uuid.uuid4().hex[:4]}@tiendasol.example", "name": "Nora",
        "password": "temporal-123", "languages": ["es"], "skills": ["pedidos"]})  # fmt: skip
    listed = await staff.call("sara", "GET", "/agents")
    found.saw(3, f"Sara creates Nora: {made.status_code}; GET /agents lists {len(listed.json())} agents")
    if made.status_code == 201:
        nora = made.json()["id"]
        reset = await staff.call(
            "sara", "POST", f"/agents/{nora}/password", json={"password": "otra-clave-9"}
        )
        off = await staff.call("sara", "PATCH", f"/agents/{nora}", json={"disabled": True})
        found.check(
            3,
            reset.status_code == 200 and off.status_code == 200,
            f"password reset {reset.status_code}, disable {off.status_code}",
        )
    else:
        found.check(3, False, f"create an agent: {made.text[:120]}")
