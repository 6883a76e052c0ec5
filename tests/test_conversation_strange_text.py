"""Long and strange text in every typed answer of the registration, through the real
conversation service on a real SQLite file and PostgreSQL: the bot validates or refuses
clearly, never fails, never answers with more than Telegram's 4,096 characters, and what it
stores is normalised and bounded."""

from __future__ import annotations

import pytest

from bot.app import Services
from tests.strange import (
    STRANGE,
    TEXT_STEPS,
    ServiceUser,
    check_database,
    check_replies,
    check_state,
    current_step,
    walk_to,
)

# Strange but meant in earnest: kept, in their clean form.
KEPT = {
    ("full_name", "\u202eAli Khan"): "Ali Khan",
    ("full_name", "A\u200dli\u200b Kh\u200ban"): "Ali Khan",
    ("full_name", "Ali Kha\u0301n Bi\u0300bi"): "Ali Kh\u00e1n B\u00ecbi",
    ("cnic", "\u202e42101-4817263-5"): "4210148172635",
    ("cnic", "4210\u200b1-4817263-5"): "4210148172635",
    ("cnic", "٤٢١٠١-٤٨١٧٢٦٣-٥"): "4210148172635",
    ("mobile", "0300\u200d1234567"): "+923001234567",
    ("mobile", "۰۳۰۰ ۱۲۳۴۵۶۷"): "+923001234567",
    ("birth_date", "15/03/1998\u202e"): "1998-03-15",
}


@pytest.mark.parametrize("step", TEXT_STEPS)
async def test_strange_text_in_each_typed_answer(services: Services, step: str) -> None:
    engine = services.conversations.engine
    for number, text in enumerate(STRANGE):
        user = ServiceUser(services, f"{step}-{number}")
        await walk_to(user, step)
        replies = await user.say(text)
        check_replies(replies)
        stored = await services.repository.state_of("telegram", user.key)
        state = check_state(engine, stored)
        if state.step == step:  # refused (or held for a "yes, keep it"): said why
            assert replies and ("⚠️" in user.text or state.mode == "confirm_answer"), user.text
        else:
            assert step in state.answers["registration"]
        kept = state.answers.get("registration", {}).get(step)
        if (step, text) in KEPT:
            assert kept == KEPT[step, text], (text, kept)
        elif step != "district":  # a district may be any letters: checked by check_state
            assert kept is None, (text, kept)  # nothing else is a valid answer
    await check_database(services, engine)


async def test_strange_commands_and_arguments(services: Services) -> None:
    user = ServiceUser(services, "commands")
    await walk_to(user, "cnic")
    for text in STRANGE:
        for name in ("start", text[:64] or "x", "language", "status", "mydata", "cancel"):
            replies = await user.command(name.lower(), argument=text)
            check_replies(replies)
            if name == "cancel":
                await user.tap("No, continue") if "No, continue" in _labels(user) else None
    assert await current_step(user) in {"cnic", None}
    await check_database(services, services.conversations.engine)


def _labels(user: ServiceUser) -> list[str]:
    return [b.label for r in user.replies for row in r.buttons for b in row]
