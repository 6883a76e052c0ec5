"""The one call a reply may leave to the webhook response (bot.channels.deferred)."""

from __future__ import annotations

import asyncio

from bot.channels import deferred


def test_without_a_slot_nothing_is_deferred() -> None:
    assert deferred.current() is None
    assert not deferred.defer("sendMessage", {"chat_id": 1, "text": "hi"})
    deferred.mark_failed()  # nothing to mark: no error


async def test_one_call_per_slot_and_none_after_it_closed() -> None:
    slot, token = deferred.open_slot()
    started = asyncio.Event()
    go_on = asyncio.Event()
    late: list[bool] = []

    async def outlives_the_request() -> None:  # copies the context, slot included
        started.set()
        await go_on.wait()
        late.append(deferred.defer("sendMessage", {"chat_id": 1, "text": "late"}))

    task = asyncio.create_task(outlives_the_request())
    await started.wait()
    assert deferred.defer("answerCallbackQuery", {"callback_query_id": "7"})
    assert not deferred.defer("sendMessage", {"chat_id": 1, "text": "second"})
    deferred.close_slot(token)
    go_on.set()
    await task
    assert late == [False] and deferred.current() is None
    assert slot.body() == {"method": "answerCallbackQuery", "callback_query_id": "7"}
    assert not slot.failed


async def test_a_failure_is_marked_on_the_slot() -> None:
    slot, token = deferred.open_slot()
    deferred.mark_failed()
    deferred.close_slot(token)
    assert slot.failed and slot.body() is None


async def test_the_place_of_the_deferred_call_is_released_once() -> None:
    released: list[str] = []
    slot, token = deferred.open_slot()
    assert deferred.free()
    assert deferred.defer("sendMessage", {"chat_id": 1, "text": "hi"}, lambda: released.append("x"))
    assert not deferred.free()
    deferred.close_slot(token)
    assert not deferred.free()
    slot.left()
    slot.left()  # the route's finally, after a path that released it already
    assert released == ["x"]
