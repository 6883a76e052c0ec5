"""Shared by the fault tests: strange texts a worker (or an attacker) can type, a driver that
talks to the conversation service in-process the way a channel does, and the check that what
is stored is valid (the state loads and points into the flows; a lead passes the rules a new
answer must pass)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from bot.app import Services
from bot.conversation import Incoming
from bot.engine import validators
from bot.engine.engine import Engine
from bot.engine.model import Action, Press, Reply, State, Text
from bot.storage.models import Conversation, Lead
from tests.conftest import TODAY

TELEGRAM_LIMIT = 4096
SORRY = "Sorry, something went wrong on our side."
MODES = {"ask", "review", "confirm_cancel", "confirm_answer"}

# What people paste, what keyboards produce, and what attackers try.
STRANGE: Sequence[str] = (
    "x" * 4096,  # the longest message Telegram delivers
    "Ali Khan " * 600,  # longer than Telegram allows: the service must cope too
    "\u202eAli Khan",  # right-to-left override
    "\u202e42101-4817263-5",
    "A\u200dli\u200b Kh\u200ban",  # zero-width joiner and space
    "4210\u200b1-4817263-5",
    "0300\u200d1234567",
    "15/03/1998\u202e",
    "Ali Kha\u0301n Bi\u0300bi",  # combining accents
    "A" + "\u0301" * 500 + "li Khan",  # a tower of combining marks
    "Ali 😀 Khan",
    "👨‍👩‍👧‍👦🇵🇰" * 50,
    "'; DROP TABLE leads; --",
    "Robert'); DROP TABLE leads;--",
    "Lahore' OR '1'='1",
    "<b>Ali</b> <script>alert(1)</script>",
    "&lt;b&gt;&amp;",
    '=HYPERLINK("http://x")',
    "\x00\x01\x7f",
    "   \n\t  ",
    "",
    "٤٢١٠١-٤٨١٧٢٦٣-٥",  # Arabic-Indic digits (a valid CNIC)
    "۰۳۰۰ ۱۲۳۴۵۶۷",  # Urdu digits (a valid mobile number)
    "%s %d {0} {name} {{}}",
)


class ServiceUser:
    """One user of the in-process conversation service: says, taps (by label or raw data),
    sends commands; ``replies`` are the last answer, ``seen`` every button data shown."""

    def __init__(self, services: Services, key: str, channel: str = "telegram") -> None:
        self.services = services
        self.key = key
        self.channel = channel
        self.replies: list[Reply] = []
        self.seen: list[str] = []
        self.event_id = 0

    async def send(self, **fields: Any) -> list[Reply]:
        self.event_id += 1
        incoming = Incoming(self.channel, self.key, event_id=self.event_id, **fields)
        self.replies = await self.services.conversations.handle(incoming)
        self.seen += [b.data for r in self.replies for row in r.buttons for b in row]
        return self.replies

    async def act(self, action: Action) -> list[Reply]:
        return await self.send(action=action)

    async def say(self, text: str) -> list[Reply]:
        return await self.act(Text(text))

    async def command(self, name: str, argument: str = "") -> list[Reply]:
        return await self.send(command=name, argument=argument)

    async def tap(self, label: str) -> list[Reply]:
        for reply in reversed(self.replies):
            for row in reply.buttons:
                for button in row:
                    if button.label == label or button.label.endswith(" " + label):
                        return await self.act(Press(button.data))
        shown = [b.label for r in self.replies for row in r.buttons for b in row]
        raise AssertionError(f"no button {label!r} in {shown}")

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.replies)


# The registration's questions up to the last typed one, with an answer each accepts.
REGISTRATION_PATH: Sequence[tuple[str, str, str]] = (
    ("tap", "English", ""),
    ("tap", "📝 Register with OEC for Japan", ""),
    ("tap", "✅ I agree", "full_name"),
    ("say", "Ayesha Khan Bibi", "cnic"),
    ("say", "42101-4817263-5", "mobile"),
    ("say", "0300 1234567", "birth_date"),
    ("say", "15/03/1998", "gender"),
    ("tap", "Female", "province"),
    ("tap", "Punjab", "district"),
    ("say", "Lahore", "education"),
    ("tap", "Matric (class 10)", "experience_years"),
)
TEXT_STEPS = ("full_name", "cnic", "mobile", "birth_date", "district", "experience_years")


async def walk_to(user: ServiceUser, step: str) -> None:
    """From first contact to ``step`` of the registration, with ordinary answers."""
    await user.command("start")
    for how, what, reached in REGISTRATION_PATH:
        await (user.tap(what) if how == "tap" else user.say(what))
        if reached == step:
            break
    assert await current_step(user) == step, user.text


async def current_step(user: ServiceUser) -> str | None:
    state = await user.services.repository.state_of(user.channel, user.key)
    return None if state is None else state.get("step")


def check_replies(replies: Sequence[Reply]) -> None:
    """Every reply fits one Telegram message, every button's data its 64 bytes, no apology."""
    for reply in replies:
        assert 0 < len(reply.text) <= TELEGRAM_LIMIT, len(reply.text)
        assert SORRY not in reply.text, reply.text
        for row in reply.buttons:
            for button in row:
                assert 0 < len(button.data.encode()) <= 64, button.data
                assert len(button.label) <= 200


def check_state(engine: Engine, stored: Mapping[str, Any] | None) -> State:
    """The stored state loads, round-trips, and points to a real flow and step."""
    state = State.from_dict(stored)
    assert State.from_dict(state.to_dict()) == state
    assert state.mode in MODES, state.mode
    if state.flow is not None:
        assert state.flow in engine.flows, state.flow
        if state.step is not None:
            assert engine.flows[state.flow].has_step(state.step), state.step
    else:
        assert state.mode == "ask"
    for flow_id in state.answers:
        assert flow_id in engine.flows, flow_id
    registration = state.answers.get("registration", {})
    check_answers(registration)
    return state


def _bounded_text(value: str, limit: int) -> None:
    assert len(value) <= limit, len(value)
    assert value == validators.clean_text(value), value
    assert unicodedata.is_normalized("NFKC", value)
    assert not any(unicodedata.category(ch) in {"Cc", "Co", "Cs"} for ch in value), value
    assert not any(unicodedata.category(ch) == "Cf" and ch != "\u200c" for ch in value), value


def check_answers(answers: Mapping[str, Any]) -> None:
    """Answers stored for the registration pass the rules a new answer must pass."""
    if "full_name" in answers:
        name = answers["full_name"]
        _bounded_text(name, 100)
        try:
            assert validators.person_name(name) == name
        except validators.Doubtful as doubt:  # a one-word name the worker confirmed
            assert doubt.value == name
    if "cnic" in answers:
        cnic = answers["cnic"]
        assert len(cnic) == 13 and cnic.isascii() and cnic.isdigit(), cnic
        assert validators.cnic(cnic) == cnic
    if "mobile" in answers:
        assert validators.pk_mobile(answers["mobile"]) == answers["mobile"]
    if "birth_date" in answers:
        born = validators.birth_date(answers["birth_date"], TODAY, 0, 120)
        assert born.isoformat() == answers["birth_date"]
    if "district" in answers:
        _bounded_text(answers["district"], 60)
        assert validators.place_name(answers["district"]) == answers["district"]
    if "experience_years" in answers:
        assert isinstance(answers["experience_years"], int)
        assert 0 <= answers["experience_years"] <= 100


async def check_database(services: Services, engine: Engine) -> None:
    """Every stored conversation is valid, and every lead passes the rules."""
    async with services.database.connect() as connection:
        states = (await connection.scalars(select(Conversation.state))).all()
        leads = (await connection.execute(select(Lead))).all()
    for stored in states:
        check_state(engine, stored)
    for lead in leads:
        if lead.deleted_at is not None:
            continue
        check_answers(
            {
                "full_name": lead.full_name,
                "cnic": lead.cnic,
                "mobile": lead.mobile,
                "birth_date": lead.birth_date.isoformat(),
                **{k: v for k, v in lead.answers.items() if k in TEXT_STEPS},
            }
        )
