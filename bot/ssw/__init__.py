"""The SSW knowledge in one place: the catalogue, the eligibility reasoning, its screens, the facts.

The public entry point for every caller (the bot, the staff web, the matching of openings)::

    from bot import ssw
    assessment = ssw.assess(answers, today=today)  # pure: answers -> routes and verdicts
    ssw.render_summary(assessment)          # one phone screen, in the current language
    ssw.render_screens(assessment)          # every route in full ("Why"), as phone screens
    ssw.Assessment.from_dict(stored)        # an assessment kept with a lead

Modules: ``model`` (the dataclasses), ``loader`` (YAML → validated objects), ``catalogue``
(the project's own data, cached), ``assessment`` (a verdict as data), ``eligibility`` (the
reasoning), ``rendering`` (verdict → screens), ``screens`` and ``options`` (catalogue screens and
option lists for the flows), ``review`` (facts past or near their review date), ``facts_doc``
(every fact for review).
"""

from __future__ import annotations

from bot.ssw.assessment import Assessment, Criterion, Route, Step
from bot.ssw.eligibility import assess
from bot.ssw.rendering import (
    render,
    render_criterion,
    render_route,
    render_route_screens,
    render_screens,
    render_sources,
    render_summary,
)

__all__ = [
    "Assessment",
    "Criterion",
    "Route",
    "Step",
    "assess",
    "render",
    "render_criterion",
    "render_route",
    "render_route_screens",
    "render_screens",
    "render_sources",
    "render_summary",
]
