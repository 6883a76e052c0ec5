"""Registration load benchmark: ssw-bot against a bare echo bot, over the fake Bot API.

What it measures
    The load generator and the fake Telegram Bot API (``tests/fake_bot_api.py``) run in this
    process; the bot under test runs in a separate process (``python -m bot run`` on a fresh
    SQLite file, or on a fresh PostgreSQL database with ``--database postgresql``; or the
    baseline ``bench/echo_bot.py``), long polling the fake over 127.0.0.1. Every simulated user
    (distinct ids, language "en") walks the whole registration as 22 actions (texts, and button
    taps sent as raw callback data): /start, pick English, Register, consent, name, CNIC, mobile,
    date of birth, gender, province, district, education, experience, sectors (toggle, Done),
    Japanese level, Japanese tests (toggle, Done), skills test, passport, earlier stay, Submit.
    The echo bot gets the very same actions.

    Reply latency = time from pushing an update into the fake to the FIRST new record (sent or
    edited message) in that user's chat, timestamped inside the fake when it handles the bot's
    call (a hook on the chat's pulse: no polling). Records are matched to actions in order: an
    action's answer starts after the previous action's answer. The number of records that make
    one answer (our bot: 1 to 3, e.g. "buttons removed" + next question; echo: 1) is learned in
    the warm-up and printed. "bot p50/p99" is the same, measured from the moment getUpdates
    handed the update to the bot: the bot's own reply latency, without the wait for its next
    long poll (which a webhook does not have); the latency goals are judged on it.

Shapes, each for every ``--delays`` value (seconds the fake adds to every Bot API call before
handling it; 0.15 is roughly the round trip from Pakistan to Telegram's Bot API) and each bot:

    open    updates arrive at a fixed total rate (``--rate``) round-robin over ``--users``
            users for ``--open-seconds``; arrivals never wait for replies (200 users at 50/s:
            each user acts every 4 s, so by default each does the first 5 actions; a user who
            finishes the 22 actions starts again as a new user). While the bot keeps up, each
            answer is complete long before the user's next turn; if it falls behind, matching
            replies to actions is approximate (the first record after the previous answer).
    closed  ``--users`` users at once, each doing one full registration and sending its next
            action as soon as the previous one was answered: saturation throughput. "Answered"
            means the whole answer (all its records) by default, so that a tap goes to the
            question it answers, as a person's would; ``--eager`` sends the next action on the
            FIRST reply instead, so one user's updates overlap (taps then attach to older
            messages, and "first reply" may be the rest of the previous answer).

Each run starts a fresh bot process (and database) and warms it up with one full
registration by a separate user, which also checks that the registration really completes
(our bot: the last replies contain "reference number"; echo: the last echo is "r:ok") without
refusals; the script stops with the transcript and the bot's log if not. Peak memory is the
bot process's VmHWM from /proc/<pid>/status at the end of the run. Every wait has a timeout.

Run (from the repository root; about 8 minutes with the defaults)::

    .venv/bin/python bench/registration_load.py [--users 200] [--rate 50] [--open-seconds 20]
        [--delays 0,0.15] [--database sqlite|postgresql] [--shapes open,closed] [--eager]

Goals checked at the end: open loop at 50/s, p99 < 100 ms without delay and < 300 ms with a
150 ms delay; closed loop, our throughput >= 0.6 x the echo bot's at each delay. Exit status:
0 all goals met, 1 some missed, 2 the benchmark itself failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import os
import platform
import secrets
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import telegram  # noqa: E402
from aiohttp import web  # noqa: E402

from tests.fake_bot_api import TOKEN, FakeBotApi, FakeUser, _Pulse  # noqa: E402

BotKind = Literal["ours", "echo"]
Shape = Literal["open", "closed"]

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
FIRST_USER_ID = 100_000
WARMUP_USER_ID = 99_999
STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
BAD_REPLY_MARKERS = (
    "⚠️",  # a refused answer
    "Sorry, something went wrong",  # the service failed (rolled back)
    "That button belongs to an earlier question",  # a tap arrived out of step
)
GOAL_OPEN_P99_MS = {0.0: 100.0, 0.15: 300.0}
GOAL_CLOSED_RATIO = 0.6
SHAPES: tuple[Shape, ...] = ("open", "closed")
BOTS: tuple[BotKind, ...] = ("ours", "echo")


# -- the script every user follows ------------------------------------------------------------


@dataclass(frozen=True)
class UserAction:
    tap: bool  # True: callback data of a button; False: a typed text
    value: str


def _text(value: str) -> UserAction:
    return UserAction(False, value)


def _tap(data: str) -> UserAction:
    return UserAction(True, data)


def _letters(index: int, width: int = 4) -> str:
    """A letters-only, unique suffix for a fake name: 0 → "Aaaa", 1 → "Aaab", ..."""
    out = []
    for _ in range(width):
        index, digit = divmod(index, 26)
        out.append(chr(ord("a") + digit))
    return "".join(reversed(out)).capitalize()


def registration_actions(index: int) -> list[UserAction]:
    """One full registration (22 actions); callback data as in bot/engine/engine.py."""
    cnic = f"{9_000_000_000_000 + index * 10 + 1:013d}"  # unique, 13 digits, ends in 1
    return [
        _text("/start"),
        _tap("l:en"),
        _tap("m:register"),
        _tap("a:consent:yes"),
        _text(f"Bench User {_letters(index)}"),
        _text(f"{cnic[:5]}-{cnic[5:12]}-{cnic[12]}"),
        _text(f"0300{index % 10_000_000:07d}"),
        _text("15/03/1998"),
        _tap("a:gender:male"),
        _tap("a:province:punjab"),
        _text("Lahore"),
        _tap("a:education:matric"),
        _text("3"),
        _tap("t:sectors:construction"),
        _tap("d:sectors"),
        _tap("a:japanese_level:none"),
        _tap("t:jp_tests:none"),
        _tap("d:jp_tests"),
        _tap("a:skills_test:no"),
        _tap("a:passport:yes"),
        _tap("a:japan_history:never"),
        _tap("r:ok"),
    ]


ACTIONS_PER_USER = len(registration_actions(0))


# -- the fake Bot API, instrumented ---------------------------------------------------------------


class CountingFakeBotApi(FakeBotApi):
    """The fake, counting the calls it answered with an error, by method."""

    def __init__(self, delay: float) -> None:
        super().__init__(delay=delay)
        self.errors: Counter[str] = Counter()

    async def _handle(self, request: web.Request) -> web.Response:
        response = await super()._handle(request)
        if response.status != 200:
            self.errors[request.match_info.get("method", "?")] += 1
        return response

    def has_polled(self) -> bool:
        return any(name == "getUpdates" for name, _ in self.calls)


class Meter:
    """Latencies and counts of one measured phase."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.bot_latencies: list[float] = []  # from getUpdates handing the update to the bot
        self.pushed = 0
        self.timeouts = 0
        self.first_push: float | None = None
        self.last_push = 0.0
        self.last_answer = 0.0
        self.outstanding = 0
        self._drained = asyncio.Event()
        self._drained.set()

    def sent(self, at: float) -> None:
        if self.first_push is None:
            self.first_push = at
        self.last_push = at
        self.pushed += 1
        self.outstanding += 1
        self._drained.clear()

    def answered(self, latency: float, at: float, bot_latency: float | None = None) -> None:
        self.latencies.append(latency)
        if bot_latency is not None:
            self.bot_latencies.append(bot_latency)
        self.last_answer = at
        self._settle(1)

    def timed_out(self, answered: bool) -> None:
        """An action without (complete) answer; ``answered``: it had its first reply."""
        self.timeouts += 1
        if not answered:
            self._settle(1)

    def _settle(self, count: int) -> None:
        self.outstanding -= count
        if self.outstanding <= 0:
            self._drained.set()

    async def drained(self, timeout: float) -> bool:  # noqa: ASYNC109
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._drained.wait()
        return self.outstanding == 0


@dataclass
class _Pending:
    sent: float
    cursor: int  # number of records in the chat when the update was pushed
    expect: int  # records that make the whole answer (1: the first reply is enough)
    future: asyncio.Future[None] | None
    first: float | None = None  # when the first reply arrived
    update_id: int | None = None  # of the pushed update, to know when the bot received it


def is_bad(text: str) -> bool:
    return any(marker in text for marker in BAD_REPLY_MARKERS)


class _ProbePulse(_Pulse):
    """The chat's pulse, which the fake fires on every new record: timestamp it first."""

    def __init__(self, probe: Probe) -> None:
        super().__init__()
        self._probe = probe

    def fire(self) -> None:
        self._probe.on_record(time.perf_counter())
        super().fire()


class Probe:
    """One simulated user: pushes its actions and matches replies to them as they arrive.

    An action is answered by records in the chat from ``max(cursor, floor)`` on, where cursor
    is the number of records when it was pushed and floor the record after the end of the
    previous action's answer; its latency is the time of the first of them. ``expect``
    records complete the answer (then the next action's answer starts).
    """

    def __init__(self, user: FakeUser, actions: Sequence[UserAction], meter: Meter) -> None:
        self.user = user
        self.actions = actions
        self.next = 0
        self.meter = meter
        self.bad_seen = False
        self._records = user._chat.records
        self._pending: deque[_Pending] = deque()
        self._floor = 0
        user._chat.pulse = _ProbePulse(self)

    @property
    def done(self) -> bool:
        return self.next >= len(self.actions)

    @property
    def records(self) -> int:
        return len(self._records)

    async def push_next(self, expect: int = 1, wait: bool = False) -> asyncio.Future[None] | None:
        """Push the next action; with ``wait`` returns a future resolved when ``expect``
        records answered it (or a refusal / failure arrived)."""
        action = self.actions[self.next]
        self.next += 1
        future = asyncio.get_running_loop().create_future() if wait else None
        pending = _Pending(time.perf_counter(), len(self._records), expect, future)
        self._pending.append(pending)
        self.meter.sent(pending.sent)
        if not action.tap:
            await self.user.send(action.value)
        elif self.user.last is None:  # nothing to attach the tap to yet (bot far behind)
            await self.user.tap_data(action.value, message_id=10**9)
        else:
            await self.user.tap_data(action.value)
        pending.update_id = self.user.api._next_update_id - 1  # the update just pushed
        return future

    def on_record(self, now: float) -> None:
        index = len(self._records) - 1
        bad = is_bad(self._records[-1].text)
        self.bad_seen |= bad
        if not self._pending:
            return
        pending = self._pending[0]
        begin = max(pending.cursor, self._floor)
        if begin > index:
            return
        if pending.first is None:
            pending.first = now
            delivered = self.user.api.delivered_at.get(pending.update_id or -1)
            self.meter.answered(
                now - pending.sent, now, None if delivered is None else now - delivered
            )
        if index + 1 >= begin + pending.expect or bad:
            self._pending.popleft()
            self._floor = index + 1
            if pending.future is not None and not pending.future.done():
                pending.future.set_result(None)

    def abandon(self) -> None:
        """Count what is still unanswered (or not completely) as timed out; stop waiting."""
        for pending in self._pending:
            self.meter.timed_out(answered=pending.first is not None)
            if pending.future is not None:
                pending.future.cancel()
        self._pending.clear()

    def texts(self) -> list[str]:
        return [record.plain_text or record.text for record in self._records]


# -- the bot under test, in its own process -------------------------------------------------------


class BotProcess:
    """``python -m bot run`` or ``bench/echo_bot.py`` against the fake, in a child process."""

    def __init__(
        self, kind: BotKind, api: CountingFakeBotApi, log_path: Path, database_url: str
    ) -> None:
        self.kind = kind
        self.api = api
        self.log_path = log_path
        self.database_url = database_url
        self.process: asyncio.subprocess.Process | None = None

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        env.update(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=self.api.base_url,
            TELEGRAM_API_FILE_URL=self.api.base_file_url,
            DATABASE_URL=self.database_url,
            NO_PROXY="127.0.0.1,localhost",
            PYTHONUNBUFFERED="1",
        )
        return env

    async def start(self) -> None:
        if self.kind == "ours":
            command = [sys.executable, "-m", "bot", "run"]
        else:
            command = [sys.executable, str(ROOT / "bench" / "echo_bot.py")]
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *command,
                cwd=ROOT,
                env=self._env(),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self.api.has_polled():
            if self.process.returncode is not None:
                raise BenchError(f"{self.kind} bot exited with {self.process.returncode}", self)
            if time.monotonic() > deadline:
                raise BenchError(f"{self.kind} bot not polling after {STARTUP_TIMEOUT}s", self)
            await asyncio.sleep(0.05)

    def peak_rss_mb(self) -> float:
        """VmHWM (peak resident set size) of the bot process, in MB."""
        if self.process is None:
            return float("nan")
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return float("nan")
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    async def stop(self) -> None:
        process = self.process
        if process is None or process.returncode is not None:
            return
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
        except TimeoutError:
            process.kill()
            await asyncio.wait_for(process.wait(), STOP_TIMEOUT)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


class BenchError(Exception):
    def __init__(self, message: str, bot: BotProcess | None = None) -> None:
        if bot is not None:
            message += f"\n--- {bot.kind} bot log ({bot.log_path}), last lines ---\n"
            message += bot.log_tail()
        super().__init__(message)


@contextlib.asynccontextmanager
async def fresh_database(kind: str, workdir: Path, run: int) -> AsyncIterator[str]:
    """A new, empty database for one run (the bot migrates it at start); dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / f'run{run}.db'}"
        return
    import asyncpg  # only needed for --database postgresql

    name = f"ssw_bench_{secrets.token_hex(6)}"

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(PG_ADMIN_URL, timeout=10)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    try:
        await admin(f'CREATE DATABASE "{name}"')
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        raise BenchError(f"cannot create a database on {PG_ADMIN_URL}: {exc}") from exc
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- the shapes ---------------------------------------------------------------------------------


@dataclass
class Settings:
    users: int
    rate: float
    open_seconds: float
    delays: list[float]
    database: str
    timeout: float  # per reply
    eager: bool  # closed loop: next action on the first reply, not on the whole answer
    shapes: list[Shape]
    closed_cap: float  # whole closed-loop phase


@dataclass
class RunResult:
    shape: Shape
    delay: float
    bot: BotKind
    users: int
    pushed: int
    answered: int
    input_rate: float | None
    answered_rate: float
    wall: float
    latencies: list[float]
    bot_latencies: list[float]
    timeouts: int
    bad_replies: int
    api_errors: Counter[str] = field(default_factory=Counter)
    completed: int | None = None
    peak_rss_mb: float = float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def count_bad(probes: Sequence[Probe]) -> int:
    return sum(is_bad(text) for probe in probes for text in probe.texts())


def _completed(kind: BotKind, texts: Sequence[str]) -> bool:
    if kind == "ours":
        return any("reference number" in text for text in texts[-3:])
    return bool(texts) and texts[-1] == "r:ok"


def _grew(probe: Probe, seen: int) -> bool:
    return probe.records > seen


async def wait_quiet(probe: Probe, quiet: float) -> None:
    """Wait until no new record arrives in the probe's chat for ``quiet`` seconds."""
    pulse = probe.user._chat.pulse
    while await pulse.wait_for(functools.partial(_grew, probe, probe.records), quiet):
        pass


async def warm_up(
    api: FakeBotApi, bot: BotProcess, turns: list[int] | None, reply_timeout: float
) -> list[int]:
    """One full registration by a separate user, before measuring; fails loudly unless it
    completes (our bot: "reference number"; echo: the last echo is "r:ok") without refusals.

    Without ``turns`` it learns how many records answer each action: after the first reply it
    waits until the chat is quiet for ``0.3 s + 2 x delay``. Returns the records per action.
    """
    probe = Probe(
        api.user(WARMUP_USER_ID, "Warmup", language_code="en"), registration_actions(10**6), Meter()
    )
    quiet = 0.3 + 2 * api.delay
    learned: list[int] = []
    while not probe.done:
        before = probe.records
        future = await probe.push_next(expect=turns[probe.next] if turns else 1, wait=True)
        assert future is not None
        try:
            await asyncio.wait_for(future, reply_timeout)
        except TimeoutError:
            raise BenchError(
                f"warm-up: no (complete) answer to action {probe.next} within {reply_timeout}s;"
                f" transcript: {probe.texts()}",
                bot,
            ) from None
        if turns is None:
            await wait_quiet(probe, quiet)
            learned.append(probe.records - before)
    await probe.user._chat.pulse.wait_for(
        lambda: _completed(bot.kind, probe.texts()), reply_timeout
    )
    if not _completed(bot.kind, probe.texts()) or probe.bad_seen:
        transcript = "\n".join(f"  {i:3}: {text[:100]!r}" for i, text in enumerate(probe.texts()))
        raise BenchError(
            f"warm-up: the {bot.kind} bot did not complete the registration cleanly "
            f"(action by action, each after the previous answer); transcript:\n{transcript}",
            bot,
        )
    return learned or list(turns or [])


async def open_loop(api: FakeBotApi, settings: Settings) -> tuple[Meter, list[Probe]]:
    meter = Meter()
    next_user = 0

    def new_probe() -> Probe:
        nonlocal next_user
        index = next_user
        next_user += 1
        user = api.user(FIRST_USER_ID + index, f"Bench{index}", language_code="en")
        return Probe(user, registration_actions(index), meter)

    slots = [new_probe() for _ in range(settings.users)]
    every = list(slots)
    total = round(settings.rate * settings.open_seconds)
    start = time.perf_counter()
    for n in range(total):
        wait = start + n / settings.rate - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        slot = n % settings.users
        if slots[slot].done:  # finished a registration: a new user takes the slot
            slots[slot] = new_probe()
            every.append(slots[slot])
        await slots[slot].push_next()
    if not await meter.drained(settings.timeout):
        for probe in every:
            probe.abandon()
    return meter, every


async def closed_loop(
    api: FakeBotApi, settings: Settings, turns: Sequence[int]
) -> tuple[Meter, list[Probe], float]:
    meter = Meter()
    probes = [
        Probe(
            api.user(FIRST_USER_ID + i, f"Bench{i}", language_code="en"),
            registration_actions(i),
            meter,
        )
        for i in range(settings.users)
    ]

    async def user_loop(probe: Probe) -> None:
        while not probe.done:
            expect = 1 if settings.eager else turns[probe.next]
            future = await probe.push_next(expect=expect, wait=True)
            assert future is not None
            try:
                await asyncio.wait_for(future, settings.timeout)
            except TimeoutError:
                probe.abandon()
                return  # the conversation is out of step: this user gives up
            if probe.bad_seen and not settings.eager:
                return  # refused or failed: the script no longer fits, this user gives up

    start = time.perf_counter()
    tasks = [asyncio.create_task(user_loop(probe)) for probe in probes]
    try:
        async with asyncio.timeout(settings.closed_cap):
            await asyncio.gather(*tasks)
    except TimeoutError:
        for probe in probes:
            probe.abandon()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    wall = time.perf_counter() - start
    if settings.eager:  # let the last answers arrive before the transcripts are judged
        await asyncio.sleep(1 + 4 * api.delay)
    return meter, probes, wall


async def run_case(
    shape: Shape,
    delay: float,
    kind: BotKind,
    settings: Settings,
    workdir: Path,
    run: int,
    turns: dict[BotKind, list[int]],
) -> RunResult:
    api = CountingFakeBotApi(delay=delay)
    async with api, fresh_database(settings.database, workdir, run) as database_url:
        bot = BotProcess(kind, api, workdir / f"run{run}-{kind}.log", database_url)
        try:
            await bot.start()
            turns[kind] = await warm_up(api, bot, turns.get(kind), settings.timeout)
            api.errors.clear()
            if shape == "open":
                meter, probes = await open_loop(api, settings)
                elapsed = meter.last_push - (meter.first_push or 0.0) + 1 / settings.rate
                input_rate: float | None = meter.pushed / elapsed
                wall = max(meter.last_answer, meter.last_push) - (meter.first_push or 0.0)
            else:
                meter, probes, wall = await closed_loop(api, settings, turns[kind])
                input_rate = None
            peak = bot.peak_rss_mb()
            if bot.process is not None and bot.process.returncode is not None:
                raise BenchError(f"{kind} bot died during the run", bot)
        finally:
            await bot.stop()
    # answered/s: open loop, from the first push to the last first reply; closed: wall time
    span = meter.last_answer - (meter.first_push or 0.0) if shape == "open" else wall
    return RunResult(
        shape=shape,
        delay=delay,
        bot=kind,
        users=settings.users,
        pushed=meter.pushed,
        answered=len(meter.latencies),
        input_rate=input_rate,
        answered_rate=len(meter.latencies) / span if span > 0 else float("nan"),
        wall=wall,
        latencies=meter.latencies,
        bot_latencies=meter.bot_latencies,
        timeouts=meter.timeouts,
        bad_replies=count_bad(probes),
        api_errors=Counter(api.errors),
        completed=(sum(_completed(kind, p.texts()) for p in probes) if shape == "closed" else None),
        peak_rss_mb=peak,
    )


# -- output -------------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return "-" if seconds != seconds else f"{seconds * 1000:.0f}"


def print_table(results: Sequence[RunResult]) -> None:
    header = (
        "shape",
        "delay ms",
        "bot",
        "users",
        "actions",
        "input/s",
        "answered/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "bot p50/p99 ms",
        "wall s",
        "peak RSS MB",
        "done",
        "errors to/bad/api",
    )
    rows = [header]
    for r in results:
        rows.append(
            (
                r.shape,
                f"{r.delay * 1000:.0f}",
                r.bot,
                str(r.users),
                f"{r.answered}/{r.pushed}",
                "-" if r.input_rate is None else f"{r.input_rate:.1f}",
                f"{r.answered_rate:.1f}",
                _ms(percentile(r.latencies, 50)),
                _ms(percentile(r.latencies, 90)),
                _ms(percentile(r.latencies, 99)),
                _ms(max(r.latencies, default=float("nan"))),
                f"{_ms(percentile(r.bot_latencies, 50))}/{_ms(percentile(r.bot_latencies, 99))}",
                f"{r.wall:.1f}",
                f"{r.peak_rss_mb:.0f}",
                "-" if r.completed is None else f"{r.completed}/{r.users}",
                f"{r.timeouts}/{r.bad_replies}/{sum(r.api_errors.values())}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for n, row in enumerate(rows):
        print(" | ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
        if n == 0:
            print("-+-".join("-" * width for width in widths))
    api_errors = [
        f"{r.shape}/{r.delay * 1000:.0f}ms/{r.bot}: {dict(r.api_errors)}"
        for r in results
        if r.api_errors
    ]
    if api_errors:
        print("API calls answered with an error, by method:")
        for line in api_errors:
            print("  " + line)


def print_goals(results: Sequence[RunResult], settings: Settings) -> bool:
    def find(shape: Shape, delay: float, bot: BotKind) -> RunResult | None:
        return next((r for r in results if (r.shape, r.delay, r.bot) == (shape, delay, bot)), None)

    ok = True
    print()
    print("Closed-loop throughput, ours / echo:")
    for delay in settings.delays:
        ours, echo = find("closed", delay, "ours"), find("closed", delay, "echo")
        if ours is None or echo is None:
            continue
        ratio = ours.answered_rate / echo.answered_rate
        met = ratio >= GOAL_CLOSED_RATIO and ours.timeouts == 0
        ok &= met
        print(
            f"  delay {delay * 1000:.0f} ms: {ours.answered_rate:.1f} / {echo.answered_rate:.1f}"
            f" = {ratio:.2f}  (goal >= {GOAL_CLOSED_RATIO}): {'MET' if met else 'NOT MET'}"
        )
    print(f"Open loop at {settings.rate:g}/s, p99 of our bot (echo for reference):")
    for delay in settings.delays:
        goal = GOAL_OPEN_P99_MS.get(delay)
        ours, echo = find("open", delay, "ours"), find("open", delay, "echo")
        if ours is None:
            continue
        p99 = percentile(ours.bot_latencies, 99) * 1000
        end_to_end = percentile(ours.latencies, 99) * 1000
        echo_p99 = percentile(echo.bot_latencies, 99) * 1000 if echo else float("nan")
        if goal is None:
            print(f"  delay {delay * 1000:.0f} ms: p99 {p99:.0f} ms (no goal for this delay)")
            continue
        met = p99 < goal and ours.timeouts == 0 and settings.rate == 50
        ok &= met
        print(
            f"  delay {delay * 1000:.0f} ms: p99 {p99:.0f} ms from receiving the update "
            f"(echo {echo_p99:.0f} ms; {end_to_end:.0f} ms from the user's push), "
            f"goal < {goal:.0f} ms: {'MET' if met else 'NOT MET'}"
            + ("" if settings.rate == 50 else " (goal is defined at 50/s)")
        )
    print(
        "  (Reply latency is measured from the moment getUpdates hands the update to the bot.\n"
        "   From the user's push it also includes waiting for the next long poll, up to one\n"
        "   round trip: a floor of about twice the delay for any polling bot; a webhook\n"
        "   has no such wait.)"
    )
    return ok


def parse_args(argv: Sequence[str] | None) -> Settings:
    parser = argparse.ArgumentParser(
        description="Registration load benchmark: ssw-bot vs a bare echo bot, fake Bot API."
    )
    parser.add_argument("--users", type=int, default=200, help="simulated users (default 200)")
    parser.add_argument("--rate", type=float, default=50.0, help="open-loop updates/s (50)")
    parser.add_argument("--open-seconds", type=float, default=20.0, help="open-loop length (20)")
    parser.add_argument(
        "--delays", default="0,0.15", help="Bot API delays in seconds, comma-separated (0,0.15)"
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--timeout", type=float, default=30.0, help="max wait per reply (30 s)")
    parser.add_argument(
        "--closed-cap", type=float, default=300.0, help="max length of a closed loop (300 s)"
    )
    parser.add_argument(
        "--eager",
        action="store_true",
        help="closed loop: send the next action as soon as the FIRST reply to the previous one "
        "arrived, not after the whole answer (a user's updates then overlap)",
    )
    parser.add_argument(
        "--shapes", default="open,closed", help="which shapes to run (default open,closed)"
    )
    args = parser.parse_args(argv)
    if args.users < 1 or args.rate <= 0 or args.open_seconds <= 0:
        parser.error("--users, --rate and --open-seconds must be positive")
    shapes = [shape for shape in SHAPES if shape in args.shapes.split(",")]
    if not shapes:
        parser.error("--shapes: open, closed or open,closed")
    return Settings(
        users=args.users,
        rate=args.rate,
        open_seconds=args.open_seconds,
        delays=[float(d) for d in args.delays.split(",") if d.strip()],
        database=args.database,
        timeout=args.timeout,
        closed_cap=args.closed_cap,
        eager=args.eager,
        shapes=shapes,
    )


async def main_async(settings: Settings) -> int:
    print(
        f"Python {platform.python_version()}, python-telegram-bot {telegram.__version__}, "
        f"aiohttp {aiohttp.__version__}, CPUs {os.cpu_count()}, {platform.platform()}"
    )
    print(
        f"users {settings.users}, open loop {settings.rate:g}/s for {settings.open_seconds:g}s, "
        f"delays {settings.delays} s, database {settings.database}, "
        f"{ACTIONS_PER_USER} actions per registration"
    )
    results: list[RunResult] = []
    turns: dict[BotKind, list[int]] = {}
    with tempfile.TemporaryDirectory(prefix="ssw-bench-") as tmp:
        workdir = Path(tmp)
        run = 0
        for shape in settings.shapes:
            for delay in settings.delays:
                for kind in BOTS:
                    run += 1
                    print(
                        f"  running {shape} loop, delay {delay * 1000:.0f} ms, {kind} bot...",
                        flush=True,
                    )
                    learned = kind in turns
                    result = await run_case(shape, delay, kind, settings, workdir, run, turns)
                    results.append(result)
                    if not learned:
                        print(f"    {kind}: records answering each action: {turns[kind]}")
    print()
    print_table(results)
    met = print_goals(results, settings)
    print()
    print("All goals met." if met else "Some goals are NOT met.")
    return 0 if met else 1


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_args(argv)
    try:
        return asyncio.run(main_async(settings))
    except BenchError as exc:
        print(f"registration_load: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
