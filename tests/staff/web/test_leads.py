"""The leads list and a lead's page: search in any form, filters in the URL, sort, pages,
masking for viewers, every answer in plain words, the eligibility result, the timeline."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.staff.web import render
from bot.staff.web.leads import PAGE_SIZE
from tests.staff.web.conftest import StaffWeb, eligibility

URDU_NAME = "محمد علی آزمائشی"


async def _people(web: StaffWeb) -> dict[str, int]:
    """Three obviously fake workers."""
    return {
        "urdu": await web.lead(
            full_name=URDU_NAME,
            cnic="3520212345671",
            mobile="+923001234567",
            language="ur",
            source="roadshow_lahore",
            answers={"province": "punjab", "sectors": ["construction"]},
            eligibility=eligibility(),
            created_at=datetime(2026, 11, 20, 6, tzinfo=UTC),
        ),
        "sindh": await web.lead(
            full_name="Test Worker Beta",
            cnic="4210198765432",
            mobile="+923451112233",
            answers={"province": "sindh", "sectors": ["food_service"]},
            created_at=datetime(2026, 11, 22, 6, tzinfo=UTC),
        ),
        "kp": await web.lead(
            full_name="Test Worker Gamma",
            cnic="1710155555553",
            mobile="+923339998877",
            answers={"province": "kp", "sectors": ["agriculture", "construction"]},
            created_at=datetime(2026, 11, 24, 6, tzinfo=UTC),
        ),
    }


def _names(html: str) -> list[str]:
    return re.findall(r'<a href="/leads/\d+"><bdi>([^<]+)</bdi></a>', html)


async def test_search_by_name_cnic_or_phone_in_any_form(staff_web: StaffWeb) -> None:
    await _people(staff_web)
    officer = await staff_web.signed_in("nadia", "officer")
    for typed in (
        "محمد علی",  # part of an Urdu name, as typed
        "3520212345671",  # CNIC without dashes
        "35202-1234567-1",  # with dashes
        "0300-1234567",  # mobile, the Pakistani way
        "+92 300 1234567",
        "923001234567",
        "۰۳۰۰۱۲۳۴۵۶۷",  # Urdu digits
    ):
        page = await officer.get("/leads", q=typed)
        assert _names(page.text) == [URDU_NAME], typed
    assert _names((await officer.get("/leads", q="worker beta")).text) == ["Test Worker Beta"]
    assert _names((await officer.get("/leads", q="nobody like this")).text) == []


async def test_filters_live_in_the_url_and_combine(staff_web: StaffWeb) -> None:
    await _people(staff_web)
    officer = await staff_web.signed_in("omar", "officer")
    names = _names((await officer.get("/leads", sector="construction")).text)
    assert names == ["Test Worker Gamma", URDU_NAME]  # newest first
    assert _names((await officer.get("/leads", province="sindh")).text) == ["Test Worker Beta"]
    assert _names((await officer.get("/leads", language="ur")).text) == [URDU_NAME]
    assert _names((await officer.get("/leads", source="roadshow_lahore")).text) == [URDU_NAME]
    assert _names((await officer.get("/leads", eligible="after_steps")).text) == [URDU_NAME]
    page = await officer.get("/leads", since="2026-11-21", until="2026-11-23")
    assert _names(page.text) == ["Test Worker Beta"]
    page = await officer.get("/leads", sector="construction", province="kp", sort="name")
    assert _names(page.text) == ["Test Worker Gamma"]
    assert 'option value="kp" selected' in page.text  # the form shows the filter back
    oldest = await officer.get("/leads", sort="oldest")
    assert _names(oldest.text) == [URDU_NAME, "Test Worker Beta", "Test Worker Gamma"]
    bad = await officer.get("/leads", province="atlantis")
    assert bad.status == 200 and "was not understood" in bad.text


async def test_status_and_officer_filters(staff_web: StaffWeb) -> None:
    people = await _people(staff_web)
    officer_id = await staff_web.account("parveen", "officer")
    officer = await staff_web.signed_in("parveen")
    await officer.post(f"/leads/{people['sindh']}/status", {"status": "documents"})
    await officer.post(f"/leads/{people['kp']}/assign", {"officer": str(officer_id)})
    page = await officer.get("/leads", status="documents")
    assert _names(page.text) == ["Test Worker Beta"]
    assert _names((await officer.get("/leads", officer=str(officer_id))).text) == [
        "Test Worker Gamma"
    ]


async def test_pages_with_counts(staff_web: StaffWeb) -> None:
    for n in range(PAGE_SIZE + 5):
        await staff_web.lead(full_name=f"Test Worker Page {n:03d}")
    viewer = await staff_web.signed_in("qasim", "viewer")
    first = await viewer.get("/leads", sort="name")
    assert f"Leads 1–{PAGE_SIZE} of {PAGE_SIZE + 5}" in first.text
    assert "Page 1 of 2" in first.text and 'href="/leads?sort=name&amp;page=2"' in first.text
    second = await viewer.get("/leads", sort="name", page="2")
    assert f"Leads {PAGE_SIZE + 1}–{PAGE_SIZE + 5} of {PAGE_SIZE + 5}" in second.text
    assert _names(second.text)[0] == f"Test Worker Page {PAGE_SIZE:03d}"


async def test_a_viewer_sees_cnic_and_phone_masked(staff_web: StaffWeb) -> None:
    people = await _people(staff_web)
    viewer = await staff_web.signed_in("rabia", "viewer")
    officer = await staff_web.signed_in("saad", "officer")
    for path in ("/leads", f"/leads/{people['urdu']}"):
        seen = (await viewer.get(path)).text
        assert "35202-*******-1" in seen and "+92 300 *****67" in seen
        for secret in ("1234567", "3520212345671", "300 1234567"):
            assert secret not in seen
        full = (await officer.get(path)).text
        assert "35202-1234567-1" in full and "+92 300 1234567" in full
    lead_page = (await viewer.get(f"/leads/{people['urdu']}")).text
    assert 'action="/leads/' not in lead_page  # no forms for a viewer


async def test_a_lead_page_shows_answers_eligibility_times_and_source(staff_web: StaffWeb) -> None:
    people = await _people(staff_web)
    officer = await staff_web.signed_in("tahir", "officer")
    page = await officer.get(f"/leads/{people['urdu']}")
    assert page.status == 200
    text = page.text
    for plain in (
        "Punjab",
        "Matric (class 10)",
        "Construction",
        "JFT-Basic A2.2 or A2",
        "Faisalabad",
    ):
        assert plain in text, plain
    assert "roadshow_lahore" in text
    # the eligibility result as the worker saw it, each criterion with its reason, in English
    assert "SSW (i) in Construction: what you still need" in text
    assert "❌ Pass the skills test: Construction SSW (i) Evaluation Test" in text
    assert "✅ Japanese: JFT-Basic level A2.2 (A2), or JLPT N4 or higher" in text
    assert "20 Nov 2026, 11:00" in text  # registered, in Pakistan time (06:00 UTC)
    no_check = await officer.get(f"/leads/{people['sindh']}")
    assert "No eligibility check is stored with this lead." in no_check.text
    assert (await officer.get("/leads/999999")).status == 404


async def test_opening_a_lead_is_audited(staff_web: StaffWeb) -> None:
    people = await _people(staff_web)
    viewer = await staff_web.signed_in("uzma", "viewer")
    await viewer.get(f"/leads/{people['kp']}")
    views = await staff_web.audit("lead_view")
    assert [(v.actor, v.lead_id) for v in views] == [("uzma", people["kp"])]


async def test_status_notes_and_assignment_make_a_timeline(staff_web: StaffWeb) -> None:
    people = await _people(staff_web)
    officer_id = await staff_web.account("waqar", "officer")
    officer = await staff_web.signed_in("waqar")
    lead = people["sindh"]
    await officer.post(f"/leads/{lead}/status", {"status": "contacted", "note": "Called; fake."})
    staff_web.clock.advance(minutes=5)
    await officer.post(f"/leads/{lead}/notes", {"note": "یاد دہانی: کاغذات"})
    await officer.post(f"/leads/{lead}/assign", {"officer": str(officer_id)})
    await officer.post(f"/leads/{lead}/status", {"status": "contacted", "note": ""})  # no-op
    assert (await officer.post(f"/leads/{lead}/status", {"status": "bogus"})).status == 400
    stored = await staff_web.get_lead(lead)
    assert stored.status == "contacted" and stored.assigned_officer_id == officer_id
    page = (await officer.get(f"/leads/{lead}")).text
    timeline = page[page.index('<ol class="timeline">') :]
    assert "Status: New → Contacted" in timeline and "Called; fake." in timeline
    assert "یاد دہانی: کاغذات" in timeline and "Assigned to waqar" in timeline
    assert "25 Nov 2026, 09:00" in timeline and "25 Nov 2026, 09:05" in timeline
    assert timeline.index("Assigned to") < timeline.index("Status: New")  # newest first
    audit = await staff_web.audit()
    changes = [
        (e.action, e.detail)
        for e in audit
        if e.action.startswith("lead_") and e.action != "lead_view"
    ]
    assert changes == [
        ("lead_status", {"from": "new", "to": "contacted", "note": True}),
        ("lead_note", None),
        ("lead_assign", None),
    ]
    assert "Called" not in str([e.detail for e in audit])  # notes stay out of the audit log


def test_every_choice_of_the_filter_form_is_a_value_the_filter_takes() -> None:
    """The list's select boxes offer only values the filter parses (a form cannot send a
    value that the page then calls not understood)."""
    from bot.staff.filters import LeadFilter
    from bot.staff.web.labels import choices

    for field, options in choices().items():
        assert options, field
        for value, label in options:
            assert label
            LeadFilter.parse(**{field: value})


def test_times_are_pakistan_time_with_the_language_comma() -> None:
    moment = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)  # 12:00 in Karachi (UTC+5)
    assert render.pk_time(moment, "en") == "25 Nov 2026, 12:00"
    assert render.pk_time(moment, "ur") == "25 نومبر 2026، 12:00"
    assert render.pk_time(None, "ur") == "—"
