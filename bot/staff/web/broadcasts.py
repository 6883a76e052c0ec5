"""Broadcasts, for officers and admins (viewers see the list and the progress): write an
announcement in English, Urdu and Japanese with a preview of each as the worker will see it,
choose a segment and see how many it reaches (kept in the URL; a few lines of JS refresh the
count as it changes), send after a confirmation, then follow its progress (numbers at load,
refreshed from a small JSON endpoint) and pause, resume or cancel it.

The SQL is ``bot.storage.broadcasts``; the segment is ``bot.staff.segments``; what the worker
sees is ``bot.broadcasts``. Every action is in the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from bot import broadcasts as texts
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, N_, gettext, is_rtl, ngettext
from bot.staff.accounts import has_role
from bot.staff.segments import Segment
from bot.staff.web import labels
from bot.staff.web.forms import fields, int_param, redirect
from bot.staff.web.render import render
from bot.staff.web.state import client_address, db, now, signed_in
from bot.storage import broadcasts as store
from bot.storage import staff as staff_store
from bot.storage.models import Broadcast

STATE_LABELS: dict[str, str] = {
    store.DRAFT: N_("Draft"),
    store.SENDING: N_("Sending"),
    store.PAUSED: N_("Paused"),
    store.DONE: N_("Done"),
    store.STOPPED: N_("Cancelled"),
}
REGISTERED_LABELS = {"yes": N_("Registered"), "no": N_("Not registered")}
HARD_LIMIT = 20_000  # characters kept of a text that is far too long (the form says so)


def _segment_choices() -> dict[str, list[tuple[str, str]]]:
    choices = labels.choices()
    choices["registered"] = [(k, gettext(v)) for k, v in REGISTERED_LABELS.items()]
    return choices


def describe_segment(segment: Segment) -> str:
    """The segment in words, in the staff's language: "Province: Punjab · Work: ..."."""
    names = {
        "language": N_("Language"),
        "sector": N_("Work"),
        "province": N_("Province"),
        "eligible": N_("Eligibility"),
        "status": N_("Status"),
        "registered": N_("Registered"),
    }
    choices = _segment_choices()
    parts = []
    for key, value in segment.as_dict().items():
        shown = dict(choices[key]).get(value, value)
        parts.append(f"{gettext(names[key])}: {shown}")
    return " · ".join(parts) if parts else gettext(N_("Everyone"))


def reach_text(count: int) -> str:
    return ngettext("This will reach {n} person.", "This will reach {n} people.", count).format(
        n=count
    )


def _broadcast_texts(form: Mapping[str, str]) -> dict[str, str]:
    return {lang: form.get(f"text_{lang}", "").strip()[:HARD_LIMIT] for lang in LANGUAGES}


def _previews(broadcast_texts: Mapping[str, str]) -> list[dict[str, Any]]:
    previews = []
    for lang in LANGUAGES:
        written = (broadcast_texts.get(lang) or "").strip()
        shown = texts.render(written, lang) if written else None
        previews.append(
            {
                "lang": lang,
                "name": LANGUAGE_NAMES[lang],
                "dir": "rtl" if is_rtl(lang) else "ltr",
                "text": shown.text if shown else "",
                "button": shown.button.label if shown else "",
                "length": texts.utf16_length(written),
            }
        )
    return previews


async def _broadcast(request: web.Request, *, for_update: bool = False) -> Broadcast:
    found = await store.get(db(request), int_param(request, "broadcast_id"), for_update=for_update)
    if found is None:
        raise web.HTTPNotFound()
    return found


async def _audit(request: web.Request, action: str, broadcast_id: int, **detail: Any) -> None:
    await staff_store.audit(
        db(request),
        action,
        now(request),
        account=signed_in(request),
        target=f"broadcast {broadcast_id}",
        detail={"broadcast": broadcast_id, **detail},
        address=client_address(request),
    )


# -- pages ------------------------------------------------------------------------------------


async def list_page(request: web.Request) -> web.StreamResponse:
    session = db(request)
    rows = await store.recent(session)
    progress = await store.progress(session, [b.id for b in rows])
    names = await staff_store.account_names(session)
    items = [
        {
            "id": b.id,
            "state": b.state,
            "state_text": gettext(STATE_LABELS.get(b.state, b.state)),
            "segment": describe_segment(Segment.from_mapping(b.segment or {})),
            "progress": progress[b.id],
            "total": b.total,
            "by": names.get(b.created_by_id or 0),
            "created": b.created_at,
            "started": b.started_at,
        }
        for b in rows
    ]
    account = signed_in(request)
    return render(
        request,
        "broadcasts.html",
        {"items": items, "can_send": has_role(account.role, "officer")},
    )


async def _edit_page(
    request: web.Request, broadcast: Broadcast | None, segment: Segment
) -> web.StreamResponse:
    written = dict(broadcast.texts or {}) if broadcast is not None else {}
    count = await store.reach(db(request), segment)
    action = f"/broadcasts/{broadcast.id}" if broadcast is not None else "/broadcasts"
    return render(
        request,
        "broadcast_edit.html",
        {
            "broadcast": broadcast,
            "action": action,
            "segment": segment.as_dict(),
            "segment_text": describe_segment(segment),
            "choices": _segment_choices(),
            "reach": count,
            "reach_text": reach_text(count),
            "texts": written,
            "previews": _previews(written) if broadcast is not None else [],
            "missing": [LANGUAGE_NAMES[lang] for lang in texts.missing(written)],
            "too_long": [LANGUAGE_NAMES[lang] for lang in texts.too_long(written)],
            "max_text": texts.MAX_TEXT,
            "languages": [(lang, LANGUAGE_NAMES[lang]) for lang in LANGUAGES],
        },
    )


async def new_page(request: web.Request) -> web.StreamResponse:
    """An empty form; the segment comes from the URL (``?province=punjab``)."""
    return await _edit_page(request, None, Segment.from_mapping(request.query))


async def detail(request: web.Request) -> web.StreamResponse:
    """A draft: its form (for officers), previews and reach; once sent: its progress."""
    broadcast = await _broadcast(request)
    account = signed_in(request)
    if broadcast.state == store.DRAFT and has_role(account.role, "officer"):
        shown = request.query if set(request.query) else (broadcast.segment or {})
        return await _edit_page(request, broadcast, Segment.from_mapping(shown))
    session = db(request)
    progress = (await store.progress(session, [broadcast.id]))[broadcast.id]
    names = await staff_store.account_names(session)
    return render(
        request,
        "broadcast.html",
        {
            "b": broadcast,
            "state_text": gettext(STATE_LABELS.get(broadcast.state, broadcast.state)),
            "segment_text": describe_segment(Segment.from_mapping(broadcast.segment or {})),
            "progress": progress,
            "by": names.get(broadcast.created_by_id or 0),
            "previews": _previews(dict(broadcast.texts or {})),
            "can_change": has_role(account.role, "officer"),
            "live": broadcast.state in {store.SENDING, store.PAUSED},
            "max_text": texts.MAX_TEXT,
        },
    )


async def confirm_page(request: web.Request) -> web.StreamResponse:
    broadcast = await _broadcast(request)
    written = dict(broadcast.texts or {})
    segment = Segment.from_mapping(broadcast.segment or {})
    count = await store.reach(db(request), segment)
    ready = not texts.missing(written) and not texts.too_long(written)
    return render(
        request,
        "broadcast_send.html",
        {
            "b": broadcast,
            "draft": broadcast.state == store.DRAFT,
            "ready": ready,
            "reach": count,
            "reach_text": reach_text(count),
            "segment_text": describe_segment(segment),
            "previews": _previews(written),
            "max_text": texts.MAX_TEXT,
        },
    )


# -- JSON -------------------------------------------------------------------------------------


async def reach_json(request: web.Request) -> web.StreamResponse:
    """How many a segment reaches (the segment in the URL), for the form's script."""
    segment = Segment.from_mapping(request.query)
    count = await store.reach(db(request), segment)
    return web.json_response(
        {"count": count, "text": reach_text(count), "segment": segment.as_dict()}
    )


async def progress_json(request: web.Request) -> web.StreamResponse:
    broadcast = await _broadcast(request)
    progress = (await store.progress(db(request), [broadcast.id]))[broadcast.id]
    state_text = gettext(STATE_LABELS.get(broadcast.state, broadcast.state))
    return web.json_response(
        {"state": broadcast.state, "state_text": state_text, **progress.as_dict()}
    )


# -- actions ----------------------------------------------------------------------------------


async def create(request: web.Request) -> web.StreamResponse:
    form = await fields(request)
    account = signed_in(request)
    segment = Segment.from_mapping(form)
    broadcast = await store.create(
        db(request), _broadcast_texts(form), segment, now(request), account.id
    )
    await _audit(request, "broadcast_create", broadcast.id)
    return redirect(f"/broadcasts/{broadcast.id}#preview")


async def save(request: web.Request) -> web.StreamResponse:
    form = await fields(request)
    broadcast = await _broadcast(request, for_update=True)
    segment = Segment.from_mapping(form)
    if await store.save_draft(
        db(request), broadcast, _broadcast_texts(form), segment, now(request)
    ):
        await _audit(request, "broadcast_edit", broadcast.id)
    return redirect(f"/broadcasts/{broadcast.id}#preview")


async def send(request: web.Request) -> web.StreamResponse:
    """Queue a message for everyone the segment reaches now, in this request's transaction."""
    broadcast = await _broadcast(request, for_update=True)
    written = dict(broadcast.texts or {})
    if broadcast.state != store.DRAFT:
        return redirect(f"/broadcasts/{broadcast.id}")
    if texts.missing(written) or texts.too_long(written):
        return redirect(f"/broadcasts/{broadcast.id}/send")
    total = await store.start(db(request), broadcast, now(request))
    if total is not None:
        await _audit(request, "broadcast_send", broadcast.id, total=total)
    return redirect(f"/broadcasts/{broadcast.id}")


async def pause(request: web.Request) -> web.StreamResponse:
    broadcast_id = int_param(request, "broadcast_id")
    if await store.pause(db(request), broadcast_id, now(request)):
        await _audit(request, "broadcast_pause", broadcast_id)
    return redirect(f"/broadcasts/{broadcast_id}")


async def resume(request: web.Request) -> web.StreamResponse:
    broadcast_id = int_param(request, "broadcast_id")
    if await store.resume(db(request), broadcast_id, now(request)):
        await _audit(request, "broadcast_resume", broadcast_id)
    return redirect(f"/broadcasts/{broadcast_id}")


async def cancel(request: web.Request) -> web.StreamResponse:
    broadcast_id = int_param(request, "broadcast_id")
    cancelled = await store.cancel(db(request), broadcast_id, now(request))
    if cancelled is not None:
        await _audit(request, "broadcast_cancel", broadcast_id, cancelled=cancelled)
    return redirect(f"/broadcasts/{broadcast_id}")
