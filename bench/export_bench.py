"""Export benchmark: ``ssw-bot export`` (CSV and XLSX) on 100,000 leads, against ``sqlite3 -csv``.

What it does
    Seeds a fresh SQLite file (``bench/seed.py``: realistic, obviously fake leads) in a temporary
    folder, then, ``--repeat`` times in turn, runs each of these as its own process and measures
    its wall time and peak memory (the child's maximum RSS from ``os.wait4``):

    baseline   Debian's ``sqlite3 -csv -header DB "SELECT * FROM leads"`` into a file (every
               column, JSON included, no formatting), or, where no ``sqlite3`` program is
               installed, Python's sqlite3 module and csv writer doing the same (said so);
               with sqlite3 present, that Python dump runs too, as a reference
    csv        ``python -m bot export --format csv --out FILE`` (interpreter start included)
    xlsx       ``python -m bot export --format xlsx --out FILE``

    and prints the median of each with the file sizes (peak memory from GNU ``time -f %M``
    when installed, else from ``os.wait4``). Aims: CSV within 3x the baseline's time,
    XLSX under 30 s and 200 MB. Exit status 0 when met, 1 when not, 2 when the run failed.

    ``--database postgresql`` seeds a fresh PostgreSQL database instead (created on the server
    of ``SSW_BENCH_PG``, default postgresql://postgres@127.0.0.1:5432/test, dropped at the end)
    and uses ``psql``'s ``\\copy ... TO STDOUT CSV`` as the baseline when psql is installed.

Run (from the repository root; about 5 minutes with the defaults)::

    .venv/bin/python bench/export_bench.py [--leads 100000] [--repeat 3]
        [--database sqlite|postgresql] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PG_ADMIN = os.environ.get("SSW_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")

PYTHON_BASELINE = """
import csv, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
cursor = db.execute("SELECT * FROM leads")
with open(sys.argv[2], "w", newline="", encoding="utf-8") as out:
    writer = csv.writer(out)
    writer.writerow([d[0] for d in cursor.description])
    while rows := cursor.fetchmany(1000):
        writer.writerows(rows)
"""


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    size_mb: float


TIME = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)


def measure(command: list[str], out: Path, env: dict[str, str], stdout_to_file: bool) -> Run:
    """Run ``command`` as a child; its wall time and maximum resident memory.

    Peak memory comes from GNU time (``/usr/bin/time -f %M``) when installed: a child forked
    straight from this process would inherit this process's memory high-water mark. Without
    it, from ``os.wait4`` (this process stays small: seeding runs in its own process).
    """
    out.unlink(missing_ok=True)
    report = out.parent / "time.out"
    wrapped = [TIME, "-f", "%M", "-o", str(report), *command] if TIME else command
    started = time.perf_counter()
    with out.open("wb") if stdout_to_file else open(os.devnull, "wb") as sink:
        child = subprocess.Popen(
            wrapped, stdout=sink, stderr=subprocess.PIPE, env=env, cwd=out.parent
        )
        _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    error = child.stderr.read().decode() if child.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{error}")
    peak_kb = int(report.read_text().split()[-1]) if TIME else usage.ru_maxrss
    return Run(seconds, peak_kb / 1024, out.stat().st_size / 1e6)


async def create_pg_database() -> str:
    import asyncpg

    name = f"ssw_bench_{secrets.token_hex(4)}"
    connection = await asyncpg.connect(PG_ADMIN)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return name


async def drop_pg_database(name: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep its files")
    args = parser.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="ssw-export-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    pg_name = None
    try:
        if args.database == "sqlite":
            db_file = folder / "leads.db"
            for stale in folder.glob("leads.db*"):
                stale.unlink()
            url = f"sqlite:///{db_file}"
        else:
            pg_name = asyncio.run(create_pg_database())
            url = PG_ADMIN.rsplit("/", 1)[0] + "/" + pg_name
        print(f"seeding {args.leads} leads ({args.database}) ...", flush=True)
        seeding = [sys.executable, str(ROOT / "bench" / "seed.py"), url, "--leads", str(args.leads)]
        subprocess.run(seeding, check=True)  # its own process: this one stays small

        env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
        env["DATABASE_URL"] = url
        runs: dict[str, tuple[list[str], Path, bool]] = {}
        if args.database == "sqlite":
            python_dump = [sys.executable, "-c", PYTHON_BASELINE, str(db_file)]
            if shutil.which("sqlite3"):
                baseline = "sqlite3 -csv"
                command = ["sqlite3", "-csv", "-header", str(db_file), "SELECT * FROM leads"]
                runs[baseline] = (command, folder / "baseline.csv", True)
                # for reference: Python itself dumping the same table, no formatting at all
                out = folder / "python-dump.csv"
                runs["python sqlite3 + csv module (reference)"] = (
                    [*python_dump, str(out)],
                    out,
                    False,
                )
            else:
                baseline = "python sqlite3 + csv module (no sqlite3 program here)"
                out = folder / "baseline.csv"
                runs[baseline] = ([*python_dump, str(out)], out, False)
        elif shutil.which("psql"):
            baseline = "psql \\copy csv"
            copy = "\\copy (SELECT * FROM leads) TO STDOUT WITH (FORMAT csv, HEADER)"
            runs[baseline] = (["psql", url, "-q", "-c", copy], folder / "baseline.csv", True)
        else:
            baseline = ""
        for format in ("csv", "xlsx"):
            out = folder / f"leads.{format}"
            command = [sys.executable, "-m", "bot", "export", "--format", format, "--out", str(out)]
            runs[f"ssw-bot export {format}"] = (command, out, False)

        results: dict[str, list[Run]] = {name: [] for name in runs}
        for round_number in range(args.repeat):
            for name, (command, out, to_file) in runs.items():
                run = measure(command, out, env, to_file)
                results[name].append(run)
                print(
                    f"  round {round_number + 1}: {name}: {run.seconds:.2f} s, "
                    f"{run.peak_mb:.0f} MB",
                    flush=True,
                )

        print(f"\n{args.leads} leads, {args.database}, median of {args.repeat} runs:")
        print(f"{'what':<48} {'seconds':>8} {'peak RSS':>9} {'file':>8} {'vs baseline':>12}")
        medians = {
            name: Run(
                statistics.median(r.seconds for r in runs_),
                statistics.median(r.peak_mb for r in runs_),
                runs_[-1].size_mb,
            )
            for name, runs_ in results.items()
        }
        base = medians.get(baseline) if baseline else None
        for name, run in medians.items():
            ratio = f"{run.seconds / base.seconds:.2f}x" if base else ""
            print(
                f"{name:<48} {run.seconds:>8.2f} {run.peak_mb:>6.0f} MB "
                f"{run.size_mb:>5.1f} MB {ratio:>12}"
            )
        csv_run, xlsx_run = medians["ssw-bot export csv"], medians["ssw-bot export xlsx"]
        goals = {
            "XLSX under 30 s": xlsx_run.seconds < 30,
            "XLSX under 200 MB": xlsx_run.peak_mb < 200,
        }
        if base:
            goals["CSV within 3x the baseline"] = csv_run.seconds <= 3 * base.seconds
        for goal, met in goals.items():
            print(f"{'met' if met else 'MISSED'}: {goal}")
        return 0 if all(goals.values()) else 1
    finally:
        if pg_name:
            asyncio.run(drop_pg_database(pg_name))
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
