"""The fake Bot API's parts the outbox and staff commands use, through python-telegram-bot's
``Bot`` over real HTTP: documents uploaded as multipart (bytes kept), group chats, a blocked
user's 403, and one 429 with ``retry_after`` on demand."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter

from tests.fake_bot_api import TOKEN, FakeBotApi


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as ptb:
        yield ptb


async def test_a_document_is_kept_with_its_bytes(api: FakeBotApi, bot: Bot) -> None:
    user = api.user(3001)
    data = b"PK\x03\x04 fake workbook bytes \x00\xff"
    message = await bot.send_document(3001, document=data, filename="leads.xlsx", caption="Hi")
    assert message.document is not None and message.document.file_name == "leads.xlsx"
    assert message.caption == "Hi"
    record = await user.reply()
    assert record.document is not None
    assert (record.document.filename, record.document.data, record.text) == (
        "leads.xlsx",
        data,
        "Hi",
    )
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_document(3999, document=data, filename="x.xlsx")


async def test_a_group_chat(api: FakeBotApi, bot: Bot) -> None:
    group = api.group(-100777, "OEC staff (test)")
    message = await bot.send_message(group, "3 new registrations")
    assert message.chat.type == "group" and message.chat.title == "OEC staff (test)"
    assert [m.text for m in api.messages(group)] == ["3 new registrations"]
    with pytest.raises(ValueError):
        api.group(100)


async def test_blocked_and_retry_after_once(api: FakeBotApi, bot: Bot) -> None:
    api.user(3002).blocked = True
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(3002, "hello")
    api.user(3003)
    api.retry_after_once("sendMessage", 7)
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(3003, "hello")
    assert raised.value._retry_after.total_seconds() == 7
    await bot.send_message(3003, "hello")  # only once
    assert len(api.messages(3003)) == 1
    assert len(api.times_of("sendMessage")) == 3
