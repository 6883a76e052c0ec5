"""Webhook load benchmark: ssw-bot (one and two instances) against a bare echo bot.

What it measures
    The fake Telegram Bot API (``tests/fake_bot_api.py``) and the simulated users run in this
    process; each bot under test runs in processes of its own: ``python -m bot run --webhook``
    (one, or two sharing the database: the fake round-robins deliveries over them, as a load
    balancer would) on a fresh PostgreSQL database (``--database sqlite``: a fresh SQLite file,
    one instance), or the baseline ``bench/echo_bot.py`` (a bare PTB echo bot in webhook mode,
    answering in the webhook response). The fake delivers updates by webhook (up to 100 in
    flight) and adds ``--delay`` (150 ms) to every Bot API call.

    Open loop: actions arrive at a fixed rate (``--rates``, actions per second) for
    ``--window`` seconds and never wait for replies. Each action is taken by a user who is
    ready, that is who has seen the message that carries their next question (the one with the
    button they will tap, or for a typed answer the next question sent); when no user is ready
    a new one arrives. Every user goes through the whole registration: 22 actions from /start
    to Submit (texts, and taps of the buttons' callback data). The echo bot gets the same
    actions; its echo is the "next question".

    Latency = from the user's push into the fake to the record (sent or edited message) that
    carries the next question, timestamped inside the fake as the bot's call is handled.
    Achieved = next questions delivered within the fixed window, divided by the window. After
    the window, up to ``--grace`` seconds for the last answers; what is still unanswered then
    is "missing". Bad = refusals, "something went wrong" or "belongs to an earlier question"
    replies seen (a reply out of step). "Sustained" = the highest offered rate with p99 < 300 ms
    and nothing missing or bad.

    Memory: VmHWM (peak resident set) of each bot process after each rate; and one instance on
    a database seeded with ``--unfinished`` (100,000) unfinished conversations, run through the
    first rates, against the same without them.

Run (from the repository root; about 8 minutes with the defaults)::

    .venv/bin/python bench/webhook_load.py [--rates 25,50,75,100,150] [--window 15]
        [--delay 0.15] [--database postgresql|sqlite] [--unfinished 100000]
        [--configs echo,ours,ours2,memory] [--logs DIR] [--explain]
        [--cpu-limit CORES]

Exit status: 0 when the harness worked (whatever the figures), 2 when it failed (a bot did
not start, the warm-up registration did not complete, a process died).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import platform
import secrets
import shutil
import socket
import sys
import tempfile
import time
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import telegram  # noqa: E402

from bench.registration_actions import UserAction, registration_actions  # noqa: E402
from tests.fake_bot_api import TOKEN, BotMessage, FakeBotApi, FakeUser, _Pulse  # noqa: E402

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PUBLIC_URL = "https://bot.example.org/telegram/webhook"
SECRET = "bench-secret-" + secrets.token_hex(8)
STARTUP_TIMEOUT = 90.0
GOAL_P99 = 0.300
BAD_MARKERS = ("⚠️", "Sorry, something went wrong", "That button belongs to an earlier question")


class BenchError(Exception):
    pass


# -- users ------------------------------------------------------------------------------------


def carries_next(kind: str, record: BotMessage, action: UserAction | None) -> bool:
    """Is ``record`` the message that carries the question ``action`` answers (None: the end)?"""
    if kind == "echo":
        return True
    if action is None:
        return "reference number" in record.text
    if action.tap:
        return any(b.callback_data == action.value for row in record.buttons for b in row)
    if action.prompt:  # answered before its last part arrived, it would overtake the last
        return action.prompt in record.text
    asks = bool(record.buttons or record.reply_keyboard)
    return asks and not record.edited and not record.text.startswith("⚠️")


class _Hook(_Pulse):
    """The chat's pulse (fired by the fake on every new record): tell the walker first."""

    def __init__(self, walker: Walker) -> None:
        super().__init__()
        self._walker = walker

    def fire(self) -> None:
        self._walker.on_record(time.perf_counter())
        super().fire()


class Walker:
    """One user going through the registration, one action after each next question."""

    def __init__(self, user: FakeUser, actions: list[UserAction], load: Load) -> None:
        self.user, self.actions, self.load = user, actions, load
        self.next = 0
        self.pushed_at = 0.0
        self.waiting = False
        self._seen = 0
        self._records = user._chat.records
        self.history: list[str] = []  # what this user did and saw (--explain)
        user._chat.pulse = _Hook(self)

    @property
    def done(self) -> bool:
        return self.next >= len(self.actions) and not self.waiting

    async def push(self) -> None:
        action = self.actions[self.next]
        self.next += 1
        self.waiting = True
        self._seen = len(self._records)
        self.pushed_at = time.perf_counter()
        self.history.append(f"{self.pushed_at:.3f} push #{self.next - 1} {action.value!r}")
        if not action.tap:
            await self.user.send(action.value)
        elif self.user.last is None:
            await self.user.tap_data(action.value, message_id=10**9)
        else:
            await self.user.tap_data(action.value)

    def on_record(self, now: float) -> None:
        for record in self._records[self._seen :]:
            keyboard = "buttons" if record.buttons else "keyboard" if record.reply_keyboard else ""
            edited = "edit of " if record.edited else ""
            self.history.append(
                f"{now:.3f} got {edited}#{record.message_id} {record.text[:60]!r} {keyboard}"
            )
            if any(marker in record.text for marker in BAD_MARKERS):
                self.load.bad += 1
                self.load.out_of_step.append(self)
        new = self._records[self._seen :]
        self._seen = len(self._records)
        if not self.waiting:
            return
        following = self.actions[self.next] if self.next < len(self.actions) else None
        if any(carries_next(self.load.kind, record, following) for record in new):
            self.waiting = False
            self.load.answered(self, now)


@dataclass
class Step:
    """One offered rate's figures."""

    offered: float
    pushed: int = 0
    in_window: int = 0
    latencies: list[float] = field(default_factory=list)
    missing: int = 0  # no next question within the grace after the window
    lost: int = 0  # none even after the backlog drained
    bad: int = 0
    rss_mb: float = float("nan")
    harness_ms: float = float("nan")  # this process's (the fake's and users') CPU per action
    load: float = float("nan")  # the machine's load average at the end
    cpu_ms: float = float("nan")  # the bot processes' CPU time per action pushed
    drained_s: float = 0.0  # after the grace, until the backlog was gone
    window: float = 1.0
    explained: list[tuple[int, str, list[str]]] = field(default_factory=list)

    @property
    def achieved(self) -> float:
        return self.in_window / self.window

    def p(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]

    @property
    def sustained(self) -> bool:
        return self.missing == self.lost == self.bad == 0 and self.p(99) < GOAL_P99


class Load:
    """The open loop: users, who is ready, and the figures of the current step."""

    def __init__(self, api: FakeBotApi, kind: str, first_user: int) -> None:
        self.api, self.kind = api, kind
        self.ready: deque[Walker] = deque()
        self.waiting: set[Walker] = set()
        self.users = 0
        self.first_user = first_user
        self.completed = 0
        self.bad = 0
        self.out_of_step: list[Walker] = []  # users who got a bad reply (--explain)
        self.step: Step | None = None
        self.window_end = 0.0
        self.drained = asyncio.Event()

    def new_walker(self) -> Walker:
        index = self.first_user + self.users
        self.users += 1
        user = self.api.user(index, f"Bench{index}", language_code="en")
        return Walker(user, registration_actions(index), self)

    def answered(self, walker: Walker, now: float) -> None:
        self.waiting.discard(walker)
        step = self.step
        if step is not None:
            step.latencies.append(now - walker.pushed_at)
            if now <= self.window_end:
                step.in_window += 1
        if walker.done:
            self.completed += 1
        else:
            self.ready.append(walker)
        if not self.waiting:
            self.drained.set()

    async def run(self, rate: float, window: float, grace: float, drain: float) -> Step:
        """Offer ``rate`` for ``window`` s; count what is missing after ``grace`` s more, then
        wait (up to ``drain`` s) until the fake has nothing left to deliver and every answer
        came, so the next rate starts clean; what is still unanswered then is lost."""
        step = self.step = Step(offered=rate, window=window)
        bad_before = self.bad
        start = time.perf_counter()
        self.window_end = start + window
        for n in range(round(rate * window)):
            wait = start + n / rate - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            walker = self.ready.popleft() if self.ready else self.new_walker()
            self.waiting.add(walker)
            self.drained.clear()
            step.pushed += 1
            await walker.push()
        if self.waiting:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.0, self.window_end - time.perf_counter()) + grace):
                    await self.drained.wait()
        step.missing = len(self.waiting)
        began = time.perf_counter()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(drain):
                await self.drained.wait()
                while self.api.webhook.pending:  # noqa: ASYNC110 - the fake has no event for it
                    await asyncio.sleep(0.05)
        step.drained_s = time.perf_counter() - began
        step.lost = len(self.waiting)
        step.explained = [(w.user.user_id, "bad", w.history) for w in self.out_of_step]
        step.explained += [(w.user.user_id, "lost", w.history) for w in self.waiting]
        self.out_of_step.clear()
        for walker in self.waiting:  # out of step now: they leave
            walker.waiting = False
        self.waiting.clear()
        step.bad = self.bad - bad_before
        self.step = None
        return step


# -- the bots under test --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


CPU_CGROUPS = Path("/sys/fs/cgroup/cpu")  # cgroup v1's cpu controller (cgroup v2: below)
CGROUP_V2 = Path("/sys/fs/cgroup")
CPU_PERIOD_US = 20_000  # a short period: a throttled process waits at most this long


class CpuCap:
    """A cgroup holding processes to ``cores`` of CPU time (``--cpu-limit``): each bot
    instance as if on a machine of its own that size, so that what a second instance adds is
    measured on a machine with fewer cores than instances and harness need. Root only."""

    def __init__(self, name: str, cores: float) -> None:
        quota = max(1000, round(cores * CPU_PERIOD_US))
        if (CPU_CGROUPS / "cpu.cfs_quota_us").exists():
            self.path = CPU_CGROUPS / name
            self.path.mkdir(exist_ok=True)
            (self.path / "cpu.cfs_period_us").write_text(str(CPU_PERIOD_US))
            (self.path / "cpu.cfs_quota_us").write_text(str(quota))
        elif (CGROUP_V2 / "cgroup.controllers").exists():
            self.path = CGROUP_V2 / name
            self.path.mkdir(exist_ok=True)
            (self.path / "cpu.max").write_text(f"{quota} {CPU_PERIOD_US}")
        else:
            raise BenchError("--cpu-limit: no cgroup cpu controller is mounted")

    def add(self, pid: int) -> None:
        (self.path / "cgroup.procs").write_text(str(pid))

    def remove(self) -> None:
        with contextlib.suppress(OSError):
            self.path.rmdir()  # empty once its processes exited


class Bots:
    """``instances`` processes of one bot, all delivered to by the fake (round robin); each
    held to ``cpu_limit`` cores when given."""

    def __init__(
        self,
        kind: str,
        instances: int,
        api: FakeBotApi,
        database: str,
        logs: Path,
        cpu_limit: float = 0.0,
    ) -> None:
        self.kind, self.instances, self.api, self.database, self.logs = (
            kind,
            instances,
            api,
            database,
            logs,
        )
        self.cpu_limit = cpu_limit
        self.processes: list[asyncio.subprocess.Process] = []
        self.caps: list[CpuCap] = []

    async def start(self) -> None:
        ports = [_free_port() for _ in range(self.instances)]
        for n, port in enumerate(ports):
            env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
            env.update(
                TELEGRAM_BOT_TOKEN=TOKEN,
                TELEGRAM_API_BASE_URL=self.api.base_url,
                TELEGRAM_API_FILE_URL=self.api.base_file_url,
                TELEGRAM_WEBHOOK_SECRET=SECRET,
                TELEGRAM_WEBHOOK_PORT=str(port),
                TELEGRAM_WEBHOOK_MAX_CONNECTIONS="100",
                DATABASE_URL=self.database,
                LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
                FLOOD_MESSAGES="1000",  # simulated users act as soon as they can read
                # Telegram's send limits (bot.channels.limits) lifted, as the echo bot has
                # none: this measures the bot's own ceiling on the harness, not the pacing
                TELEGRAM_PER_SECOND="100000",
                TELEGRAM_CHAT_PER_SECOND="1000",
                TELEGRAM_CHAT_BURST="1000",
                PYTHONUNBUFFERED="1",
            )
            if self.kind == "echo":
                command = [sys.executable, str(ROOT / "bench" / "echo_bot.py"), PUBLIC_URL]
            else:
                command = [sys.executable, "-m", "bot", "run", "--webhook", PUBLIC_URL]
            with (self.logs / f"{self.kind}-{self.instances}-{n}.log").open("ab") as log:
                self.processes.append(
                    await asyncio.create_subprocess_exec(
                        *command,
                        cwd=ROOT,
                        env=env,
                        stdin=asyncio.subprocess.DEVNULL,
                        stdout=log,
                        stderr=log,
                    )
                )
            if self.cpu_limit:
                try:
                    cap = CpuCap(f"ssw-bench-{self.processes[-1].pid}", self.cpu_limit)
                    self.caps.append(cap)
                    cap.add(self.processes[-1].pid)
                except OSError as exc:
                    raise BenchError(f"--cpu-limit needs root and a cgroup: {exc}") from exc
        self.api.webhook.targets = [f"http://127.0.0.1:{port}/telegram/webhook" for port in ports]
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while self.api.webhook.sets < self.instances:
            self.check()
            if time.monotonic() > deadline:
                raise BenchError(
                    f"{self.kind}: no setWebhook after {STARTUP_TIMEOUT}s" + self.tail()
                )
            await asyncio.sleep(0.05)

    def check(self) -> None:
        for process in self.processes:
            if process.returncode is not None:
                raise BenchError(
                    f"{self.kind}: a process exited ({process.returncode})" + self.tail()
                )

    def cpu_seconds(self) -> float:
        """User and system CPU time of the processes so far (all instances together)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for process in self.processes:
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / ticks
        return total

    def rss_mb(self) -> float:
        """The largest VmHWM (peak resident set) of the processes, in MB."""
        peaks = []
        for process in self.processes:
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks.append(int(line.split()[1]) / 1024)
        return max(peaks, default=float("nan"))

    async def stop(self) -> None:
        for process in self.processes:
            if process.returncode is None:
                process.terminate()
        for process in self.processes:
            try:
                async with asyncio.timeout(15):
                    await process.wait()
            except TimeoutError:
                process.kill()
                await process.wait()
        for cap in self.caps:
            cap.remove()

    def tail(self) -> str:
        parts = []
        for log in sorted(self.logs.glob(f"{self.kind}-{self.instances}-*.log")):
            lines = log.read_text(errors="replace").splitlines()[-30:]
            parts.append(f"\n--- {log.name} ---\n" + "\n".join(lines))
        return "".join(parts)


@contextlib.asynccontextmanager
async def fresh_database(kind: str, workdir: Path, unfinished: int = 0) -> AsyncIterator[str]:
    """A new, migrated database (seeded with ``unfinished`` conversations), dropped after."""
    from bench.seed import seed
    from bot.storage.migrate import upgrade

    if kind == "sqlite":
        url = f"sqlite:///{workdir / f'bench-{secrets.token_hex(4)}.db'}"
    else:
        import asyncpg

        name = f"ssw_bench_{secrets.token_hex(6)}"
        connection = await asyncpg.connect(PG_ADMIN_URL, timeout=10)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        await asyncio.to_thread(upgrade, url)
        if unfinished:
            await seed(url, leads=0, unfinished=unfinished)
            if kind != "sqlite":  # the seed wrote the ids itself: move the sequence past them
                connection = await asyncpg.connect(url, timeout=10)
                try:
                    await connection.execute(
                        "SELECT setval(pg_get_serial_sequence('users', 'id'), "
                        "(SELECT max(id) FROM users))"
                    )
                finally:
                    await connection.close()
        yield url
    finally:
        if kind != "sqlite":
            connection = await asyncpg.connect(PG_ADMIN_URL, timeout=10)
            try:
                await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await connection.close()


@dataclass
class Run:
    name: str
    steps: list[Step]
    completed: int
    users: int

    @property
    def sustained(self) -> float:
        return max((s.offered for s in self.steps if s.sustained), default=0.0)


async def measure(
    name: str,
    kind: str,
    instances: int,
    rate: float,
    args: argparse.Namespace,
    workdir: Path,
    first_user: int,
    database: str,
) -> tuple[Step, int, int]:
    """Fresh bot processes on ``database``, a warm-up registration, then one rate; returns
    its figures, the registrations completed and the users who came."""
    api = FakeBotApi(delay=args.delay)
    api.webhook.retry_delay = 0.2
    api._next_update_id = first_user * 100  # Telegram's update ids never repeat for a bot
    async with api:
        bots = Bots(kind, instances, api, database, workdir, args.cpu_limit)
        try:
            await bots.start()
            await warm_up(api, kind, bots, first_user - 1)
            load = Load(api, kind, first_user)
            print(f"  {name}: {rate:g} actions/s offered...", flush=True)
            cpu, harness = bots.cpu_seconds(), time.process_time()
            step = await load.run(rate, args.window, args.grace, args.drain)
            bots.check()
            step.rss_mb = bots.rss_mb()
            step.cpu_ms = (bots.cpu_seconds() - cpu) * 1000 / max(1, step.pushed)
            step.harness_ms = (time.process_time() - harness) * 1000 / max(1, step.pushed)
            step.load = os.getloadavg()[0]
            print(
                f"    achieved {step.achieved:.1f}/s, p50 {_ms(step.p(50))} ms, "
                f"p99 {_ms(step.p(99))} ms, missing {step.missing}, lost {step.lost}, "
                f"bad {step.bad}, CPU {step.cpu_ms:.1f} ms/action (harness "
                f"{step.harness_ms:.1f}), VmHWM {step.rss_mb:.0f} MB, backlog drained in "
                f"{step.drained_s:.1f} s, load average {step.load:.1f}",
                flush=True,
            )
            if args.explain:
                for user_id, what, history in step.explained[:10]:
                    print(f"    {what}: user {user_id}", *history[-12:], sep="\n      ")
            return step, load.completed, load.users
        finally:
            await bots.stop()


async def warm_up(api: FakeBotApi, kind: str, bots: Bots, user: int) -> None:
    """One registration, each action after its next question: it must complete cleanly."""
    load = Load(api, kind, user)
    load.step = Step(offered=0)
    walker = load.new_walker()
    while not walker.done:
        load.waiting.add(walker)
        load.drained.clear()
        await walker.push()
        try:
            async with asyncio.timeout(30):
                await load.drained.wait()
        except TimeoutError:
            texts = [r.text[:80] for r in walker._records[-5:]]
            message = f"{kind}: warm-up stuck at action {walker.next}: {texts}"
            raise BenchError(message + bots.tail()) from None
        load.ready.clear()
    if load.bad:
        raise BenchError(f"{kind}: the warm-up registration got refusals" + bots.tail())


# -- output -------------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return "-" if seconds != seconds else f"{seconds * 1000:.0f}"


def print_table(runs: Sequence[Run]) -> None:
    header = (
        "bot",
        "offered/s",
        "achieved/s",
        "p50 ms",
        "p99 ms",
        "missing",
        "lost",
        "bad",
        "CPU ms/action",
        "harness ms/action",
        "VmHWM MB",
        "load avg",
    )
    rows = [header]
    for run in runs:
        for s in run.steps:
            rows.append(
                (
                    run.name,
                    f"{s.offered:g}",
                    f"{s.achieved:.1f}",
                    _ms(s.p(50)),
                    _ms(s.p(99)),
                    str(s.missing),
                    str(s.lost),
                    str(s.bad),
                    f"{s.cpu_ms:.1f}",
                    f"{s.harness_ms:.1f}",
                    f"{s.rss_mb:.0f}",
                    f"{s.load:.1f}",
                )
            )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for n, row in enumerate(rows):
        print(" | ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
        if n == 0:
            print("-+-".join("-" * width for width in widths))


def print_summary(runs: dict[str, Run], args: argparse.Namespace) -> None:
    print()
    for run in runs.values():
        print(
            f"{run.name}: sustained {run.sustained:g} actions/s (p99 < 300 ms, nothing missing);"
            f" {run.completed} registrations completed by {run.users} users"
        )
    echo, one, two = runs.get("echo"), runs.get("ours x1"), runs.get("ours x2")
    if echo and one and echo.sustained:
        print(f"ours x1 / echo, sustained: {one.sustained / echo.sustained:.2f} (aim >= 0.6)")
    if one and two and one.sustained:
        print(f"ours x2 / ours x1, sustained: {two.sustained / one.sustained:.2f} (aim >= 1.6)")
    if echo and one:
        peak = max((s.achieved for s in one.steps), default=0.0)
        echo_peak = max((s.achieved for s in echo.steps), default=0.0)
        if echo_peak:
            print(
                f"highest achieved, ours x1 / echo: {peak:.1f} / {echo_peak:.1f} = "
                f"{peak / echo_peak:.2f}"
            )
    seeded = runs.get(f"ours x1 +{args.unfinished // 1000}k")
    plain = runs.get("ours x1 (again)") or one
    if seeded and plain:
        pairs = zip(plain.steps, seeded.steps, strict=False)
        print(
            "memory, VmHWM after each rate without / with "
            f"{args.unfinished:,} unfinished conversations: "
            + ", ".join(f"{a.offered:g}/s {a.rss_mb:.0f}/{b.rss_mb:.0f} MB" for a, b in pairs)
        )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", default="25,50,75,100,150", help="offered actions/s")
    parser.add_argument("--window", type=float, default=15.0, help="seconds per rate (15)")
    parser.add_argument("--grace", type=float, default=5.0, help="for the last answers (5)")
    parser.add_argument(
        "--drain", type=float, default=60.0, help="then, at most, for the backlog (60)"
    )
    parser.add_argument("--delay", type=float, default=0.15, help="per Bot API call (0.15)")
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--unfinished", type=int, default=100_000, help="seeded (100000)")
    parser.add_argument(
        "--configs", default="echo,ours,ours2,memory", help="echo,ours,ours2,memory (all)"
    )
    parser.add_argument("--logs", default="", help="keep the bots' logs in this folder")
    parser.add_argument(
        "--cpu-limit",
        type=float,
        default=0.0,
        help="hold each bot process to this many cores (a cgroup; root), e.g. 0.3",
    )
    parser.add_argument(
        "--explain", action="store_true", help="print what each bad or lost user did and saw"
    )
    args = parser.parse_args(argv)
    args.rate_list = [float(r) for r in args.rates.split(",") if r.strip()]
    args.config_list = [c for c in args.configs.split(",") if c.strip()]
    if args.database == "sqlite" and "ours2" in args.config_list:
        args.config_list.remove("ours2")  # one SQLite file is one writer: one instance
    return args


def _keep_logs(workdir: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for log in workdir.glob("*.log"):
        shutil.copy(log, folder / log.name)


async def main_async(args: argparse.Namespace) -> int:
    print(
        f"Python {platform.python_version()}, python-telegram-bot {telegram.__version__}, "
        f"CPUs {os.cpu_count()}, {platform.platform()}; database {args.database}, "
        f"Bot API delay {args.delay * 1000:.0f} ms, window {args.window:g} s, "
        f"{len(registration_actions(0))} actions per registration"
        + (f", each bot process held to {args.cpu_limit:g} cores" if args.cpu_limit else "")
    )
    plans: list[tuple[str, str, int]] = []
    if "echo" in args.config_list:
        plans.append(("echo", "echo", 1))
    if "ours" in args.config_list or "memory" in args.config_list:
        plans.append(("ours x1", "ours", 1))
    if "ours2" in args.config_list:
        plans.append(("ours x2", "ours", 2))
    seeded = f"ours x1 +{args.unfinished // 1000}k"
    runs: dict[str, Run] = {name: Run(name, [], 0, 0) for name, _, _ in plans}
    failure: BenchError | None = None
    users = itertools.count(1)

    async def one(name: str, kind: str, instances: int, rate: float, database: str) -> None:
        step, completed, came = await measure(
            name, kind, instances, rate, args, workdir, 1_000_000 * next(users), database
        )
        run = runs.setdefault(name, Run(name, [], 0, 0))
        run.steps.append(step)
        run.completed += completed
        run.users += came

    with tempfile.TemporaryDirectory(prefix="ssw-bench-") as tmp:
        workdir = Path(tmp)
        try:
            # each rate: every bot in turn, fresh processes on a fresh database, so that they
            # meet the same conditions on this shared machine
            for rate in args.rate_list:
                for name, kind, instances in plans:
                    async with fresh_database(args.database, workdir) as database:
                        await one(name, kind, instances, rate, database)
            if "memory" in args.config_list:
                async with fresh_database(args.database, workdir, args.unfinished) as database:
                    for rate in args.rate_list[:2]:
                        await one(seeded, "ours", 1, rate, database)
                        if "ours" in args.config_list:  # the same, side by side, unseeded
                            async with fresh_database(args.database, workdir) as plain:
                                await one("ours x1 (again)", "ours", 1, rate, plain)
        except BenchError as exc:
            failure = exc
        if args.logs:
            _keep_logs(workdir, Path(args.logs))
    print()
    print_table(list(runs.values()))
    print_summary(runs, args)
    if failure is not None:
        print(f"webhook_load: {failure}", file=sys.stderr)
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return asyncio.run(main_async(parse_args(argv)))
    except BenchError as exc:
        print(f"webhook_load: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
