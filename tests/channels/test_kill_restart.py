"""kill -9 of the bot mid-conversation, then a restart: nothing lost, nothing applied twice.

The bot runs as its own OS process (``python -m bot run``: long polling against the fake Bot
API over real HTTP, a fresh SQLite file or PostgreSQL database). A worker is halfway through
the registration when the process gets SIGKILL; a new process takes over, and the worker goes
on from the same question to a saved lead.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.app import Services, build_services
from tests.channels.conftest import Person
from tests.conftest import TODAY
from tests.fake_bot_api import TOKEN, FakeBotApi

MOBILE_QUESTION = "What is your mobile number?"
BIRTH_QUESTION = "What is your date of birth?"


@asynccontextmanager
async def bot_process(
    api: FakeBotApi, database_url: str, workdir: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``python -m bot run`` against the fake, until the block ends (or the test kills it)."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "TELEGRAM_API_FILE_URL": api.base_file_url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "INFO",
        # a script answers faster than a person: no flood guard, no pacing per chat
        "FLOOD_MESSAGES": "1000",
        "TELEGRAM_CHAT_PER_SECOND": "100",
    }
    polls = len(api.calls_to("getUpdates"))
    log = (workdir / "bot.log").open("ab")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=workdir, env=env, stdout=log, stderr=log
    )
    try:
        for _ in range(300):  # polling has begun when a new getUpdates arrives
            if len(api.calls_to("getUpdates")) > polls:
                break
            if process.returncode is not None:
                raise AssertionError((workdir / "bot.log").read_text()[-3000:])
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the bot did not start polling within 15 s")
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
                await process.wait()
        log.close()


async def kill(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGKILL)
    await process.wait()


async def _state(services: Services, user_id: int) -> dict[str, object]:
    async with services.repository.user("telegram", str(user_id)) as unit:
        return unit.state


async def _until(condition: object, seconds: float = 15, step: float = 0.05) -> None:
    for _ in range(int(seconds / step)):
        if callable(condition) and condition():
            return
        await asyncio.sleep(step)
    raise AssertionError("condition not met in time")


async def _first_half(person: Person) -> None:
    await person.user.send("/start")
    await person.turn(timeout=20)
    await person.tap("English", translate=False)
    await person.tap("📝 Register with OEC for Japan")
    await person.tap("✅ I agree")
    await person.say("Ayesha Khan Bibi")


async def _second_half(person: Person) -> str:
    await person.say("15/03/1998")
    await person.tap("Female")
    await person.tap("Punjab")
    await person.say("Lahore")
    await person.tap("Matric (class 10)")
    await person.say("3")
    await person.tap("Construction")
    await person.tap("✅ Done")
    await person.tap("I am learning now")
    await person.tap("JLPT N5", translate=False)
    await person.tap("✅ Done")
    await person.tap("No")
    await person.tap("Yes")
    await person.tap("No, never")
    return (await person.tap("✅ Submit")).text


async def _check_saved_once(services: Services, user_id: int, confirmation: str) -> None:
    leads = await services.repository.leads()
    assert len(leads) == 1
    lead = leads[0]
    assert lead.reference in confirmation
    assert (lead.cnic, lead.mobile, lead.full_name) == (
        "4210148172635",
        "+923001234567",
        "Ayesha Khan Bibi",
    )
    assert lead.answers["district"] == "Lahore" and lead.answers["sectors"] == ["construction"]
    funnel = await services.repository.funnel("registration")
    assert funnel["registered"] == 1 and funnel["started"] == 1
    assert funnel["step"] == 16  # each question reached once: no update was applied twice


async def test_killed_while_sending_the_next_question(
    api: FakeBotApi, database_url: str, tmp_path: Path
) -> None:
    """SIGKILL while the bot sends the question after the CNIC (the answer is committed):
    after the restart /start shows that question, and the registration completes once."""
    services = build_services(database_url, today=lambda: TODAY)
    person = Person(api.user(9500, language_code="en"))
    try:
        async with bot_process(api, database_url, tmp_path) as first:
            await _first_half(person)
            api.fail_next("sendMessage", "timeout", sleep=60)  # hangs until the kill
            await person.user.send("42101-4817263-5")
            await _until(lambda: api.faults_injected)
            await kill(first)
        state = await _state(services, 9500)
        assert state["step"] == "mobile"  # committed before the reply was sent
        assert state["answers"]["registration"]["cnic"] == "4210148172635"  # type: ignore[index]

        async with bot_process(api, database_url, tmp_path):
            await api.wait_idle(timeout=15)
            turn = await person.say("/start")
            assert "Welcome back" in turn.text and MOBILE_QUESTION in turn.text
            turn = await person.say("0300 1234567")
            assert BIRTH_QUESTION in turn.text
            confirmation = await _second_half(person)
            await _check_saved_once(services, 9500, confirmation)
    finally:
        await services.close()


async def test_killed_as_soon_as_the_update_was_fetched(
    api: FakeBotApi, database_url: str, tmp_path: Path
) -> None:
    """SIGKILL after getUpdates handed the answer to the bot and before the bot committed it
    (the test holds the worker's row meanwhile): the offset is confirmed only after a commit
    (``bot.channels.tolerant.Ledger``), so the new process gets the update again, applies it
    once and asks the next question. (Before the ledger, python-telegram-bot's next
    getUpdates confirmed it at once, and the answer was lost.)"""
    services = build_services(database_url, today=lambda: TODAY)
    person = Person(api.user(9600, language_code="en"))
    try:
        async with bot_process(api, database_url, tmp_path) as first:
            await _first_half(person)
            # The test holds the worker's row, so the bot is stuck before its commit.
            async with services.repository.user("telegram", "9600"):
                update_id = await _push(person, "42101-4817263-5", api)
                await _until(lambda: update_id in api.delivered_at)
                await asyncio.sleep(0.5)  # the bot waits for the row; its next poll is out
                await kill(first)
        assert (await _state(services, 9600))["step"] == "cnic"  # nothing was applied
        async with bot_process(api, database_url, tmp_path):
            turn = await person.turn(timeout=20)  # the update came again, and is answered
            assert MOBILE_QUESTION in turn.text
            turn = await person.say("/start")
            assert MOBILE_QUESTION in turn.text
            state = await _state(services, 9600)
            assert state["answers"]["registration"]["cnic"] == "4210148172635"  # type: ignore[index]
            await person.say("0300 1234567")
            confirmation = await _second_half(person)
            await _check_saved_once(services, 9600, confirmation)
    finally:
        await services.close()


async def _push(person: Person, text: str, api: FakeBotApi) -> int:
    await person.user.send(text)
    return api._next_update_id - 1
