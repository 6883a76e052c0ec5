""" "Step n of N" on every path of the registration and eligibility flows (real flows): n rises
by exactly one per answer, counts carried answers as done, never skips or runs back; N never
shrinks (it grows when a question starts to apply, like the Technical Intern Training field)."""

from __future__ import annotations

import pytest

from bot.engine.conditions import condition_keys
from bot.engine.engine import Engine
from bot.engine.flows import Flow
from tests.engine.talk import Talk, real_engine

Counters = list[tuple[int, int]]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return real_engine()


def _deciding(flow: Flow) -> set[str]:
    """The steps whose answers decide which questions come (they appear in a ``when``)."""
    return {key for step in flow.steps for key in condition_keys(step.when)}


def every_path(talk: Talk) -> list[tuple[Talk, Counters]]:
    """Walk the flow on screen down every branch of the answers that decide what is asked
    (other questions get their first option); returns each path's end and counters."""
    assert talk.state.flow is not None
    flow = talk.engine.flows[talk.state.flow]
    deciding = _deciding(flow)
    done: list[tuple[Talk, Counters]] = []

    def go(at: Talk, counters: Counters) -> None:
        while at.state.flow == flow.id and at.state.mode == "ask":
            counter = at.counter()
            assert counter is not None, at.text
            counters.append(counter)
            step = at.step()
            if step.id in deciding and step.kind != "multi_choice":
                for value in [v for v in at.options() if v != step.stop_on]:
                    branch = at.copy()
                    branch.answer(value)
                    go(branch, list(counters))
                return
            at.answer()
        done.append((at, counters))

    go(talk, [])
    return done


def assert_counts_up(counters: Counters, first: int = 1) -> None:
    shown = [n for n, _ in counters]
    assert shown == list(range(first, first + len(shown))), counters
    totals = [total for _, total in counters]
    assert totals == sorted(totals), counters  # N never shrinks
    assert all(n <= total for n, total in counters), counters


def test_every_registration_path_counts_one_by_one_to_the_end(engine: Engine) -> None:
    talk = Talk(engine)
    talk.start("registration")
    paths = every_path(talk)
    assert len(paths) == 4  # the four answers about earlier time in Japan
    for end, counters in paths:
        assert_counts_up(counters)
        assert counters[-1][0] == counters[-1][1]  # the last question is "n of n"
        assert end.state.mode == "review"
    lengths = sorted(len(c) for _, c in paths)
    assert lengths == [16, 16, 17, 17]  # the TITP field comes after a TITP answer
    with_field = next(c for _, c in paths if len(c) == 17)
    assert with_field[-2:] == [(16, 16), (17, 17)]  # N grows when the field starts to apply


def test_every_eligibility_path_counts_one_by_one(engine: Engine) -> None:
    talk = Talk(engine)
    talk.start("eligibility")
    paths = every_path(talk)
    assert len(paths) > 50  # every sector, TITP and SSW (i) answer
    for end, counters in paths:
        assert_counts_up(counters)
        assert end.events[-1].kind == "completed"
    assert {len(c) for _, c in paths} >= {3, 5, 8, 11}  # a 2027 field, nurse ... taxi, all


@pytest.mark.parametrize(
    "picks",
    [
        {"sector": "construction", "titp": "completed", "titp_field": "construction"},
        {"sector": "construction", "titp": "incomplete"},
        {"sector": "construction", "titp": "none"},
        {"sector": "it_engineer"},
        {"sector": "linen_supply"},
    ],
)
def test_carried_answers_count_as_done_on_every_registration_path(
    engine: Engine, picks: dict[str, str]
) -> None:
    talk = Talk(engine)
    talk.start("eligibility")
    talk.answer_all(lambda step: picks.get(step.id))
    talk.start("registration")
    carried = len(talk.state.carried.get("registration", []))
    assert carried >= 1 or picks["sector"] == "linen_supply"
    for _, counters in every_path(talk):
        assert_counts_up(counters, first=1 + carried)
        assert counters[-1][0] == counters[-1][1]


def test_back_steps_the_counter_down_by_one_and_on_again(engine: Engine) -> None:
    talk = Talk(engine)
    talk.start("eligibility")
    talk.answer_all(lambda step: {"sector": "construction"}.get(step.id))
    talk.start("registration")  # the sector and tests are carried: consent is step 3
    seen = [talk.counter()]
    for _ in range(11):
        talk.answer()
        seen.append(talk.counter())
    assert talk.step().id == "skills_test" and seen[-1] == (14, 16)
    talk.back()  # over the carried tests, to the Japanese level
    assert talk.step().id == "japanese_level" and talk.counter() == (13, 16)
    talk.back()  # over the carried sector, to the experience
    assert talk.step().id == "experience_years" and talk.counter() == (12, 16)
    talk.tap("k:experience_years")
    assert talk.step().id == "japanese_level" and talk.counter() == (13, 16)
    talk.tap("k:japanese_level")
    assert talk.step().id == "skills_test" and talk.counter() == (14, 16)
    assert [n for n, _ in seen] == list(range(3, 15))
