"""The dashboard and the facts-due page over real HTTP, on SQLite and PostgreSQL, in English
and in Urdu: charts drawn as SVG with titles and numbers, the period in the URL, roles."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bot.ssw import review
from tests.staff import factory
from tests.staff.web.conftest import START, StaffWeb

R = "registration"


async def _seed(web: StaffWeb) -> None:
    """Three people on 24 Nov (Pakistan): one registered, one stopped at the CNIC, one only
    browsed; two leads that day, one a month earlier."""
    day = datetime(2026, 11, 24, 6, tzinfo=UTC)
    registered = await factory.add_user(web.engine)
    await factory.add_events(
        web.engine,
        registered,
        [
            ("eligibility", "started", None, day),
            ("eligibility", "completed", None, day + timedelta(minutes=3)),
            (R, "started", None, day + timedelta(minutes=4)),
            (R, "step", "consent", day + timedelta(minutes=5)),
            (R, "registered", None, day + timedelta(minutes=9)),
        ],
    )
    stopped = await factory.add_user(web.engine)
    await factory.add_events(
        web.engine,
        stopped,
        [
            (R, "started", None, day),
            (R, "step", "consent", day + timedelta(minutes=1)),
            (R, "step", "full_name", day + timedelta(minutes=2)),
            (R, "step", "cnic", day + timedelta(minutes=3)),
        ],
    )
    browsed = await factory.add_user(web.engine)
    await factory.add_events(web.engine, browsed, [("sectors", "started", None, day)])
    for province, sectors in (
        ("punjab", ["construction"]),
        ("sindh", ["construction", "agriculture"]),
    ):
        await web.lead(
            answers={"province": province, "sectors": sectors},
            language="ur",
            source="roadshow_lahore",
            created_at=day,
        )
    await web.lead(answers={"province": "kp"}, created_at=day - timedelta(days=40))


def _svgs(html: str) -> list[str]:
    return re.findall(r"<svg class=\"chart.*?</svg>", html, re.S)


async def test_the_dashboard_draws_each_chart_with_its_numbers(staff_web: StaffWeb) -> None:
    await _seed(staff_web)
    viewer = await staff_web.signed_in("test.viewer", "viewer")
    page = await viewer.get("/dashboard")
    assert page.status == 200
    svgs = _svgs(page.text)
    assert len(svgs) == 7  # funnel, stopped, per day, sector, province, language, source
    for svg in svgs:
        assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
        assert 'viewBox="0 0 480 ' in svg and 'width="100%"' in svg
    funnel = svgs[0]
    assert "From first use to registration" in funnel
    assert re.search(r"Started using the bot</text>.*?>3 \(100%\)</text>", funnel)
    assert re.search(r"Checked eligibility</text>.*?>1 \(33%\)</text>", funnel)
    assert re.search(r"Finished registering</text>.*?>1 \(33%\)</text>", funnel)
    assert re.search(r">CNIC</text>.*?>1</text>", svgs[1])  # stopped at the CNIC, in plain words
    assert "full_name" not in svgs[1]
    assert "Construction" in svgs[3] and re.search(r"Sindh</text>.*?>1</text>", svgs[4])
    assert "2 new leads." in page.text  # the month-old lead is outside the 30 days
    assert '<table class="figures">' in page.text and '<th scope="row">Punjab</th>' in page.text
    assert "<script" not in page.text and "http://" not in page.text.replace(
        "http://www.w3.org/2000/svg", ""
    )

    ninety = await viewer.get("/dashboard", days="90")
    assert "3 new leads." in ninety.text
    assert 'href="/dashboard?days=90" aria-current="page"' in ninety.text
    odd = await viewer.get("/dashboard", days="12")  # not offered: the default
    assert 'href="/dashboard?days=30" aria-current="page"' in odd.text


async def test_the_dashboard_in_urdu_is_right_to_left(staff_web: StaffWeb) -> None:
    await _seed(staff_web)
    officer = await staff_web.signed_in("test.officer", "officer")
    await officer.post("/language", {"language": "ur", "next": "/dashboard"})
    page = await officer.get("/dashboard")
    assert page.status == 200 and 'dir="rtl"' in page.text
    svgs = _svgs(page.text)
    assert len(svgs) == 7 and all('direction="rtl"' in svg for svg in svgs)
    assert "Started using the bot" not in page.text and "Leads by province" not in page.text
    assert "پنجاب" in svgs[4]  # Punjab, in Urdu


async def test_an_empty_dashboard_says_so(staff_web: StaffWeb) -> None:
    viewer = await staff_web.signed_in("test.viewer", "viewer")
    page = await viewer.get("/dashboard", days="7")
    assert page.status == 200
    assert page.text.count("Nothing in this period.") == 7
    assert "0 new leads." in page.text


async def test_facts_due_lists_what_ssw_bot_facts_due_lists(staff_web: StaffWeb) -> None:
    staff_web.clock.at = datetime(2027, 3, 15, 4, tzinfo=UTC)
    expected = review.due(datetime(2027, 3, 15).date(), 30)
    assert expected  # the flows have facts due by then
    viewer = await staff_web.signed_in("test.viewer", "viewer")
    page = await viewer.get("/facts-due")
    assert page.status == 200
    assert page.text.count('<li class="card">') == len(expected)
    past = sum(1 for item in expected if item.is_past(datetime(2027, 3, 15).date()))
    assert f"{len(expected)} facts to check. {past} are past their date." in page.text
    assert "Review date 1 Mar 2027: 14 days ago." in page.text
    assert "Review date 1 Apr 2027: in 17 days." in page.text
    assert 'href="https://www.jpf.go.jp/jft-basic/e/"' in page.text  # an official page
    assert 'href="https://jpf.go.jp/jft-basic/e/about/"' in page.text  # a source, linked
    assert '<li><bdi dir="ltr">ARY News 2025-12-31</bdi></li>' in page.text  # not a web page

    await viewer.post("/language", {"language": "ur", "next": "/facts-due"})
    urdu = await viewer.get("/facts-due")
    assert 'dir="rtl"' in urdu.text and "Facts to check" not in urdu.text
    assert urdu.text.count('<li class="card">') == len(expected)


async def test_no_facts_due_today(staff_web: StaffWeb) -> None:
    assert START.date().isoformat() == "2026-11-25"
    viewer = await staff_web.signed_in("test.viewer", "viewer")
    page = await viewer.get("/facts-due")
    assert page.status == 200 and "No fact is due for review within 30 days." in page.text


async def test_a_source_is_shown_as_text_never_as_markup(staff_web: StaffWeb) -> None:
    """Sources come from deep links, which anyone can write: the charts escape them."""
    await staff_web.lead(source='x"><script>alert(1)</script>', created_at=START)
    viewer = await staff_web.signed_in("test.viewer", "viewer")
    page = await viewer.get("/dashboard", days="7")
    assert "<script>" not in page.text
    assert "x&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


async def test_the_dashboard_lists_each_opening_with_its_figures(staff_web: StaffWeb) -> None:
    from sqlalchemy import insert, select

    from bot.storage.db import session_factory
    from bot.storage.models import Lead
    from bot.storage.opening_models import Opening, OpeningCandidate

    invited = START - timedelta(days=1)
    async with session_factory(staff_web.engine)() as db, db.begin():
        opening = Opening(
            title="<b>Test</b> packers", sector="food_manufacturing", employer="Example KK",
            prefecture="aichi", places=12, deadline=datetime(2027, 3, 1).date(), state="open",
        )  # fmt: skip
        db.add(opening)
        await db.flush()
        opening_id = opening.id
    for hours, status in ((3, "selected"), (5, "new")):
        reference = await factory.add_lead(staff_web.engine, status=status)
        async with staff_web.engine.begin() as connection:
            lead_id, user_id = (
                await connection.execute(
                    select(Lead.id, Lead.user_id).where(Lead.reference == reference)
                )
            ).one()
            await connection.execute(
                insert(OpeningCandidate).values(
                    opening_id=opening_id, lead_id=lead_id, user_id=user_id, match="meets",
                    missing=[], matched_at=invited, invited_at=invited, answer="interested",
                    answered_at=invited + timedelta(hours=hours),
                    shortlisted_at=START if status == "selected" else None,
                )
            )  # fmt: skip
    viewer = await staff_web.signed_in("test.viewer", "viewer")
    page = await viewer.get("/dashboard")
    assert page.status == 200
    table = page.text[page.text.index('id="openings"') :]
    assert f'href="/openings/{opening_id}"' in table
    assert "&lt;b&gt;Test&lt;/b&gt; packers" in table  # a title is text, never markup
    cells = re.findall(r"<td><bdi>([^<]*)</bdi></td>", table)
    # deadline, places, invited, interested, shortlisted, selected, median wait
    assert cells == ["1 Mar 2027", "12", "2", "2", "1", "1", "4 h"]
    await viewer.post("/language", {"language": "ur", "next": "/dashboard"})
    urdu = await viewer.get("/dashboard")
    assert "Invitation to answer (median)" not in urdu.text  # translated
    assert f'href="/openings/{opening_id}"' in urdu.text


async def test_no_openings_says_so(staff_web: StaffWeb) -> None:
    viewer = await staff_web.signed_in("test.viewer", "viewer")
    page = await viewer.get("/dashboard")
    assert "No job openings yet." in page.text
