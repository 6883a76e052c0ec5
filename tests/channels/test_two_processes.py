"""One worker's conversation across two bot processes sharing one database.

Two OS processes, each with its own conversation service and connection pool
(``service_driver``), on one fresh PostgreSQL database (and on one SQLite file). One user's
updates alternate between them: the outcome is the one a single process gives. The same
update given to both at once has its effect once; a double-tapped Submit, both taps arriving
in both processes at once, makes one lead.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from bot.app import Services, build_services
from tests.conftest import TODAY

ROOT = Path(__file__).resolve().parents[2]
# The registration as a worker goes through it: ("say", text) or ("tap", label).
REGISTRATION: Sequence[tuple[str, str]] = (
    ("command", "start"),
    ("tap", "English"),
    ("tap", "📝 Register with OEC for Japan"),
    ("tap", "✅ I agree"),
    ("say", "Ayesha Khan Bibi"),
    ("say", "42101-4817263-5"),
    ("say", "0300 1234567"),
    ("say", "15/03/1998"),
    ("tap", "Female"),
    ("tap", "Punjab"),
    ("say", "Lahore"),
    ("tap", "Matric (class 10)"),
    ("say", "3"),
    ("tap", "Construction"),
    ("tap", "Agriculture"),
    ("tap", "✅ Done"),
    ("tap", "I am learning now"),
    ("tap", "JLPT N5"),
    ("tap", "✅ Done"),
    ("tap", "No"),
    ("tap", "Yes"),
    ("tap", "No, never"),
)
SUBMIT = "✅ Submit"
_ids = itertools.count(1)


class Process:
    """A ``service_driver`` process: send it requests, read its answers."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.answers: dict[int, asyncio.Future[list[dict[str, Any]]]] = {}
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            answer = json.loads(line)
            if "id" in answer:
                self.answers.pop(answer["id"]).set_result(answer["replies"])

    def send(self, **request: Any) -> asyncio.Future[list[dict[str, Any]]]:
        request["id"] = next(_ids)
        future = self.answers[request["id"]] = asyncio.get_running_loop().create_future()
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps(request) + "\n").encode())
        return future

    async def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        await asyncio.wait_for(self.process.wait(), 30)
        await self.reader


@asynccontextmanager
async def processes(url: str, count: int) -> AsyncIterator[list[Process]]:
    async with AsyncExitStack() as stack:
        started = []
        for _ in range(count):
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tests.channels.service_driver", url,
                cwd=ROOT, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            )  # fmt: skip
            assert process.stdout is not None
            ready = await asyncio.wait_for(process.stdout.readline(), 60)
            assert json.loads(ready) == {"ready": True}
            driver = Process(process)
            stack.push_async_callback(driver.close)
            started.append(driver)
        yield started


class Worker:
    """One user; each update goes to the process ``route`` picks, with its own event id."""

    def __init__(self, user: str) -> None:
        self.user = user
        self.event_id = 0
        self.replies: list[dict[str, Any]] = []

    def request(self, how: str, what: str) -> dict[str, Any]:
        self.event_id += 1
        base: dict[str, Any] = {"user": self.user, "event_id": self.event_id}
        if how == "command":
            return {**base, "command": what}
        if how == "say":
            return {**base, "text": what}
        return {**base, "press": self.data(what)}

    def data(self, label: str) -> str:
        for reply in reversed(self.replies):
            for shown, data in reply["buttons"]:
                if shown == label or shown.endswith(" " + label):
                    return str(data)
        raise AssertionError(f"no button {label!r} in {self.replies}")

    async def do(self, process: Process, how: str, what: str) -> list[dict[str, Any]]:
        self.replies = await process.send(**self.request(how, what))
        return self.replies


async def _state(services: Services, user: str) -> dict[str, Any]:
    state = await services.repository.state_of("telegram", user)
    assert state is not None
    return state


def _comparable(state: dict[str, Any]) -> dict[str, Any]:
    state = json.loads(json.dumps(state))
    state.get("results", {}).pop("consent_at", None)  # the time of day differs
    return state


async def test_interleaved_between_two_processes_as_in_one(database_url: str) -> None:
    services = build_services(database_url, today=lambda: TODAY)
    try:
        async with processes(database_url, 2) as (first, second):
            alone, shared = Worker("5001"), Worker("5002")
            for how, what in [*REGISTRATION, ("tap", SUBMIT)]:
                await alone.do(first, how, what)
            for n, (how, what) in enumerate([*REGISTRATION, ("tap", SUBMIT)]):
                await shared.do(first if n % 2 else second, how, what)
            assert [r["text"] for r in shared.replies][-1].split("SSW-")[0] == [
                r["text"] for r in alone.replies
            ][-1].split("SSW-")[0]
        assert _comparable(await _state(services, "5002")) == _comparable(
            await _state(services, "5001")
        )
        leads = {lead.user_id: lead for lead in await services.repository.leads()}
        assert len(leads) == 2
        one, other = leads.values()
        assert one.answers == other.answers and one.cnic == other.cnic == "4210148172635"
        funnel = await services.repository.funnel("registration")
        assert funnel["registered"] == 2 and funnel["step"] == 32  # 16 questions, each once
    finally:
        await services.close()


async def test_the_same_update_in_both_processes_at_once_counts_once(database_url: str) -> None:
    services = build_services(database_url, today=lambda: TODAY)
    try:
        async with processes(database_url, 2) as (first, second):
            worker = Worker("5101")
            for how, what in REGISTRATION[:5]:  # at the CNIC question
                await worker.do(first, how, what)
            request = worker.request("say", "42101-4817263-5")
            answers = await asyncio.gather(first.send(**request), second.send(**request))
            assert sorted(len(a) > 0 for a in answers) == [False, True]  # one did it
            state = await _state(services, "5101")
            assert state["step"] == "mobile"
            assert state["answers"]["registration"]["cnic"] == "4210148172635"
            funnel = await services.repository.funnel("registration")
            assert funnel["step"] == 4  # consent, name, CNIC, then mobile: reached once each
    finally:
        await services.close()


async def test_a_double_tapped_submit_in_both_processes_makes_one_lead(
    database_url: str,
) -> None:
    services = build_services(database_url, today=lambda: TODAY)
    try:
        async with processes(database_url, 2) as (first, second):
            worker = Worker("5201")
            for n, (how, what) in enumerate(REGISTRATION):
                await worker.do(first if n % 2 else second, how, what)
            submit = worker.data(SUBMIT)
            tap1, tap2 = worker.request("tap", SUBMIT), worker.request("tap", SUBMIT)
            assert tap1["press"] == tap2["press"] == submit
            answers = await asyncio.gather(
                first.send(**tap1), second.send(**tap2), first.send(**tap2), second.send(**tap1)
            )
            saved = [a for a in answers if any("SSW-" in r["text"] for r in a)]
            assert len(saved) == 1, answers
        leads = await services.repository.leads()
        assert len(leads) == 1
        funnel = await services.repository.funnel("registration")
        assert funnel["registered"] == 1
    finally:
        await services.close()
