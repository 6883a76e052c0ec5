"""The possible-duplicates page through real HTTP, on SQLite and PostgreSQL: pairs side by side
with the matching fields marked, decisions (keep both, merge, mark invalid) and undo, each in
the timelines and the audit log; viewers refused, forged forms refused, pages and counts."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.staff.web.duplicates import PAGE_SIZE
from tests.staff.web.conftest import StaffWeb

CNIC = "3520212345671"


async def _pair(web: StaffWeb, mobile: bool = False) -> tuple[int, int]:
    """An earlier lead and a later one from another account, marked as its possible
    duplicate (by CNIC, or by mobile number)."""
    first = await web.lead(
        full_name="Test Worker Alpha",
        cnic=CNIC if not mobile else "3520299999991",
        mobile="+923001234567",
        source="roadshow_lahore",
        answers={"province": "punjab", "district": "Faisalabad", "sectors": ["construction"]},
        created_at=datetime(2026, 11, 20, 6, tzinfo=UTC),
    )
    second = await web.lead(
        full_name="test worker  ALPHA",
        cnic=CNIC if not mobile else "3520288888881",
        mobile="+923001234567" if mobile else "+923459876543",
        answers={"province": "sindh", "district": "Karachi", "sectors": ["construction"]},
        created_at=datetime(2026, 11, 22, 6, tzinfo=UTC),
        duplicate_of_id=first,
        duplicate_reason="mobile" if mobile else "cnic",
    )
    return second, first


def _decision_id(location: str | None) -> int:
    found = re.fullmatch(r"/duplicates\?done=(\d+)", location or "")
    assert found, location
    return int(found.group(1))


def _rows(html: str) -> dict[str, bool]:
    """Each comparison row's label → marked as the same."""
    rows = re.findall(r'<tr( class="same")?>\s*<th scope="row">([^<]+)', html)
    return {label.strip(): bool(same) for same, label in rows}


async def test_viewers_are_refused_and_see_no_menu_entry(staff_web: StaffWeb) -> None:
    marked, other = await _pair(staff_web)
    viewer = await staff_web.signed_in("vera", "viewer")
    assert (await viewer.get("/duplicates")).status == 403
    form = {"lead": str(marked), "other": str(other), "decision": "keep_both"}
    assert (await viewer.post("/duplicates/resolve", form)).status == 403
    assert (await viewer.post("/duplicates/undo", {"decision": "1"})).status == 403
    assert 'href="/duplicates"' not in (await viewer.get("/leads")).text
    assert (await staff_web.get_lead(marked)).duplicate_of_id == other
    officer = await staff_web.signed_in("omar", "officer")
    assert 'href="/duplicates"' in (await officer.get("/leads")).text


async def test_a_pair_side_by_side_with_the_matches_marked(staff_web: StaffWeb) -> None:
    marked, other = await _pair(staff_web)
    officer = await staff_web.signed_in("omar", "officer")
    page = await officer.get("/duplicates")
    assert page.status == 200
    first, second = await staff_web.get_lead(other), await staff_web.get_lead(marked)
    text = page.text
    assert "Pairs 1–1 of 1" in text and "Same CNIC: 1" in text and "Same mobile number: 0" in text
    assert text.index(second.reference) < text.index(first.reference)  # marked lead first
    assert _rows(text) == {
        "Name": True,  # case and spaces aside
        "CNIC": True,
        "Mobile": False,
        "District and province": False,
        "Work": True,
        "Registered": False,
        "Source": False,
        "Status": False,  # shown, not compared
        "Accounts": False,
    }
    assert "35202-1234567-1" in text and "+92 345 9876543" in text  # officers: in full
    assert "\u2068Faisalabad\u2069 · \u2068Punjab\u2069" in text
    assert "\u2068Karachi\u2069 · \u2068Sindh\u2069" in text
    assert text.count("From two different accounts") == 1  # one cell across both leads
    assert "telegram" not in text.lower()  # accounts are never shown by their ids
    for user_id in (first.user_id, second.user_id):
        assert f"u{user_id}" not in text
    lead_page = await officer.get(f"/leads/{marked}")
    assert f'Possible duplicate of <a href="/leads/{other}">' in lead_page.text
    assert f'href="/duplicates?lead={marked}"' in lead_page.text
    one = await officer.get("/duplicates", lead=str(other))
    assert "Pairs 1–1 of 1" in one.text and "The pairs of one lead only." in one.text


async def test_keep_both_is_recorded_shown_and_undone(staff_web: StaffWeb) -> None:
    marked, other = await _pair(staff_web)
    officer = await staff_web.signed_in("omar", "officer")
    await officer.get("/duplicates")
    staff_web.clock.advance(minutes=3)
    done = await officer.post(
        "/duplicates/resolve", {"lead": str(marked), "other": str(other), "decision": "keep_both"}
    )
    assert done.status == 303
    decision = _decision_id(done.location)
    page = await officer.get(done.location or "")
    assert "Decision recorded: Kept both (not the same person)." in page.text
    assert "No possible duplicates to check." in page.text
    assert (await staff_web.get_lead(marked)).duplicate_of_id is None
    other_reference = (await staff_web.get_lead(other)).reference
    timeline = (await officer.get(f"/leads/{marked}")).text
    assert "Not the same person as" in timeline and other_reference in timeline
    assert "Possible duplicate of" not in timeline
    (entry,) = await staff_web.audit("duplicate_keep_both")
    assert entry.actor == "omar" and entry.lead_id == marked
    assert entry.detail == {"decision": decision, "other": other, "reason": "cnic"}

    decided = await officer.get("/duplicates", show="decided")
    assert "1 decision, newest first." in decided.text
    undone = await officer.post("/duplicates/undo", {"decision": str(decision)})
    assert undone.status == 303 and undone.location == "/duplicates?show=decided"
    assert (await staff_web.get_lead(marked)).duplicate_of_id == other
    assert "Undone by omar" in (await officer.get("/duplicates", show="decided")).text
    assert "Pairs 1–1 of 1" in (await officer.get("/duplicates")).text
    assert [e.detail for e in await staff_web.audit("duplicate_undo")] == [
        {"decision": decision, "undid": "keep_both", "other": other}
    ]
    assert "Undone: both kept, with" in (await officer.get(f"/leads/{marked}")).text


async def test_merge_links_both_leads_and_keeps_the_notes(staff_web: StaffWeb) -> None:
    marked, other = await _pair(staff_web)
    officer = await staff_web.signed_in("omar", "officer")
    await officer.get(f"/leads/{marked}")
    noted = await officer.post(f"/leads/{marked}/notes", {"note": "Fake note: called"})
    assert noted.status == 303
    done = await officer.post(
        "/duplicates/resolve",
        {"lead": str(marked), "other": str(other), "decision": "merge", "target": str(other)},
    )
    assert done.status == 303
    merged, kept = await staff_web.get_lead(marked), await staff_web.get_lead(other)
    assert merged.merged_into_id == other and merged.status == "invalid"
    page = (await officer.get(f"/leads/{marked}")).text
    assert f'Merged into <a href="/leads/{other}"><bdi class="mono">{kept.reference}' in page
    assert "Fake note: called" in page and "Status: New → Invalid" in page
    kept_page = (await officer.get(f"/leads/{other}")).text
    assert (
        f'<a href="/leads/{marked}"><bdi class="mono">{merged.reference}</bdi></a> was merged'
        in (kept_page)
    )
    (entry,) = await staff_web.audit("duplicate_merge")
    assert entry.detail is not None and entry.detail["kept"] == other
    assert entry.detail["changed"] == marked


async def test_mark_invalid_and_a_second_click_on_the_old_page(staff_web: StaffWeb) -> None:
    marked, other = await _pair(staff_web, mobile=True)
    officer = await staff_web.signed_in("omar", "officer")
    colleague = await staff_web.signed_in("nadia", "officer")
    await officer.get("/duplicates")
    await colleague.get("/duplicates")
    form = {"lead": str(marked), "other": str(other), "decision": "invalid", "target": str(marked)}
    assert (await officer.post("/duplicates/resolve", form)).status == 303
    assert (await staff_web.get_lead(marked)).status == "invalid"
    again = await colleague.post(
        "/duplicates/resolve", {**form, "decision": "merge", "target": str(other)}
    )
    assert again.status == 303 and again.location == "/duplicates?stale=1"
    assert (await staff_web.get_lead(marked)).merged_into_id is None  # nothing changed
    assert len(await staff_web.audit("duplicate_merge")) == 0
    page = await colleague.get("/duplicates", stale="1")
    assert "That pair was already decided or has changed" in page.text
    bad = {**form, "target": "999999"}
    assert (await colleague.post("/duplicates/resolve", bad)).status == 400


async def test_a_forged_decision_is_refused(staff_web: StaffWeb) -> None:
    marked, other = await _pair(staff_web)
    officer = await staff_web.signed_in("omar", "officer")
    other_browser = await staff_web.signed_in("nadia", "officer")
    form = {"lead": str(marked), "other": str(other), "decision": "keep_both"}
    forged = [
        await officer.post("/duplicates/resolve", form, csrf=None),
        await officer.post("/duplicates/resolve", form, csrf="0" * 64),
        await officer.post("/duplicates/resolve", form, csrf=other_browser.csrf),
    ]
    assert [page.status for page in forged] == [403, 403, 403]
    assert (await staff_web.get_lead(marked)).duplicate_of_id == other
    decision = await staff_web.decide(marked, other, "omar")
    forged_undo = await officer.post("/duplicates/undo", {"decision": str(decision)}, csrf=None)
    assert forged_undo.status == 403
    assert (await staff_web.get_lead(marked)).duplicate_of_id is None  # still decided
    assert await staff_web.audit("duplicate_undo") == []


async def test_pairs_come_in_pages_with_counts(staff_web_sqlite: StaffWeb) -> None:
    web = staff_web_sqlite
    first = await web.lead(full_name="Test Worker Original", cnic=CNIC)
    for n in range(PAGE_SIZE + 3):
        await web.lead(
            full_name=f"Test Worker Copy {n}",
            cnic=CNIC,
            duplicate_of_id=first,
            duplicate_reason="cnic",
        )
    officer = await web.signed_in("omar", "officer")
    page = await officer.get("/duplicates")
    assert f"Pairs 1–{PAGE_SIZE} of {PAGE_SIZE + 3}" in page.text
    assert page.text.count('class="card pair"') == PAGE_SIZE
    assert 'href="/duplicates?page=2" rel="next"' in page.text
    second = await officer.get("/duplicates", page="2")
    assert f"Pairs {PAGE_SIZE + 1}–{PAGE_SIZE + 3} of {PAGE_SIZE + 3}" in second.text
    assert second.text.count('class="card pair"') == 3
