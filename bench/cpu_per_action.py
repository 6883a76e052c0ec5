"""CPU seconds and Bot API calls per worker action: our bot against a bare echo bot.

Each bot runs as a child process (``python -m bot run``, ``bench/echo_bot.py``) against the
fake Bot API in this process; ``--users`` simulated workers go through one full registration
each (22 actions: /start, the language, consent, typed answers, taps, toggles, Submit),
``--concurrency`` at a time, each action sent when the previous one was answered. The echo
bot gets the same actions (it answers a text with one message, a tap with an answer and one
message). The child's CPU time (user + system, from /proc) is read before and after the
measured users (after a warm-up user), and divided by the actions; calls are counted by the
fake, without ``getUpdates``.

    .venv/bin/python bench/cpu_per_action.py [--users 40] [--concurrency 20]
        [--database sqlite|postgresql] [--delay 0.05] [--py-spy /tmp/ours.speedscope]

Bench users answer at once, faster than a person can: the per-chat limit is lifted for the
run (``TELEGRAM_CHAT_PER_SECOND``), and so is the overall 30 a second
(``TELEGRAM_PER_SECOND``): either, not CPU, would set the pace.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.registration_actions import registration_actions  # noqa: E402
from tests.fake_bot_api import TOKEN, BotMessage, FakeBotApi  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def registration(index: int) -> list[tuple[bool, str]]:
    """One full registration: (tap?, callback data or text) (``bench.registration_actions``)."""
    return [(action.tap, action.value) for action in registration_actions(index)]


ACTIONS = len(registration(0))


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


@dataclass
class Result:
    bot: str
    actions: int
    cpu: float
    calls: int
    seconds: float

    def row(self) -> str:
        return (
            f"| {self.bot} | {self.actions} | {1000 * self.cpu / self.actions:.2f} | "
            f"{self.calls / self.actions:.2f} | {self.actions / self.seconds:.0f} |"
        )


def answered(kind: str, message: BotMessage, last: bool) -> bool:
    """The action's answer is in: the message that asks the next thing (ours), any (echo)."""
    if kind == "echo" or last:
        return True
    return bool(message.buttons or message.reply_keyboard)


async def one_user(api: FakeBotApi, kind: str, user_id: int, index: int) -> None:
    user = api.user(user_id)
    actions = registration(index)
    for number, (tap, value) in enumerate(actions):
        if tap:
            await user.tap_data(value)
        else:
            await user.send(value)
        while not answered(kind, await user.reply(timeout=60), number == len(actions) - 1):
            pass


async def run_bot(kind: str, args: argparse.Namespace, database_url: str) -> Result:
    api = FakeBotApi(delay=args.delay)
    await api.start()
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        TELEGRAM_API_FILE_URL=api.base_file_url,
        DATABASE_URL=database_url,
        TELEGRAM_CHAT_PER_SECOND="1000",
        TELEGRAM_CHAT_BURST="1000",
        TELEGRAM_PER_SECOND="100000",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    command = (
        [sys.executable, "-m", "bot", "run"]
        if kind == "ours"
        else [sys.executable, str(ROOT / "bench" / "echo_bot.py")]
    )
    log = Path(args.workdir) / f"{kind}.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            *command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out
        )
    try:
        while not any(name == "getUpdates" for name, _ in api.calls):
            if process.returncode is not None:
                raise SystemExit(f"{kind} bot exited:\n{log.read_text()[-2000:]}")
            await asyncio.sleep(0.05)
        await one_user(api, kind, 10, 0)  # warm up: caches, prepared statements, imports
        await asyncio.sleep(0.5)
        spy = None
        if args.py_spy and kind == "ours":
            spy = await asyncio.create_subprocess_exec(
                *[
                    str(Path(sys.executable).parent / "py-spy"),
                    "record",
                    "--pid",
                    str(process.pid),
                    "--format",
                    "speedscope",
                    "-o",
                    args.py_spy,
                    "--nonblocking",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            await asyncio.sleep(1.0)
        calls_before = sum(1 for name, _ in api.calls if name != "getUpdates")
        cpu_before = cpu_seconds(process.pid)
        started = time.monotonic()
        gate = asyncio.Semaphore(args.concurrency)

        async def gated(i: int) -> None:
            async with gate:
                await one_user(api, kind, 1000 + i, i + 1)

        await asyncio.gather(*(gated(i) for i in range(args.users)))
        elapsed = time.monotonic() - started
        await asyncio.sleep(0.3)  # the calls after the last answer (tap answers, edits)
        cpu = cpu_seconds(process.pid) - cpu_before
        calls = sum(1 for name, _ in api.calls if name != "getUpdates") - calls_before
        if spy is not None:
            spy.send_signal(2)
            await asyncio.wait_for(spy.wait(), 60)
        return Result(kind, args.users * ACTIONS, cpu, calls, elapsed)
    finally:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
        await api.stop()


async def postgres_database() -> tuple[str, str]:
    import asyncpg

    name = f"ssw_cpu_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    return name, f"postgresql://postgres@127.0.0.1:5432/{name}"


async def drop_postgres(name: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(PG_ADMIN)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--delay", type=float, default=0.05, help="seconds per Bot API call")
    parser.add_argument("--py-spy", default="", help="record our bot's profile to this file")
    return parser.parse_args(argv)


async def main_async(args: argparse.Namespace) -> int:
    pg_name = ""
    with tempfile.TemporaryDirectory() as workdir:
        args.workdir = workdir
        if args.database == "postgresql":
            pg_name, url = await postgres_database()
        else:
            url = f"sqlite:///{Path(workdir) / 'bench.db'}"
        try:
            results = [await run_bot("echo", args, url), await run_bot("ours", args, url)]
        finally:
            if pg_name:
                await drop_postgres(pg_name)
    print(
        f"{args.users} registrations of {ACTIONS} actions, {args.concurrency} at a time, "
        f"{args.database}, Bot API latency {args.delay * 1000:.0f} ms"
    )
    print("| bot | actions | CPU ms / action | Bot API calls / action | actions / s |")
    print("|---|---|---|---|---|")
    for result in results:
        print(result.row())
    echo, ours = results
    ratio = (ours.cpu / ours.actions) / (echo.cpu / echo.actions)
    print(f"CPU per action: {ratio:.1f} times the echo bot's")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return asyncio.run(main_async(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
