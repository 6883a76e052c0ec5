"""The Alembic migrations on an empty SQLite file and an empty PostgreSQL database: 0002 keeps
the leads and funnel events already stored, the schema ends up as the models say, and the way
back works while no CNIC is shared."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot.app import build_services
from bot.storage.db import create_engine
from bot.storage.migrate import downgrade, upgrade
from bot.storage.models import Base
from bot.storage.repository import LeadData
from tests.conftest import PG_ADMIN_URL, TODAY, _pg_dsn

CNIC = "1234512345671"
USER_9001 = "(SELECT id FROM users WHERE external_id = '9001')"
OLD_ROWS = [
    "INSERT INTO users (channel, external_id, language, created_at, last_seen_at) "
    "VALUES ('telegram', '9001', 'ur', '2026-11-01 10:00:00', '2026-11-01 10:00:00')",
    "INSERT INTO leads (reference, user_id, cnic, full_name, mobile, birth_date, province,"
    f" answers, source, language, status, consent_at, created_at, updated_at) VALUES"
    f" ('SSW-AAAA-BBBB', {USER_9001}, '1234512345671', 'Test Worker Old', '+923001234567',"
    " '1998-03-15', 'punjab', '{\"full_name\": \"Test Worker Old\"}', 'roadshow_lahore', 'ur',"
    " 'new', '2026-11-01 10:01:00', '2026-11-01 10:05:00', '2026-11-01 10:05:00')",
    "INSERT INTO funnel_events (user_id, flow, kind, step, at) "
    f"VALUES ({USER_9001}, 'registration', 'started', NULL, '2026-11-01 10:00:30')",
]


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables yet: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    request.getfixturevalue("postgres_url")  # skips (or fails in CI) without a server
    name = f"ssw_migrate_{secrets.token_hex(6)}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield _pg_dsn(name)
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _execute(url: str, *statements: str) -> list[Any]:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            results = [await connection.execute(text(sql)) for sql in statements]
            return [r.all() if r.returns_rows else None for r in results]
    finally:
        await engine.dispose()


async def _schema_differences(url: str) -> list[Any]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
    finally:
        await engine.dispose()


async def _register_same_cnic_from_another_account(url: str) -> tuple[str | None, str]:
    services = build_services(url, today=lambda: TODAY)
    try:
        async with services.repository.user("telegram", "9002") as unit:
            saved = await unit.save_lead(
                LeadData(
                    cnic=CNIC,
                    full_name="Test Worker New",
                    mobile="+923009999999",
                    birth_date=date(1999, 1, 1),
                    province="sindh",
                    answers={},
                    language="en",
                )
            )
        return saved.duplicate, saved.reference
    finally:
        await services.close()


def test_0002_keeps_the_stored_leads_and_events(empty_url: str) -> None:
    upgrade(empty_url, "0001")
    asyncio.run(_execute(empty_url, *OLD_ROWS))
    upgrade(empty_url)
    [leads, events] = asyncio.run(
        _execute(
            empty_url,
            "SELECT reference, user_id, cnic, full_name, mobile, province, source,"
            f" duplicate_of_id, duplicate_reason FROM leads WHERE user_id = {USER_9001}",
            "SELECT flow, kind, value FROM funnel_events",
        )
    )
    assert [tuple(row)[:1] + tuple(row)[2:] for row in leads] == [
        (
            "SSW-AAAA-BBBB",
            CNIC,
            "Test Worker Old",
            "+923001234567",
            "punjab",
            "roadshow_lahore",
            None,
            None,
        )
    ]
    assert [tuple(row) for row in events] == [("registration", "started", None)]
    assert asyncio.run(_schema_differences(empty_url)) == []
    # the CNIC is no longer unique: another account's registration is kept, and marked
    assert asyncio.run(_register_same_cnic_from_another_account(empty_url))[0] == "cnic"


def test_0002_goes_back_while_no_cnic_is_shared(empty_url: str) -> None:
    upgrade(empty_url, "0001")
    asyncio.run(_execute(empty_url, *OLD_ROWS))
    upgrade(empty_url)
    downgrade(empty_url, "0001")
    [leads] = asyncio.run(_execute(empty_url, "SELECT reference, cnic FROM leads"))
    assert [tuple(row) for row in leads] == [("SSW-AAAA-BBBB", CNIC)]
    with pytest.raises(IntegrityError, match=r"(?i)unique.*cnic"):  # the unique CNIC is back
        asyncio.run(
            _execute(
                empty_url,
                "INSERT INTO users (channel, external_id, created_at, last_seen_at) "
                "VALUES ('telegram', '9002', '2026-11-02 10:00:00', '2026-11-02 10:00:00')",
                OLD_ROWS[1].replace("SSW-AAAA-BBBB", "SSW-CCCC-DDDD").replace("9001", "9002"),
            )
        )
    upgrade(empty_url)
    assert asyncio.run(_schema_differences(empty_url)) == []


def test_0003_keeps_leads_and_their_duplicate_marks(empty_url: str) -> None:
    """0003 rebuilds ``leads`` on SQLite; no ON DELETE rule may fire on the rows it copies."""
    upgrade(empty_url, "0002")
    asyncio.run(_execute(empty_url, *OLD_ROWS))
    second_account = OLD_ROWS[0].replace("9001", "9002")
    marked = (
        OLD_ROWS[1]
        .replace("SSW-AAAA-BBBB", "SSW-CCCC-DDDD")
        .replace(f"{USER_9001},", "(SELECT id FROM users WHERE external_id = '9002'),")
        .replace("answers,", "answers, duplicate_of_id, duplicate_reason,")
        .replace("'roadshow_lahore',", "(SELECT id FROM leads), 'cnic', 'roadshow_lahore',")
    )
    asyncio.run(_execute(empty_url, second_account, marked))
    before = asyncio.run(
        _execute(empty_url, "SELECT reference, duplicate_of_id, duplicate_reason FROM leads")
    )[0]
    assert sorted(row[2] or "" for row in before) == ["", "cnic"]
    upgrade(empty_url)
    after = asyncio.run(
        _execute(
            empty_url,
            "SELECT reference, duplicate_of_id, duplicate_reason, assigned_officer_id FROM leads",
        )
    )[0]
    assert sorted(tuple(row) for row in after) == sorted((*row, None) for row in before)
    assert asyncio.run(_schema_differences(empty_url)) == []


def test_0005_fills_the_sectors_of_stored_leads(empty_url: str) -> None:
    upgrade(empty_url, "0004")
    asyncio.run(
        _execute(
            empty_url,
            *OLD_ROWS[:2],
            OLD_ROWS[1]
            .replace("SSW-AAAA-BBBB", "SSW-CCCC-DDDD")
            .replace("'1234512345671'", "'1234512345672'")
            .replace(
                '{"full_name": "Test Worker Old"}', '{"sectors": ["construction", "agriculture"]}'
            ),
        )
    )
    upgrade(empty_url)
    [rows] = asyncio.run(_execute(empty_url, "SELECT reference, sectors FROM leads ORDER BY id"))
    assert [tuple(row) for row in rows] == [
        ("SSW-AAAA-BBBB", None),  # no sectors in the answers
        ("SSW-CCCC-DDDD", ",construction,agriculture,"),
    ]
    assert asyncio.run(_schema_differences(empty_url)) == []
    downgrade(empty_url, "0004")
    upgrade(empty_url)
    assert asyncio.run(_schema_differences(empty_url)) == []


def _lead_with_check(n: int, eligibility: str | None) -> str:
    stored = "NULL" if eligibility is None else f"'{eligibility}'"
    return (
        "INSERT INTO leads (reference, user_id, cnic, full_name, mobile, birth_date, answers,"
        " eligibility, language, status, consent_at, created_at, updated_at) VALUES"
        f" ('SSW-TEST-000{n}', {USER_9001}, '123451234567{n}', 'Test Worker', '+923001234567',"
        f" '1998-03-15', '{{}}', {stored}, 'ur', 'new', '2026-11-01 10:01:00',"
        " '2026-11-01 10:05:00', '2026-11-01 10:05:00')"
    )


def test_0008_fills_the_outcome_of_stored_checks(empty_url: str) -> None:
    upgrade(empty_url, "0007")
    checks = [
        None,  # never checked
        '{"routes": [{"status": "not_now"}, {"status": "after_steps"}]}',  # the best counts
        '{"routes": [{"status": "eligible"}]}',  # the first format's word for meets
        '{"routes": {"status": "meets"}}',  # not a list of routes: unreadable, no outcome
        '{"routes": []}',
    ]
    leads = [_lead_with_check(n, check) for n, check in enumerate(checks)]
    asyncio.run(_execute(empty_url, OLD_ROWS[0], *leads))
    upgrade(empty_url)
    [rows] = asyncio.run(_execute(empty_url, "SELECT outcome FROM leads ORDER BY id"))
    assert [row[0] for row in rows] == ["none", "after_steps", "meets", "none", "none"]
    assert asyncio.run(_schema_differences(empty_url)) == []
    downgrade(empty_url, "0007")
    upgrade(empty_url)
    assert asyncio.run(_schema_differences(empty_url)) == []
