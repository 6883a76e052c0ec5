"""Random sequences of updates through the real conversation service (hypothesis).

Texts (ordinary answers, strange ones, random ones), taps on the buttons just shown and on
stale ones from earlier replies, made-up callback data, commands, language switches, shared
contacts, photos, and restarts (a new service on the same database, as after a crash), in any
order. After every step: no failure (the service's apology is what an unhandled exception
turns into), every reply within Telegram's limits, and the stored state valid: it loads,
points to a real flow and step, and what it keeps passes the rules of a new answer; a stored
lead passes them too. A real SQLite file; a shorter run on PostgreSQL.

``SSW_PROPERTY_EXAMPLES`` sets the number of examples (default 25); under CI the run is
derandomised, so it is the same run every time.
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.app import Services, build_engine
from bot.conversation import ConversationService
from bot.engine.engine import Engine
from bot.engine.flows import TYPED_KINDS
from bot.engine.model import Contact, Press, State, Unsupported
from bot.storage.db import create_engine, session_factory
from bot.storage.repository import Repository
from tests.conftest import TODAY
from tests.engine.talk import TYPED
from tests.strange import STRANGE, ServiceUser, check_database, check_replies, check_state

EXAMPLES = int(os.environ.get("SSW_PROPERTY_EXAMPLES", "25"))
COMMANDS = ["start", "cancel", "language", "delete", "mydata", "status", "help", "privacy", "xyz"]
TYPICAL = ["Ayesha Khan Bibi", "Ali", "42101-4817263-5", "0300 1234567", "15/03/1998", "3", "1"]
_keys = itertools.count()

Move = tuple[str, Any]
ANY_MOVE = st.one_of(
    st.tuples(st.just("fit"), st.integers(0, 999)),  # what the question asks for
    st.tuples(st.just("fit"), st.integers(0, 999)),
    st.tuples(st.just("tap"), st.integers(0, 999)),  # a button just shown
    st.tuples(st.just("tap"), st.integers(0, 999)),
    st.tuples(st.just("stale"), st.integers(0, 999)),  # a button from an earlier reply
    st.tuples(
        st.just("text"),
        st.one_of(st.sampled_from(TYPICAL), st.sampled_from(STRANGE), st.text(max_size=30)),
    ),
    st.tuples(st.just("data"), st.text(max_size=70)),  # made-up callback data
    st.tuples(st.just("command"), st.sampled_from(COMMANDS)),
    st.tuples(st.just("language"), st.sampled_from(["en", "ur", "ja"])),
    st.tuples(st.just("contact"), st.sampled_from(["923001234567", "+15550100", "x"])),
    st.tuples(st.just("photo"), st.just("photo")),
    st.tuples(st.just("restart"), st.just(0)),
)
FIT = st.tuples(st.just("fit"), st.integers(0, 999))
# Anything at all, or a worker who mostly answers what is asked (so that whole registrations,
# with their reviews, edits and saved leads, happen too) with the odd stray update between.
MOVES = st.one_of(
    st.lists(ANY_MOVE, max_size=30),
    st.lists(st.one_of(FIT, FIT, FIT, FIT, FIT, FIT, FIT, FIT, ANY_MOVE), max_size=80),
)


def _services(url: str, engine: Engine) -> Services:
    """A service as a newly started process has it (the flow engine is shared: it is
    stateless, and loading the flows each time would only slow the run down)."""
    database = create_engine(url)
    repository = Repository(
        session_factory(database), single_writer=database.dialect.name == "sqlite"
    )
    return Services(database, repository, ConversationService(engine, repository))


@pytest.fixture(scope="module")
def flow_engine() -> Engine:
    return build_engine(today=lambda: TODAY)


async def _fit(user: ServiceUser, engine: Engine, pick: int) -> None:
    """Type the kind of answer the current question takes, or tap one of its buttons."""
    stored = await user.services.repository.state_of(user.channel, user.key)
    state = State.from_dict(stored)
    if state.flow and state.step and state.mode == "ask":
        step = engine.flows[state.flow].step(state.step)
        if step.kind in TYPED_KINDS:
            await user.say(TYPED.get(step.kind, "3") if step.kind != "number" else "3")
            return
    shown = [b.data for r in user.replies for row in r.buttons for b in row]
    for prefix in ("r:ok", "v:", "k:", "a:", "t:" if not state.picks else "d:", "d:", "m:register"):
        chosen = [d for d in shown if d.startswith(prefix) and d != "a:consent:no"]
        if chosen:
            await user.act(Press(chosen[pick % len(chosen)]))
            return
    await _tap(user, pick)


async def _tap(user: ServiceUser, pick: int) -> None:
    shown = [b.data for r in user.replies for row in r.buttons for b in row]
    await user.act(Press(shown[pick % len(shown)] if shown else "m:"))


async def _play(url: str, engine: Engine, moves: list[Move]) -> None:
    services = _services(url, engine)
    user = ServiceUser(services, f"prop-{os.getpid()}-{next(_keys)}")
    try:
        for kind, value in moves:
            if kind == "restart":
                await services.close()
                services = user.services = _services(url, engine)
                continue
            if kind == "fit":
                await _fit(user, engine, value)
            elif kind == "tap":
                await _tap(user, value)
            elif kind == "stale":
                await user.act(Press(user.seen[value % len(user.seen)] if user.seen else "x"))
            elif kind == "text":
                await user.say(value)
            elif kind == "data":
                await user.act(Press(value))
            elif kind == "command":
                await user.command(value)
            elif kind == "language":
                await user.act(Press(f"l:{value}"))
            elif kind == "contact":
                await user.act(Contact(value, own=True))
            else:
                await user.act(Unsupported(value))
            check_replies(user.replies)
            check_state(engine, await services.repository.state_of(user.channel, user.key))
        await check_database(services, engine)
        async with services.repository.user(user.channel, user.key) as unit:
            event("a lead saved" if await unit.leads() else "no lead")
    finally:
        await services.close()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(moves=MOVES)
async def test_random_updates_keep_the_state_valid(
    sqlite_url: str, flow_engine: Engine, moves: list[Move]
) -> None:
    await _play(sqlite_url, flow_engine, moves)


@settings(
    max_examples=max(5, EXAMPLES // 3),
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(moves=MOVES)
async def test_random_updates_on_postgresql(
    postgres_url: str, flow_engine: Engine, moves: list[Move]
) -> None:
    await _play(postgres_url, flow_engine, moves)
