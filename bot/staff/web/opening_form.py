"""The job opening's form in the staff web: its choices (open SSW fields and their job types,
routes, prefectures, Japanese levels, education) and the parsing and validation of what an
officer typed, with a message per field; what was typed comes back as it was on an error.

``parse`` returns the values for ``bot.storage.openings`` (``FORM_COLUMNS``) and the errors;
the requirements also go through ``bot.ssw.matching.Requirements``, which refuses
contradictions. ``publish_problems`` says why an opening cannot be published yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot import prefectures
from bot.i18n import LANGUAGE_NAMES, N_, gettext
from bot.ssw import catalogue
from bot.ssw.matching import EDUCATION_LABELS, JAPANESE_LEVELS, Requirements
from bot.storage.opening_models import Opening

DESCRIPTION_LANGUAGES = ("en", "ur", "ja")
MAX_TITLE = 120
MAX_EMPLOYER = 120
MAX_PAY_INCLUDES = 200
MAX_DESCRIPTION = 1500
MAX_PLACES = 10_000
MAX_PAY = 10_000_000
ROUTE_LABELS = {"ssw1": N_("SSW (i)"), "ssw2": N_("SSW (ii)")}
SKILLS_LABELS = {
    "passed": N_("Skills test passed"),
    "not_needed": N_("Skills test not needed before applying"),
}
DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")

REQUIRED = N_("Please fill this in.")
TOO_LONG = N_("Too long: at most {max} characters.")
NOT_A_NUMBER = N_("Please write a whole number, like 20.")
OUT_OF_RANGE = N_("Please write a number from {low} to {high}.")
NOT_A_DATE = N_("Please choose a date.")
UNKNOWN_CHOICE = N_("Please choose from the list.")
NO_JOB_TYPE = N_("This kind of work has no job types: leave it empty.")
CHOOSE_JOB_TYPE = N_("Please choose the job type.")
NO_SSW2 = N_("SSW (ii) is not available for this kind of work.")
AGES_REVERSED = N_("The lowest age is above the highest.")
MAX_TOO_YOUNG = N_("Nobody can enter Japan under {age}: the highest age must be {age} or more.")
ENTRY_BEFORE_DEADLINE = N_("The entry date cannot be before the deadline.")
CONTRADICTION = N_("These requirements contradict each other: {reason}")
MISSING_DESCRIPTIONS = N_(
    "A description is missing in: {languages}. All three are needed to publish."
)
DEADLINE_PASSED = N_("The deadline has passed: choose a later one to publish.")


@dataclass
class Parsed:
    """The form as typed (``typed``, shown back), the values to store, the errors by field."""

    typed: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def sector_choices() -> list[dict[str, Any]]:
    """The open SSW fields with their job types and whether SSW (ii) exists for them."""
    return [
        {
            "id": s.id,
            "name": gettext(s.name).strip(),
            "ssw2": s.ssw2_available,
            "categories": [(c.id, gettext(c.name)) for c in s.categories],
        }
        for s in catalogue.sectors()
        if s.status == "open"
    ]


def choices() -> dict[str, Any]:
    return {
        "sectors": sector_choices(),
        "routes": [(k, gettext(v)) for k, v in ROUTE_LABELS.items()],
        "prefectures": prefectures.choices(),
        "japanese": [(t, gettext(catalogue.japanese_test(t).name)) for t in JAPANESE_LEVELS],
        "skills": [(k, gettext(v)) for k, v in SKILLS_LABELS.items()],
        "education": [(k, gettext(v)) for k, v in EDUCATION_LABELS.items()],
        "languages": [(code, LANGUAGE_NAMES[code]) for code in DESCRIPTION_LANGUAGES],
    }


def typed_from(opening: Opening) -> dict[str, str]:
    """An opening's values as the form shows them."""

    def text(value: object) -> str:
        if value is None:
            return ""
        return value.isoformat() if isinstance(value, date) else str(value)

    typed = {key: text(getattr(opening, key)) for key in TEXT_FIELDS + NUMBER_FIELDS}
    typed.update(deadline=text(opening.deadline), entry_date=text(opening.entry_date))
    for lang in DESCRIPTION_LANGUAGES:
        typed[f"description_{lang}"] = str((opening.descriptions or {}).get(lang) or "")
    return typed


TEXT_FIELDS = (
    "title",
    "sector",
    "category",
    "route",
    "employer",
    "prefecture",
    "japanese",
    "skills_test",
    "education",
    "pay_includes",
)
NUMBER_FIELDS = ("places", "min_age", "max_age", "min_experience_years", "pay_yen")
NUMBER_RANGES = {
    "places": (1, MAX_PLACES),
    "min_age": (0, 99),
    "max_age": (0, 99),
    "min_experience_years": (0, 50),
    "pay_yen": (1, MAX_PAY),
}
REQUIRED_FIELDS = {"title", "sector", "employer", "prefecture", "places", "deadline"}


def _number(parsed: Parsed, key: str) -> None:
    raw = parsed.typed.get(key, "").translate(DIGITS).replace(",", "").replace(" ", "")
    if not raw:
        if key in REQUIRED_FIELDS:
            parsed.errors[key] = gettext(REQUIRED)
        parsed.values[key] = None
        return
    if not raw.isdigit():
        parsed.errors[key] = gettext(NOT_A_NUMBER)
        return
    low, high = NUMBER_RANGES[key]
    if not low <= int(raw) <= high:
        parsed.errors[key] = gettext(OUT_OF_RANGE).format(low=low, high=high)
        return
    parsed.values[key] = int(raw)


def _date(parsed: Parsed, key: str) -> None:
    raw = parsed.typed.get(key, "").translate(DIGITS)
    if not raw:
        if key in REQUIRED_FIELDS:
            parsed.errors[key] = gettext(NOT_A_DATE)
        parsed.values[key] = None
        return
    try:
        parsed.values[key] = date.fromisoformat(raw)
    except ValueError:
        parsed.errors[key] = gettext(NOT_A_DATE)


def _text(parsed: Parsed, key: str, most: int) -> None:
    value = parsed.typed.get(key, "").strip()
    if not value and key in REQUIRED_FIELDS:
        parsed.errors[key] = gettext(REQUIRED)
    elif len(value) > most:
        parsed.errors[key] = gettext(TOO_LONG).format(max=most)
    parsed.values[key] = value or None


def _choice(parsed: Parsed, key: str, allowed: Mapping[str, object] | set[str]) -> None:
    value = parsed.typed.get(key, "")
    if not value:
        if key in REQUIRED_FIELDS:
            parsed.errors[key] = gettext(REQUIRED)
        parsed.values[key] = None
    elif value not in allowed:
        parsed.errors[key] = gettext(UNKNOWN_CHOICE)
    else:
        parsed.values[key] = value


def _field(parsed: Parsed) -> None:
    """The field, its job type and the route, which depend on one another."""
    sectors = {s.id: s for s in catalogue.sectors() if s.status == "open"}
    _choice(parsed, "sector", sectors)
    sector = sectors.get(parsed.values.get("sector") or "")
    category = parsed.typed.get("category", "")
    parsed.values["category"] = None
    if sector is not None:
        ids = {c.id for c in sector.categories}
        if ids and not category:
            parsed.errors["category"] = gettext(CHOOSE_JOB_TYPE)
        elif category and not ids:
            parsed.errors["category"] = gettext(NO_JOB_TYPE)
        elif category and category not in ids:
            parsed.errors["category"] = gettext(UNKNOWN_CHOICE)
        else:
            parsed.values["category"] = category or None
    route = parsed.typed.get("route") or "ssw1"
    if route not in ROUTE_LABELS:
        parsed.errors["route"] = gettext(UNKNOWN_CHOICE)
    elif route == "ssw2" and sector is not None and not sector.ssw2_available:
        parsed.errors["route"] = gettext(NO_SSW2)
    else:
        parsed.values["route"] = route


def _requirements(parsed: Parsed) -> None:
    """Ages and dates that fit together, then ``Requirements`` itself."""
    values, errors = parsed.values, parsed.errors
    low, high = values.get("min_age"), values.get("max_age")
    legal = catalogue.programme().min_age_at_entry
    if low is not None and high is not None and low > high:
        errors.setdefault("max_age", gettext(AGES_REVERSED))
    elif high is not None and high < legal:
        errors.setdefault("max_age", gettext(MAX_TOO_YOUNG).format(age=legal))
    deadline, entry = values.get("deadline"), values.get("entry_date")
    if deadline is not None and entry is not None and entry < deadline:
        errors.setdefault("entry_date", gettext(ENTRY_BEFORE_DEADLINE))
    if errors or deadline is None:
        return
    try:
        Requirements(
            sector=values["sector"],
            entry_date=entry or deadline,
            route=values["route"],
            category=values["category"],
            min_age=low,
            max_age=high,
            japanese=values["japanese"],
            skills_test=values["skills_test"],
            min_experience_years=values["min_experience_years"],
            education=values["education"],
        )
    except (ValueError, KeyError) as exc:
        errors["requirements"] = gettext(CONTRADICTION).format(reason=str(exc))


def parse(form: Mapping[str, str]) -> Parsed:
    """The POSTed form: values to store, or errors by field (and ``requirements``)."""
    keys = (*TEXT_FIELDS, *NUMBER_FIELDS, "deadline", "entry_date")
    typed = {key: str(form.get(key, "")) for key in keys}
    for lang in DESCRIPTION_LANGUAGES:
        typed[f"description_{lang}"] = str(form.get(f"description_{lang}", ""))
    parsed = Parsed(typed)
    _text(parsed, "title", MAX_TITLE)
    _text(parsed, "employer", MAX_EMPLOYER)
    _text(parsed, "pay_includes", MAX_PAY_INCLUDES)
    _field(parsed)
    _choice(parsed, "prefecture", {p.id for p in prefectures.prefectures()})
    _choice(parsed, "japanese", set(JAPANESE_LEVELS))
    _choice(parsed, "education", set(EDUCATION_LABELS))
    skills = typed.get("skills_test") or "passed"
    if skills in SKILLS_LABELS:
        parsed.values["skills_test"] = skills
    else:
        parsed.errors["skills_test"] = gettext(UNKNOWN_CHOICE)
    for key in NUMBER_FIELDS:
        _number(parsed, key)
    _date(parsed, "deadline")
    _date(parsed, "entry_date")
    descriptions: dict[str, str] = {}
    for lang in DESCRIPTION_LANGUAGES:
        text = typed[f"description_{lang}"].replace("\r\n", "\n").strip()
        if len(text) > MAX_DESCRIPTION:
            parsed.errors[f"description_{lang}"] = gettext(TOO_LONG).format(max=MAX_DESCRIPTION)
        elif text:
            descriptions[lang] = text
    parsed.values["descriptions"] = descriptions
    if parsed.values.get("places") is None and "places" not in parsed.errors:
        parsed.errors["places"] = gettext(REQUIRED)
    _requirements(parsed)
    return parsed


def missing_descriptions(descriptions: Mapping[str, Any] | None) -> list[str]:
    """The names of the languages without a description."""
    given = descriptions or {}
    return [LANGUAGE_NAMES[lang] for lang in DESCRIPTION_LANGUAGES if not given.get(lang)]


def publish_problems(opening: Opening, today: date) -> list[str]:
    """Why the opening cannot be published (or stay open after an edit): none when it can."""
    problems = []
    missing = missing_descriptions(opening.descriptions)
    if missing:
        problems.append(gettext(MISSING_DESCRIPTIONS).format(languages=", ".join(missing)))
    if opening.deadline < today:
        problems.append(gettext(DEADLINE_PASSED))
    return problems
