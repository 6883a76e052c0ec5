"""What a worker sees of job openings: the invitation message, the "Jobs open now" entries,
the closing notice, the bot's answers to the buttons, and the buttons' callback data.

Shared by the outbox sender (an invitation and a closing notice are rendered when sent, in the
recipient's language then) and the conversation service (the menu's list and the taps). Texts
are translated first, then filled with translated, direction-isolated values, like the
eligibility screens (``bot.ssw.rendering``). Every message fits a phone screen
(``bot.engine.phone``): the description is shortened when it would not. No channel, no SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot import prefectures, ssw
from bot.engine import phone
from bot.engine.model import Button
from bot.engine.texts import MAIN_MENU, button_label, t
from bot.i18n import N_, format_number, gettext, isolate, join_list, paragraph
from bot.ssw import catalogue
from bot.storage import opening_state

# -- callback data (Telegram allows 64 bytes) ---------------------------------------------
YES = "j:y:"  # + opening id: "I'm interested"
NO = "j:n:"  # + opening id: "Not for me"
STOP = "j:stop"  # no more job messages
START = "j:on"  # job messages again
MORE = "j:p:"  # + the first entry of the next page of "Jobs open now"
PREFIX = "j:"
MENU_ACTION = "jobs"  # the main menu's entry (flows/menu.flow.yaml)
PAGE = 3  # openings per page of "Jobs open now" (a message each)

# -- the opening's facts ------------------------------------------------------------------
INVITATION_HEADING = N_("💼 A job in Japan from OEC that may suit you:")
WORK = N_("Work: {sector}")
WORK_TYPE = N_("Work: {sector} ({job_type})")
ROUTES = {"ssw1": N_("Visa: SSW (i)"), "ssw2": N_("Visa: SSW (ii)")}
WHERE = N_("Where in Japan: {prefecture}")
PLACES = N_("Places: {places}")
PAY = N_("Pay: {pay} yen a month")
PAY_INCLUDES = N_("Pay: {pay} yen a month ({includes})")
DEADLINE = N_("Apply by: {date}")
STILL_NEED = N_("You still need:")
# -- how the worker fits it, in "Jobs open now" -------------------------------------------
MEETS = N_("✅ You meet this")
STILL_NEED_SHORT = N_("You still need: {items}")
NOT_NOW = N_("❌ Not for you now: {items}")
AND_MORE = N_("{items} and more")
REGISTER_FIRST_MARK = N_("📝 Register first to apply")
ANSWERED_YES = N_("Your answer: ✅ interested")
ANSWERED_NO = N_("Your answer: not for me")
# -- buttons ------------------------------------------------------------------------------
INTERESTED_LABEL = N_("✅ I'm interested")
NOT_FOR_ME_LABEL = N_("Not for me")
STOP_LABEL = N_("🔕 Stop job messages")
START_LABEL = N_("🔔 Get job messages again")
MORE_LABEL = N_("More jobs ▶️")
REGISTER_LABEL = N_("📝 Register with OEC for Japan")  # the main menu's entry
# -- the bot's answers --------------------------------------------------------------------
LIST_TITLE = N_("💼 Jobs open now: {count}")
NONE_OPEN = N_(
    "There are no jobs open right now. OEC adds new jobs from employers in Japan from time "
    "to time: please look again later."
)
INTERESTED = N_(
    "Thank you. OEC has noted that you are interested in this job: {title}.\n"
    "What happens now: OEC staff will check your details and call you on the mobile number "
    "you gave. Not everyone who is interested can be chosen.\n"
    "Never pay anyone to get a job: OEC does not ask for money for this.\n"
    "Send /status to see where your registration stands."
)
DECLINED = N_("Noted: this job is not for you. You can still see other jobs in the main menu.")
CLOSED = N_("Sorry, this job is no longer open.")
REGISTER_FIRST = N_(
    "To say you are interested in a job, please register with OEC first. It takes a few minutes."
)
JOBS_STOPPED = N_(
    "You will get no more job messages from OEC. You can still see the jobs open now in the "
    "main menu. To get job messages again, tap the button below."
)
JOBS_STARTED = N_("You will get job messages from OEC again.")
CLOSED_NOTICE = N_(
    "The job you were interested in has closed: {title}.\n"
    "OEC will contact you if you are chosen. You can see other jobs open now in the main menu."
)


@dataclass(frozen=True)
class OpeningFacts:
    """What a worker is told about an opening, as plain data (the sender caches it)."""

    id: int
    title: str
    sector: str
    category: str | None
    route: str
    prefecture: str
    places: int
    pay_yen: int | None
    pay_includes: str | None
    deadline: date
    state: str
    descriptions: Mapping[str, str] = field(default_factory=dict)


def facts_of(opening: Any) -> OpeningFacts:
    """The facts of a stored opening (``bot.storage.opening_models.Opening``)."""
    return OpeningFacts(
        id=opening.id,
        title=opening.title,
        sector=opening.sector,
        category=opening.category,
        route=opening.route,
        prefecture=opening.prefecture,
        places=opening.places,
        pay_yen=opening.pay_yen,
        pay_includes=opening.pay_includes,
        deadline=opening.deadline,
        state=opening.state,
        descriptions=dict(opening.descriptions or {}),
    )


def is_open(facts: OpeningFacts, today: date) -> bool:
    """Workers may still answer it on ``today`` (OEC's date): the one definition is
    ``bot.storage.opening_state`` (``is_open``, and ``open_now`` in SQL)."""
    return opening_state.is_open(facts.state, facts.deadline, today)


def _work(facts: OpeningFacts) -> str:
    try:
        sector = catalogue.sector(facts.sector)
    except KeyError:
        return t(WORK, sector=facts.sector)
    category = sector.category(facts.category) if facts.category else None
    if category is not None:
        return t(WORK_TYPE, sector=gettext(sector.name), job_type=gettext(category.name))
    return t(WORK, sector=gettext(sector.name))


def _pay(facts: OpeningFacts) -> str | None:
    if facts.pay_yen is None:
        return None
    pay = format_number(facts.pay_yen)
    if facts.pay_includes and facts.pay_includes.strip():
        return t(PAY_INCLUDES, pay=pay, includes=facts.pay_includes.strip())
    return t(PAY, pay=pay)


def fact_lines(facts: OpeningFacts, *, places: bool = True, route: bool = True) -> list[str]:
    """The opening's title and facts, a line each, in the current language."""
    lines = [isolate(facts.title), _work(facts)]
    if route and facts.route in ROUTES:
        lines.append(gettext(ROUTES[facts.route]))
    lines.append(t(WHERE, prefecture=prefectures.label(facts.prefecture)))
    if places:
        lines.append(t(PLACES, places=format_number(facts.places)))
    pay = _pay(facts)
    if pay:
        lines.append(pay)
    lines.append(t(DEADLINE, date=facts.deadline))
    return lines


def description(facts: OpeningFacts, language: str) -> str:
    """The description in ``language`` (English when that one is missing)."""
    texts = facts.descriptions
    chosen = (texts.get(language) or "").strip() or (texts.get("en") or "").strip()
    return "\n".join(line.rstrip() for line in chosen.splitlines() if line.strip())


def _whole(head: list[str], middle: str, tail: list[str]) -> str:
    blocks = ["\n".join(head), *([middle] if middle else []), *(["\n".join(tail)] if tail else [])]
    return "\n\n".join(blocks)


def _shorten(head: list[str], text: str, tail: list[str], least: int) -> str | None:
    """``head``, ``text`` and ``tail`` as one message that fits a phone screen, ``text`` cut
    at a word (with "…") when it must be, keeping at least ``least`` words (Japanese: five
    characters a word); None when that does not fit."""
    if phone.fits(_whole(head, text, tail)):
        return _whole(head, text, tail)
    spaced = " " in text
    words = text.split(" ") if spaced else list(text)
    least = least if spaced else least * 5
    while len(words) > least:
        words.pop()
        shortened = (" " if spaced else "").join(words).rstrip(",.;:، 、。") + "…"
        if phone.fits(_whole(head, shortened, tail)):
            return _whole(head, shortened, tail)
    return None


# what an invitation keeps when the screen is short: first all the facts with some of the
# description, then without the number of places, then without the visa line; then the
# facts without the description, in the same order
KEEP_ORDER = (
    (True, True, 6),
    (False, True, 6),
    (False, False, 6),
    (True, True, 0),
    (False, True, 0),
    (False, False, 0),
)


def invitation_text(
    facts: OpeningFacts, language: str, missing: Sequence[Mapping[str, Any]] = ()
) -> str:
    """The invitation in the current language (``language`` picks the description): the
    facts, the description, and for a worker who nearly fits, what they still need; cut to a
    phone screen (``KEEP_ORDER``)."""
    tail = (
        [gettext(STILL_NEED), *(f"• {ssw.render_criterion(c)}" for c in missing)] if missing else []
    )
    text = description(facts, language)
    for places, route, least in KEEP_ORDER:
        head = [gettext(INVITATION_HEADING), *fact_lines(facts, places=places, route=route)]
        shown = _shorten(head, text if least else "", tail, least)
        if shown is not None:
            return paragraph(shown)
    return paragraph(_whole(head, "", tail))  # facts this long are shown whole


def answer_buttons(opening_id: int, answered: str | None = None) -> list[list[Button]]:
    """Interested / not for me (only the other one once the worker answered)."""
    yes = Button(button_label(gettext(INTERESTED_LABEL)), f"{YES}{opening_id}")
    no = Button(button_label(gettext(NOT_FOR_ME_LABEL)), f"{NO}{opening_id}")
    if answered == "interested":
        return [[no]]
    if answered == "declined":
        return [[yes]]
    return [[yes, no]]


def invitation_buttons(opening_id: int) -> list[list[Button]]:
    """Under an invitation: interested / not for me, then stop job messages."""
    return [*answer_buttons(opening_id), [stop_button()]]


def stop_button() -> Button:
    return Button(button_label(gettext(STOP_LABEL)), STOP)


def start_button() -> Button:
    return Button(button_label(gettext(START_LABEL)), START)


def register_button() -> Button:
    return Button(button_label(gettext(REGISTER_LABEL)), "m:register")


def menu_button() -> Button:
    return Button(button_label(gettext(MAIN_MENU)), "m:")


def more_button(offset: int) -> Button:
    return Button(button_label(gettext(MORE_LABEL)), f"{MORE}{offset}")


def _items(missing: Sequence[Mapping[str, Any]]) -> str:
    shown = [ssw.render_criterion(c) for c in missing[:2]]
    items = join_list(shown)
    return t(AND_MORE, items=items) if len(missing) > 2 else items


def fit_line(
    match_class: str | None, missing: Sequence[Mapping[str, Any]], registered: bool
) -> str:
    """How the worker fits an opening, one line: meets / still needs / not now / register."""
    if not registered:
        return gettext(REGISTER_FIRST_MARK)
    if match_class == "meets":
        return gettext(MEETS)
    if match_class == "nearly":
        return gettext(STILL_NEED_SHORT).format(items=_items(missing))
    return gettext(NOT_NOW).format(items=_items(missing))


def entry_text(facts: OpeningFacts, fit: str, answered: str | None) -> str:
    """One opening in "Jobs open now": its facts, how the worker fits it, their answer."""
    lines = [*fact_lines(facts, places=False), fit]
    if answered == "interested":
        lines.append(gettext(ANSWERED_YES))
    elif answered == "declined":
        lines.append(gettext(ANSWERED_NO))
    return paragraph("\n".join(lines))


def closed_notice(facts: OpeningFacts | None) -> str:
    """The notice to a worker who was interested in an opening that closed."""
    title = facts.title if facts is not None else ""
    return paragraph(t(CLOSED_NOTICE, title=title))


def parse(data: str) -> tuple[str, int | None]:
    """A button's callback data: ("yes" | "no" | "more", number) or ("stop" | "start", None);
    ("", None) when it is not one of these."""
    if data == STOP:
        return "stop", None
    if data == START:
        return "start", None
    for prefix, kind in ((YES, "yes"), (NO, "no"), (MORE, "more")):
        if data.startswith(prefix) and data[len(prefix) :].isdigit():
            return kind, int(data[len(prefix) :])
    return "", None
