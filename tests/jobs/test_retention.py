"""The retention job through the runner, on SQLite and PostgreSQL: a registration left
unfinished by a worker (through the conversation service) keeps its answers until the
retention period has passed, then loses them in one run, batch after batch; the worker
keeps their language and can start again."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert

from bot.app import Services
from bot.conversation import Incoming, utcnow
from bot.engine.model import Press, Text
from bot.jobs.retention import NAME, retention_job
from bot.jobs.runner import JobRunner
from bot.metrics import JOB_ROWS
from bot.storage import jobs, outbox
from bot.storage.db import session_factory
from bot.storage.models import OutboxMessage


class Clock:
    def __init__(self) -> None:
        self.at = utcnow()

    def __call__(self) -> datetime:
        return self.at


async def test_old_unfinished_registrations_lose_their_answers(services: Services) -> None:
    service = services.conversations
    for n in range(5):  # five workers stop after typing their name
        key = f"70{n}"
        for action in (Press("l:ur"), Press("m:register"), Press("a:consent:yes")):
            await service.handle(Incoming("telegram", key, action=action))
        await service.handle(Incoming("telegram", key, action=Text("Test Worker Retained")))
        state = await services.repository.state_of("telegram", key)
        assert state is not None and state["answers"]["registration"]
    sessions = session_factory(services.database)
    async with services.database.begin() as connection:
        await connection.execute(
            insert(OutboxMessage).values(
                kind="reminder",
                channel="telegram",
                chat_id="700",
                language="ur",
                payload={},
                state="sent",
                next_attempt_at=utcnow(),
                created_at=utcnow(),
            )
        )
    clock = Clock()
    job = retention_job(sessions, keep_unfinished=timedelta(days=30), batch=2)
    runner = JobRunner(sessions, [job], "jobs-under-test", now=clock)
    before = JOB_ROWS.labels(job=NAME, what="purged_conversation")._value.get()

    clock.at = utcnow() + timedelta(days=29)
    assert await runner.run_once() == [NAME]
    state = await services.repository.state_of("telegram", "700")
    assert state is not None and state["answers"]["registration"]  # not yet

    clock.at = utcnow() + timedelta(days=31)
    assert await runner.run_once() == [NAME]  # due again an hour after the first run
    for n in range(5):
        assert await services.repository.state_of("telegram", f"70{n}") == {}
    assert JOB_ROWS.labels(job=NAME, what="purged_conversation")._value.get() - before == 5
    assert len(await outbox.messages(sessions)) == 1  # 31 days old: kept for 90
    row = await jobs.get(sessions, NAME)
    assert row is not None and row.next_run_at == clock.at + timedelta(hours=1)

    replies = await service.handle(Incoming("telegram", "700", command="start"))
    assert replies and replies[-1].buttons  # the menu, in the language they chose
    assert replies[-1].text.startswith("\u200f")
