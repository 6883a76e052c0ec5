"""Matching leads to an opening and inviting them, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.storage import opening_state, openings, outbox
from bot.storage.models import Lead, OutboxMessage, User
from bot.storage.opening_models import OPENING_STATES, Opening, OpeningCandidate
from bot.storage.repository import Repository
from tests.staff import factory
from tests.staff.factory import add_lead

NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)
TODAY = NOW.date()
FOOD = ["food_manufacturing"]


async def _opening(database: AsyncEngine, **values: object) -> int:
    return await factory.add_opening(database, **{"entry_date": None, **values})


async def _leads(database: AsyncEngine) -> dict[str, str]:
    passed = {"sectors": FOOD, "jp_tests": ["jft_a2"], "skills_test": "yes"}
    return {
        "meets": await add_lead(database, answers=passed),
        "nearly": await add_lead(database, answers={**passed, "skills_test": "no"}),
        "no_tests": await add_lead(
            database, answers={**passed, "skills_test": "no", "jp_tests": ["none"]}
        ),
        "too_old": await add_lead(database, answers=passed, birth_date=date(1980, 1, 1)),
        "other_field": await add_lead(database, answers={**passed, "sectors": ["construction"]}),
        "deleted": await add_lead(database, answers=passed, deleted_at=NOW),
    }


async def _match(database: AsyncEngine, opening_id: int) -> openings.MatchResult:
    sessions = async_sessionmaker(database, expire_on_commit=False)
    async with sessions() as db, db.begin():
        opening = await openings.get(db, opening_id, for_update=True)
        assert opening is not None
        return await openings.run_matching(db, opening, today=TODAY, now=NOW)


async def _rematch(database: AsyncEngine, opening_id: int) -> openings.MatchResult:
    sessions = async_sessionmaker(database, expire_on_commit=False)
    async with sessions() as db, db.begin():
        opening = await openings.get(db, opening_id, for_update=True)
        assert opening is not None
        later = datetime(2026, 12, 3, 9, tzinfo=UTC)
        return await openings.run_matching(db, opening, today=TODAY, now=later)


async def _classes(database: AsyncEngine, opening_id: int) -> dict[str, str]:
    async with database.connect() as connection:
        rows = await connection.execute(
            select(Lead.reference, OpeningCandidate.match)
            .join(Lead, Lead.id == OpeningCandidate.lead_id)
            .where(OpeningCandidate.opening_id == opening_id)
        )
        return {reference: match for reference, match in rows.all()}


async def test_matching_classes_the_leads_who_chose_the_field(database: AsyncEngine) -> None:
    refs = await _leads(database)
    opening_id = await _opening(database)
    result = await _match(database, opening_id)
    # two missing (the Japanese and skills tests) is still "nearly"; too old is "no", in SQL
    assert result.counts == {"meets": 1, "nearly": 2, "no": 1}
    assert result.considered == 4  # the other field and the deleted lead are not considered
    assert await _classes(database, opening_id) == {
        refs["meets"]: "meets",
        refs["nearly"]: "nearly",
        refs["no_tests"]: "nearly",
    }
    async with database.connect() as connection:
        missing = dict(
            (
                await connection.execute(
                    select(Lead.reference, OpeningCandidate.missing).join(
                        Lead, Lead.id == OpeningCandidate.lead_id
                    )
                )
            ).all()
        )
    assert missing[refs["meets"]] == []
    assert [(c["topic"], c["status"]) for c in missing[refs["nearly"]]] == [("skills", "not_met")]
    assert {c["topic"] for c in missing[refs["no_tests"]]} == {"skills", "japanese"}
    # matching again changes nothing (the stored criteria read back equal to the new ones)
    async with database.connect() as connection:
        before = (await connection.execute(select(OpeningCandidate.matched_at))).scalars().all()
    later = await _rematch(database, opening_id)
    assert later.counts == result.counts
    async with database.connect() as connection:
        after = (await connection.execute(select(OpeningCandidate.matched_at))).scalars().all()
    assert sorted(after) == sorted(before)


async def test_invitations_go_once_to_the_chosen_class(database: AsyncEngine) -> None:
    refs = await _leads(database)
    opening_id = await _opening(database)
    await _match(database, opening_id)
    sessions = async_sessionmaker(database, expire_on_commit=False)
    async with sessions() as db, db.begin():
        opening = await openings.get(db, opening_id)
        assert opening is not None
        assert await openings.invitable(db, opening_id, ["meets"]) == 1
        assert await openings.queue_invitations(db, opening, ["meets"], NOW) == 1
        assert await openings.queue_invitations(db, opening, ["meets"], NOW) == 0
        assert await openings.queue_invitations(db, opening, ["nearly"], NOW) == 2
    async with database.connect() as connection:
        rows = (
            await connection.execute(
                select(OutboxMessage.kind, OutboxMessage.payload, Lead.reference)
                .join(User, User.id == OutboxMessage.user_id)
                .join(Lead, Lead.user_id == User.id)
                .order_by(OutboxMessage.id)
            )
        ).all()
    assert [(kind, ref) for kind, _, ref in rows] == [
        ("invitation", refs["meets"]),
        ("invitation", refs["nearly"]),
        ("invitation", refs["no_tests"]),
    ]
    assert all(payload["opening_id"] == opening_id for _, payload, _ in rows)
    # matching again keeps the invited rows (nobody is asked twice)
    await _match(database, opening_id)
    async with sessions() as db, db.begin():
        opening = await openings.get(db, opening_id)
        assert opening is not None
        assert await openings.queue_invitations(db, opening, ["meets", "nearly"], NOW) == 0


async def test_a_draft_opening_invites_nobody(database: AsyncEngine) -> None:
    await _leads(database)
    opening_id = await _opening(database, state="draft")
    await _match(database, opening_id)
    sessions = async_sessionmaker(database, expire_on_commit=False)
    async with sessions() as db, db.begin():
        opening = await openings.get(db, opening_id)
        assert opening is not None
        assert await openings.queue_invitations(db, opening, ["meets"], NOW) == 0


async def test_closing_tells_the_interested_workers_once(database: AsyncEngine) -> None:
    refs = await _leads(database)
    opening_id = await _opening(database)
    await _match(database, opening_id)
    sessions = async_sessionmaker(database, expire_on_commit=False)
    async with sessions() as db, db.begin():
        opening = await openings.get(db, opening_id)
        assert opening is not None
        lead = (await db.scalars(select(Lead).where(Lead.reference == refs["meets"]))).one()
        assert lead.user_id is not None
        await openings.answer(
            db, opening, lead_id=lead.id, user_id=lead.user_id, interested=True,
            match_class="meets", missing=[], now=NOW,
        )  # fmt: skip
        other = (await db.scalars(select(Lead).where(Lead.reference == refs["nearly"]))).one()
        assert other.user_id is not None
        await openings.answer(
            db, opening, lead_id=other.id, user_id=other.user_id, interested=False,
            match_class="nearly", missing=[], now=NOW,
        )  # fmt: skip
    async with sessions() as db, db.begin():
        assert [o.id for o in await openings.due_to_close(db, date(2027, 3, 2))] == [opening_id]
        opening = await openings.get(db, opening_id)
        assert opening is not None
        assert await openings.close(db, opening, "closed", NOW) == 1
        assert opening.state == "closed"
        assert await openings.close(db, opening, "closed", NOW) == 0
        assert await openings.open_openings(db, TODAY) == []
    async with database.connect() as connection:
        kinds = (await connection.execute(select(OutboxMessage.kind, OutboxMessage.user_id))).all()
    assert kinds == [("opening_closed", lead.user_id)]


async def test_a_worker_with_two_registrations_is_asked_once(database: AsyncEngine) -> None:
    passed = {"sectors": FOOD, "jp_tests": ["jft_a2"], "skills_test": "yes"}
    first = await add_lead(database, answers=passed)
    async with database.connect() as connection:
        user_id = (
            await connection.execute(select(Lead.user_id).where(Lead.reference == first))
        ).scalar_one()
    await add_lead(database, answers=passed, user_id=user_id)  # a second CNIC, same account
    opening_id = await _opening(database)
    assert (await _match(database, opening_id)).counts["meets"] == 2
    sessions = async_sessionmaker(database, expire_on_commit=False)
    async with sessions() as db, db.begin():
        opening = await openings.get(db, opening_id)
        assert opening is not None
        assert await openings.invitable(db, opening_id, ["meets"]) == 1
        assert await openings.queue_invitations(db, opening, ["meets"], NOW) == 1
        assert await openings.queue_invitations(db, opening, ["meets", "nearly"], NOW) == 0


async def test_a_worker_who_deletes_their_data_leaves_no_candidate_row(
    database: AsyncEngine,
) -> None:
    refs = await _leads(database)
    opening_id = await _opening(database)
    await _match(database, opening_id)
    async with database.connect() as connection:
        external_id = (
            await connection.execute(
                select(User.external_id)
                .join(Lead, Lead.user_id == User.id)
                .where(Lead.reference == refs["meets"])
            )
        ).scalar_one()
    repository = Repository(async_sessionmaker(database, expire_on_commit=False))
    async with repository.user("telegram", external_id) as unit:
        await unit.erase()  # /delete
    assert refs["meets"] not in await _classes(database, opening_id)
    assert refs["nearly"] in await _classes(database, opening_id)


async def test_no_invitation_goes_the_day_after_the_deadline_in_pakistan(
    database: AsyncEngine,
) -> None:
    """19:30 UTC on 1 December is 00:30 on 2 December in Karachi: an opening whose deadline was
    1 December is no longer open for OEC, although the UTC date is still the deadline day."""
    deadline = date(2026, 12, 1)
    await _leads(database)
    opening_id = await _opening(database, deadline=deadline)
    queued_at = datetime(2026, 11, 30, 9, tzinfo=UTC)
    sessions = async_sessionmaker(database, expire_on_commit=False)
    async with sessions() as db, db.begin():
        opening = await openings.get(db, opening_id)
        assert opening is not None
        await openings.run_matching(db, opening, today=queued_at.date(), now=queued_at)
        assert await openings.queue_invitations(db, opening, ["meets"], queued_at) == 1
    lease = timedelta(minutes=2)
    last_minute = datetime(2026, 12, 1, 18, 59, tzinfo=UTC)  # 23:59 in Karachi: still open
    (claimed,) = await outbox.claim(sessions, "a", "telegram", 10, last_minute, lease)
    assert claimed.kind == outbox.INVITATION
    assert await outbox.give_back(sessions, [claimed.id], "a", last_minute) == 1
    after_midnight = datetime(2026, 12, 1, 19, 30, tzinfo=UTC)  # 00:30 on 2 December there
    assert after_midnight.date() == deadline
    assert await outbox.claim(sessions, "b", "telegram", 10, after_midnight, lease) == []
    async with database.connect() as connection:
        states = (await connection.execute(select(OutboxMessage.state))).scalars().all()
    assert states == [outbox.CANCELLED]
    # in a zone where it is still 1 December the invitation would have gone
    async with sessions() as db, db.begin():
        assert [o.id for o in await openings.open_openings(db, deadline)] == [opening_id]
        assert await openings.open_openings(db, deadline + timedelta(days=1)) == []
        assert [o.id for o in await openings.due_to_close(db, deadline + timedelta(days=1))] == [
            opening_id
        ]
        assert await openings.due_to_close(db, deadline) == []


async def test_open_now_in_sql_is_is_open_in_python(database: AsyncEngine) -> None:
    """The one definition, written twice (a clause and a predicate), says the same of every
    state and of a deadline before, on and after the day."""
    day = date(2026, 12, 1)
    deadlines = (day - timedelta(days=1), day, day + timedelta(days=1))
    made = {
        await _opening(database, state=state, deadline=deadline): (state, deadline)
        for state in OPENING_STATES
        for deadline in deadlines
    }
    sessions = async_sessionmaker(database, expire_on_commit=False)
    async with sessions() as db:
        sql_open = set(
            (await db.scalars(select(Opening.id).where(opening_state.open_now(day)))).all()
        )
        sql_due = set(
            (await db.scalars(select(Opening.id).where(opening_state.past_deadline(day)))).all()
        )
    python_open = {i for i, (s, d) in made.items() if opening_state.is_open(s, d, day)}
    python_due = {i for i, (s, d) in made.items() if opening_state.is_past_deadline(s, d, day)}
    assert sql_open == python_open and len(python_open) == 2  # open: on and after the day
    assert sql_due == python_due and len(python_due) == 1  # open, deadline the day before


def test_requirement_columns_are_what_the_matching_reads() -> None:
    """A change to a requirement column changes what ``requirements`` gives (the opening is
    then matched again); a change to any other form column does not."""
    from bot.storage.opening_staff import FORM_COLUMNS

    base = Opening(
        title="Truck driver", sector="auto_transport", category="truck", route="ssw1",
        employer="Fake",
        prefecture="tokyo", places=2, min_age=20, max_age=35, japanese="jft_a2",
        skills_test="passed", min_experience_years=1, education="matric", pay_yen=200000,
        pay_includes="", deadline=date(2027, 1, 31), entry_date=date(2027, 4, 1),
        descriptions={},
    )  # fmt: skip
    changed_values: dict[str, object] = {
        "title": "Other", "sector": "railway", "category": "taxi", "route": "ssw2",
        "employer": "Other", "prefecture": "osaka", "places": 3, "min_age": 21,
        "max_age": 30, "japanese": "jlpt_n4", "skills_test": "not_needed",
        "min_experience_years": 2, "education": "intermediate", "pay_yen": 1, "pay_includes": "x",
        "deadline": date(2027, 2, 1), "entry_date": date(2027, 5, 1),
        "descriptions": {"en": "x"},
    }  # fmt: skip
    assert set(changed_values) == set(FORM_COLUMNS)
    assert set(FORM_COLUMNS) >= openings.REQUIREMENT_COLUMNS
    for column, value in changed_values.items():
        other = Opening(**{c: getattr(base, c) for c in FORM_COLUMNS})
        setattr(other, column, value)
        if column == "deadline":
            other.entry_date = None  # the deadline stands for the day of entry when none
            base_without = Opening(**{c: getattr(base, c) for c in FORM_COLUMNS})
            base_without.entry_date = None
            assert openings.requirements(other) != openings.requirements(base_without)
            continue
        differs = openings.requirements(other) != openings.requirements(base)
        assert differs == (column in openings.REQUIREMENT_COLUMNS), column
