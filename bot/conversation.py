"""The conversation service: one incoming event from any channel, handled end to end.

It opens the user's data (locked, one transaction), picks their language, runs the commands
(/start, /help, /language, /cancel, /status, /mydata, /delete, /privacy) and the flow engine,
stores the new state, the funnel events and any completed registration, and returns the replies
for the channel to send. It knows no channel and no SQL: those are the adapters and the repository.

Job openings (``bot.openings``): the "Jobs open now" screen, and the buttons under it and
under an invitation (interested, not for me, stop and restart job messages).

It keeps the exact record: the time consent was given (kept in the conversation state until the
lead is saved), and a funnel row for every start, resumption, question reached, topic read,
flow left, cancel, refusal and completion.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from bot import broadcasts, notices, ssw
from bot import openings as jobs
from bot.engine import phone
from bot.engine.engine import Engine
from bot.engine.flows import Flow
from bot.engine.model import Action, Button, Event, Outcome, Press, Reply, State
from bot.engine.texts import MAIN_MENU, answer_line, button_label, reply, t
from bot.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    N_,
    current_language,
    gettext,
    resolve_language,
    using_language,
)
from bot.logs import USER
from bot.logsafe import describe
from bot.metrics import ERRORS, LEADS_CREATED
from bot.notices import stage
from bot.ssw.matching import Match, Worker, match
from bot.storage.health import unreachable
from bot.storage.models import Lead
from bot.storage.opening_models import Opening
from bot.storage.openings import requirements
from bot.storage.repository import LeadData, Repository, UserUnit, parse_birth_date

log = logging.getLogger(__name__)
DEEP_LINK = re.compile(r"[^A-Za-z0-9_-]")  # what Telegram allows in a start payload
FUNNEL_KINDS = {"started", "resumed", "step", "viewed", "left", "dropped", "declined"}
CONSENT_AT = "consent_at"  # in the state's results: {flow id: ISO time the worker agreed}

COMMANDS: dict[str, str] = {
    "start": N_("Start or continue"),
    "help": N_("How to use this bot"),
    "language": N_("Change language"),
    "cancel": N_("Stop the current form"),
    "status": N_("Where your registration stands"),
    "mydata": N_("See the data we keep about you"),
    "delete": N_("Delete your data"),
    "privacy": N_("Privacy notice"),
}

HELP = N_(
    "This bot helps you register with OEC for work in Japan as a Specified Skilled Worker "
    "(SSW).\n"
    "Tap the buttons to answer. When a question asks you to type, send your answer as a "
    "message.\n"
    "⬅️ Back goes to the previous question, ✖️ Cancel stops the form.\n"
    "Commands:\n"
    "/start: start or continue\n"
    "/language: change language\n"
    "/cancel: stop the current form\n"
    "/status: where your registration stands\n"
    "/mydata: see your data\n"
    "/delete: delete your data\n"
    "/privacy: privacy notice"
)
PRIVACY = N_(
    "Privacy notice\n"
    "Who: this bot collects data for the Overseas Employment Corporation (OEC), a company of "
    "the Government of Pakistan that helps people find jobs abroad.\n"
    "What: the answers you give when you register (name, CNIC, mobile number, date of birth, "
    "gender, place, education, experience, the work you want, Japanese level and tests, "
    "passport, earlier time in Japan), your eligibility check, your chosen language and your "
    "Telegram user number.\n"
    "Why: so that OEC can contact you about jobs in Japan under the SSW programme.\n"
    "Who sees it: OEC staff only. It is not sold or given to agents.\n"
    "Your rights: /mydata shows what we keep, /delete removes it at any time.\n"
    "Nothing is stored from the registration form until you agree to this notice."
)
WELCOME_BACK = N_("Welcome back! Here is where you stopped:")
UNKNOWN_COMMAND = N_("I don't know that command. Send /help to see what I can do.")
LANGUAGE_SET = N_("Language: English")  # translators: write the name of your own language
NO_DATA = N_("We keep no registration for you.")
MYDATA_TITLE = N_("Your registration (reference {reference}):")
MYDATA_IN_PROGRESS = N_("Registration in progress. Answers so far:")
MYDATA_LANGUAGE = N_("Language: {language}")
MYDATA_ELIGIBILITY = N_("Your last eligibility check:")
MYDATA_STATUS = N_("Where it stands: {stage}")
NO_REGISTRATION = N_(
    "You have not registered with OEC yet. Registering takes a few minutes, and OEC can then "
    "contact you about jobs in Japan."
)
REGISTER = N_("📝 Register with OEC for Japan")  # the main menu's entry
DELETE_CONFIRM = N_(
    "Delete all your data? Your registration with OEC and your answers will be removed. "
    "This cannot be undone."
)
DELETE_YES = N_("🗑 Yes, delete")
DELETE_NO = N_("No, keep it")
DELETED = N_("Done. All your data has been deleted. Send /start if you want to begin again.")
NOT_DELETED = N_("Nothing was deleted.")
RESULT_WHY = N_("❓ Why")
RESULT_SOURCES = N_("📚 Sources")
DUPLICATE_CNIC = N_(
    "This CNIC number is already registered with us. Your details are saved. "
    "OEC will check this with you."
)
OPTED_OUT = N_(
    "Done. You will get no more reminders or announcements from this bot. You can still "
    "use it at any time. To get them again, tap the button below."
)
SORRY = N_(
    "Sorry, something went wrong on our side. Your earlier answers are safe. "
    "Please try again in a minute."
)
DATABASE_DOWN = N_(
    "Sorry, we cannot save your answers right now. Nothing is lost. "
    "Please send your answer again in a moment."
)
KNOWN_LANGUAGES = 50_000  # users whose language is remembered in memory, for outages


class DatabaseUnavailable(Exception):
    """The database could not be reached (refused, dropped, timed out, locked): nothing of
    the event was stored.

    ``ConversationService.handle`` raises it instead of returning replies. ``replies`` tell
    the user, in their language, to try again in a moment: a channel sends them, then
    reports the event as not handled (the Telegram handler re-raises it to PTB's error
    handler; a webhook answers 503 so that Telegram delivers the update again)."""

    def __init__(self, replies: list[Reply]) -> None:
        super().__init__("the database is unreachable")
        self.replies = replies


@dataclass(frozen=True)
class Incoming:
    """What arrived from a channel: a command (with its argument) or an engine action."""

    channel: str
    user_key: str
    client_language: str | None = None
    command: str | None = None
    argument: str = ""
    action: Action | None = None
    event_id: int | None = None  # increasing per channel (Telegram update_id), for de-duplication


def utcnow() -> datetime:
    return datetime.now(UTC)


class ConversationService:
    def __init__(
        self,
        engine: Engine,
        repository: Repository,
        channel_help: Mapping[str, str] | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.repository = repository
        self.channel_help = dict(channel_help or {})  # channel → msgid added to /help
        self.now = now  # the clock for the record (consent time)
        self._languages: dict[tuple[str, str], str] = {}  # for replies while the DB is down

    def language_of(self, incoming: Incoming) -> str:
        """The user's language without the database: as last seen here, else their client's."""
        known = self._languages.get((incoming.channel, incoming.user_key))
        return known or resolve_language(None, incoming.client_language) or DEFAULT_LANGUAGE

    def _remember_language(self, incoming: Incoming, language: str | None) -> None:
        if language is None:
            return
        if len(self._languages) >= KNOWN_LANGUAGES:
            self._languages.clear()  # a bound, not a cache policy: the DB has the truth
        self._languages[(incoming.channel, incoming.user_key)] = language

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Handle one event; the state is committed before the replies are returned.

        If anything fails, nothing of this event is stored (the transaction rolls back), the
        failure is logged without personal data, and the user is asked to try again. If the
        database could not be reached, ``DatabaseUnavailable`` is raised (with the replies)."""
        language: str | None = None
        try:
            async with self.repository.user(incoming.channel, incoming.user_key) as unit:
                USER.set(unit.user_id)  # logs say which user (our row number) from here on
                if unit.already_handled(incoming.event_id):
                    log.info("%s event %s was already handled", incoming.channel, incoming.event_id)
                    return []
                unit.seen(incoming.client_language)
                await unit.came_back()
                language = resolve_language(unit.language, None)
                with using_language(language or DEFAULT_LANGUAGE):
                    replies = await self._dispatch(unit, incoming, chosen=language is not None)
                language = resolve_language(unit.language, None)
                created = unit.leads_created
        except Exception as exc:
            if unreachable(exc):
                ERRORS.labels("database").inc()
                log.warning("%s event not handled, database unreachable: %s", incoming.channel,
                            describe(exc))  # fmt: skip
                with using_language(language or self.language_of(incoming)):
                    raise DatabaseUnavailable([reply(gettext(DATABASE_DOWN))]) from None
            ERRORS.labels("handler").inc()
            log.error("%s event failed: %s", incoming.channel, describe(exc))
            with using_language(language or DEFAULT_LANGUAGE):
                return [reply(gettext(SORRY))]
        self._remember_language(incoming, language)
        if created:
            LEADS_CREATED.inc(created)
        return replies

    # -- dispatch ----------------------------------------------------------------------------

    async def _dispatch(self, unit: UserUnit, incoming: Incoming, chosen: bool) -> list[Reply]:
        state = State.from_dict(unit.state)
        source = DEEP_LINK.sub("", incoming.argument)[:64] if incoming.command == "start" else ""
        if source:  # t.me/<bot>?start=roadshow_lahore: where the worker heard of us
            unit.set_source(source)
        action = incoming.action
        if isinstance(action, Press) and action.data.startswith("x:"):
            return await self._confirm_delete(unit, state, action.data == "x:delete:yes")
        if isinstance(action, Press) and action.data in {broadcasts.STOP, broadcasts.START}:
            return await self._announcements(unit, state, action.data == broadcasts.STOP)
        if isinstance(action, Press) and action.data.startswith(jobs.PREFIX):
            return await self._jobs(unit, state, action.data)
        if isinstance(action, Press) and action.data in {"s:why", "s:src"} and chosen:
            return self._result_detail(state, action.data[2:])
        if isinstance(action, Press) and action.data.startswith("l:"):
            return await self._apply(unit, self.engine.handle(state, action))
        if isinstance(action, Press) and action.data == notices.CONTINUE:
            return await self._command(unit, state, "start", incoming.channel)
        if not chosen:  # first contact: the language comes first
            suggested = resolve_language(None, incoming.client_language)
            return [self.engine.language_picker(suggested)]
        if incoming.command is not None:
            return await self._command(unit, state, incoming.command, incoming.channel)
        if action is None:
            return [self.engine.resume(state).replies[0]]
        return await self._apply(unit, self.engine.handle(state, action))

    async def _command(
        self, unit: UserUnit, state: State, command: str, channel: str
    ) -> list[Reply]:
        if command == "start":
            outcome = self.engine.resume(state)
            if state.flow is not None:
                outcome.replies.insert(0, reply(gettext(WELCOME_BACK)))
            return outcome.replies
        if command == "cancel":
            return await self._apply(unit, self.engine.cancel(state))
        return await self._screen(unit, state, command, channel)

    async def _screen(
        self, unit: UserUnit, state: State, name: str, channel: str = ""
    ) -> list[Reply]:
        """Built-in screens, from a command or a menu entry."""
        if name == "language":
            return [self.engine.language_picker(unit.language)]
        if name == "status":
            return await self._status(unit, state)
        if name == jobs.MENU_ACTION:
            return await self._jobs_list(unit, 0)
        if name in {"help", "privacy", "mydata"}:
            if name == "mydata":
                text = await self._my_data(unit, state)
            elif name == "help":
                texts = [gettext(HELP)]
                if channel in self.channel_help:
                    texts.append(gettext(self.channel_help[channel]))
                text = "\n".join(texts)
            else:
                text = gettext(PRIVACY)
            screens = [reply(page) for page in phone.pages(text)]  # a phone screen each
            if name == "mydata" and unit.opted_out:  # and how to get announcements again
                buttons = [[broadcasts.opt_in_button()]]
                screens.append(reply(gettext(broadcasts.MYDATA_STOPPED), buttons))
            return [*screens, *self.engine.resume(state).replies]
        if name == "delete":
            return [
                reply(
                    gettext(DELETE_CONFIRM),
                    [
                        [
                            Button(button_label(gettext(DELETE_YES)), "x:delete:yes"),
                            Button(button_label(gettext(DELETE_NO)), "x:delete:no"),
                        ]
                    ],
                )
            ]
        # a typo mid-form: say so, and ask the current question again
        return [reply(gettext(UNKNOWN_COMMAND)), *self.engine.resume(state).replies]

    async def _status(self, unit: UserUnit, state: State) -> list[Reply]:
        """Where each of the worker's registrations stands, in plain words (never the staff's
        notes); with none, say so and offer to register."""
        leads = await unit.leads()
        if not leads:
            buttons = [
                [Button(button_label(gettext(REGISTER)), "m:register")],
                [Button(button_label(gettext(MAIN_MENU)), "m:")],
            ]
            return [reply(gettext(NO_REGISTRATION), buttons)]
        lines: list[str] = []
        for lead in leads:
            if lines:
                lines.append("")
            lines += [t(MYDATA_TITLE, reference=lead.reference), stage(lead.status)]
        return [reply("\n".join(lines)), *self.engine.resume(state).replies]

    # -- the buttons under a reminder or an announcement (bot.notices, bot.broadcasts) ---

    async def _announcements(self, unit: UserUnit, state: State, stop: bool) -> list[Reply]:
        """The opt-out button under a broadcast or a reminder: no more of either (what is
        queued for them is dropped), with a button that undoes it; then the current question.
        The "Continue" button under a reminder does what /start does (``_dispatch``)."""
        if stop:
            await unit.opt_out(self.now())
            button = broadcasts.opt_in_button()
            return [reply(gettext(OPTED_OUT), [[button]]), *self.engine.resume(state).replies]
        unit.set_opted_out(None)
        return [reply(gettext(broadcasts.STARTED)), *self.engine.resume(state).replies]

    # -- job openings (bot.openings) ---------------------------------------------------------

    async def _jobs(self, unit: UserUnit, state: State, data: str) -> list[Reply]:
        """A button under an invitation or a "Jobs open now" entry."""
        kind, number = jobs.parse(data)
        if kind == "stop":
            await unit.stop_jobs(self.now())
            return self._after_job(state, gettext(jobs.JOBS_STOPPED), [[jobs.start_button()]])
        if kind == "start":
            unit.start_jobs()
            return self._after_job(state, gettext(jobs.JOBS_STARTED))
        if kind == "more" and number is not None:
            return await self._jobs_list(unit, number)
        if kind in {"yes", "no"} and number is not None:
            return await self._job_answer(unit, state, number, kind == "yes")
        return self.engine.resume(state).replies

    def _after_job(
        self, state: State, text: str, buttons: Sequence[Sequence[Button]] = ()
    ) -> list[Reply]:
        """An answer to a job button, then the current question (in a flow) or a way to the
        main menu."""
        if state.flow is not None:
            return [reply(text, buttons), *self.engine.resume(state).replies]
        return [reply(text, [*buttons, [jobs.menu_button()]])]

    def _fit(self, opening: Opening, lead: Lead) -> Match:
        """How the worker's own registration fits the opening (the eligibility engine)."""
        worker = Worker(lead.birth_date, lead.answers or {})
        return match(requirements(opening), worker, today=self.engine.today())

    def _still_open(self, opening: Opening | None) -> bool:
        return opening is not None and jobs.is_open(jobs.facts_of(opening), self.engine.today())

    async def _job_answer(
        self, unit: UserUnit, state: State, opening_id: int, interested: bool
    ) -> list[Reply]:
        """Interested / not for me: recorded for the worker's own lead (the last tap counts)."""
        opening = await unit.opening(opening_id)
        if opening is None or not self._still_open(opening):
            return self._after_job(state, gettext(jobs.CLOSED))
        lead = await unit.current_lead()
        if lead is None:
            return self._after_job(state, gettext(jobs.REGISTER_FIRST), [[jobs.register_button()]])
        fit = self._fit(opening, lead)
        await unit.answer_opening(
            opening,
            lead,
            interested=interested,
            match_class=fit.match,
            missing=[asdict(c) for c in fit.missing],
            now=self.now(),
        )
        if interested:
            return self._after_job(state, t(jobs.INTERESTED, title=opening.title))
        return self._after_job(state, gettext(jobs.DECLINED))

    async def _jobs_list(self, unit: UserUnit, offset: int) -> list[Reply]:
        """ "Jobs open now": a message per opening, ``jobs.PAGE`` at a time, each marked by how
        the worker's own registration fits it, with the answer buttons (or their answer)."""
        shown = await unit.open_openings(self.engine.today())
        if not shown:
            return [reply(gettext(jobs.NONE_OPEN), [[jobs.menu_button()]])]
        if offset >= len(shown) or offset < 0:  # a "More" from an older list
            offset = 0
        lead = await unit.current_lead()
        answers = await unit.job_answers() if lead is not None else {}
        entries: list[tuple[str, list[list[Button]]]] = []
        for opening in shown[offset : offset + jobs.PAGE]:
            facts = jobs.facts_of(opening)
            if lead is None:
                fit_text, buttons = jobs.fit_line(None, [], registered=False), []
            else:
                fit = self._fit(opening, lead)
                missing = [asdict(c) for c in fit.missing]
                fit_text = jobs.fit_line(fit.match, missing, registered=True)
                buttons = jobs.answer_buttons(opening.id, answers.get(opening.id))
            entries.append((jobs.entry_text(facts, fit_text, answers.get(opening.id)), buttons))
        last_rows: list[list[Button]] = []
        if offset + jobs.PAGE < len(shown):
            last_rows.append([jobs.more_button(offset + jobs.PAGE)])
        if lead is None:
            last_rows.append([jobs.register_button()])
        last_rows.append([jobs.menu_button()])
        text, buttons = entries[-1]
        entries[-1] = (text, [*buttons, *last_rows])
        replies = [reply(text, buttons) for text, buttons in entries]
        if offset == 0:
            replies.insert(0, reply(t(jobs.LIST_TITLE, count=len(shown))))
        return replies

    async def _confirm_delete(self, unit: UserUnit, state: State, yes: bool) -> list[Reply]:
        if not yes:
            return [reply(gettext(NOT_DELETED)), *self.engine.resume(state).replies]
        await unit.erase()
        return [reply(gettext(DELETED))]

    # -- applying what the engine decided ----------------------------------------------------

    async def _apply(self, unit: UserUnit, outcome: Outcome) -> list[Reply]:
        replies = list(outcome.replies)
        state = outcome.state
        for event in outcome.events:
            self._remember_consent(state, event)
            if event.kind in FUNNEL_KINDS and event.flow:
                unit.record(event.kind, event.flow, event.step, (event.value or "")[:64] or None)
            elif event.kind == "completed" and event.flow:
                saves_lead = self.engine.flows[event.flow].on_complete == "save_lead"
                unit.record("registered" if saves_lead else "completed", event.flow)
                replies += await self._complete(unit, state, event.flow, event.answers or {})
            elif event.kind == "language" and event.value:
                unit.set_language(event.value)
                with using_language(event.value):
                    return self._after_language(unit, state)
            elif event.kind == "action" and event.value:
                replies += await self._screen(unit, state, event.value)
        unit.save_state(state.to_dict())
        return replies

    def _remember_consent(self, state: State, event: Event) -> None:
        """Keep the time a flow's consent was given until its answers are used (or dropped)."""
        if not event.flow:
            return
        times = state.results.setdefault(CONSENT_AT, {})
        if event.kind == "consented":
            times[event.flow] = self.now().isoformat()
        elif event.kind in {"dropped", "declined"}:
            times.pop(event.flow, None)
        if not times:
            state.results.pop(CONSENT_AT, None)

    @staticmethod
    def _consent_time(state: State, flow_id: str) -> datetime | None:
        """The time the flow's consent was given, taken out of the state (it is used once)."""
        times = state.results.get(CONSENT_AT, {})
        given = times.pop(flow_id, None)
        if not times:
            state.results.pop(CONSENT_AT, None)
        return datetime.fromisoformat(given) if given else None

    def _after_language(self, unit: UserUnit, state: State) -> list[Reply]:
        """A language was picked: confirm it and ask the current question again in it."""
        unit.save_state(state.to_dict())
        return [reply(gettext(LANGUAGE_SET)), *self.engine.resume(state).replies]

    async def _complete(
        self, unit: UserUnit, state: State, flow_id: str, answers: Mapping[str, Any]
    ) -> list[Reply]:
        """A flow was finished: do what it asks (store a lead, assess eligibility), say so."""
        flow = self.engine.flows[flow_id]
        texts: list[str] = []
        if flow.on_complete == "save_lead":
            lead = self._lead(
                answers, state.results.get("eligibility"), self._consent_time(state, flow_id)
            )
            saved = await unit.save_lead(lead)
            if saved.duplicate == "cnic":  # nothing of the other lead is said
                texts.append(gettext(DUPLICATE_CNIC))
            texts.append(t(flow.done, reference=saved.reference))
        elif flow.on_complete == "assess_eligibility":
            assessment = ssw.assess(eligibility_answers(answers), today=self.engine.today())
            state.results["eligibility"] = assessment.to_dict()
            await unit.update_lead_eligibility(assessment.to_dict())
            return [reply(ssw.render_summary(assessment), self._result_buttons(flow))]
        elif flow.done:
            texts.append(gettext(flow.done))
        if not flow.done_buttons:
            return [*(reply(text) for text in texts), self.engine.menu()]
        replies = [reply(text) for text in texts[:-1]]
        replies.append(reply(texts[-1] if texts else gettext(MAIN_MENU), self._done_buttons(flow)))
        return replies

    def _done_buttons(self, flow: Flow) -> list[list[Button]]:
        """The flow's menu entries under its last message, then the main menu."""
        rows = [[Button(button_label(gettext(o.label)), f"m:{o.value}")] for o in flow.done_buttons]
        rows.append([Button(button_label(gettext(MAIN_MENU)), "m:")])
        return rows

    def _result_buttons(self, flow: Flow) -> list[list[Button]]:
        """Under an eligibility result: Why and Sources, then the flow's ways on."""
        detail = [
            Button(button_label(gettext(RESULT_WHY)), "s:why"),
            Button(button_label(gettext(RESULT_SOURCES)), "s:src"),
        ]
        return [detail, *self._done_buttons(flow)]

    def _result_detail(self, state: State, which: str) -> list[Reply]:
        """The last eligibility result's reasons ("Why") or sources, a screen per message."""
        stored = state.results.get("eligibility")
        flow = next(
            (f for f in self.engine.flows.values() if f.on_complete == "assess_eligibility"), None
        )
        if not stored or flow is None:
            return self.engine.resume(state).replies
        assessment = ssw.Assessment.from_dict(stored)
        screens = (
            ssw.render_screens(assessment) if which == "why" else ssw.render_sources(assessment)
        )
        replies = [reply(text) for text in screens[:-1]]
        replies.append(reply(screens[-1], self._result_buttons(flow)))
        return replies

    def _lead(
        self,
        answers: Mapping[str, Any],
        assessment: Mapping[str, Any] | None,
        consent_at: datetime | None,
    ) -> LeadData:
        return LeadData(
            eligibility=assessment,
            consent_at=consent_at,
            cnic=str(answers["cnic"]),
            full_name=str(answers["full_name"]),
            mobile=str(answers["mobile"]),
            birth_date=parse_birth_date(answers["birth_date"]),
            province=answers.get("province"),
            answers=dict(answers),
            language=current_language(),
        )

    async def _my_data(self, unit: UserUnit, state: State) -> str:
        lines: list[str] = []
        leads = await unit.leads()  # this account's own, never another's with the same CNIC
        registration = self.engine.flows.get("registration")
        for lead in leads if registration is not None else ():
            if lines:
                lines.append("")
            lines.append(t(MYDATA_TITLE, reference=lead.reference))
            lines.append(gettext(MYDATA_STATUS).format(stage=stage(lead.status)))
            lines += self._answer_lines("registration", lead.answers)
        in_progress = state.answers.get("registration")
        if in_progress:
            lines += ["", gettext(MYDATA_IN_PROGRESS)]
            lines += self._answer_lines("registration", in_progress)
        if not lines:
            lines.append(gettext(NO_DATA))
        latest = max(leads, key=lambda lead: lead.updated_at, default=None)
        stored = state.results.get("eligibility") or (latest.eligibility if latest else None)
        if stored:
            assessment = ssw.Assessment.from_dict(stored)
            lines += ["", gettext(MYDATA_ELIGIBILITY), ssw.render_summary(assessment)]
        lines += ["", t(MYDATA_LANGUAGE, language=LANGUAGE_NAMES[current_language()])]
        if not unit.opted_out:
            lines.append(gettext(broadcasts.MYDATA_RECEIVES))
        return "\n".join(lines)

    def _answer_lines(self, flow_id: str, answers: Mapping[str, Any]) -> list[str]:
        flow = self.engine.flows[flow_id]
        lines = []
        for step in flow.steps:
            if step.review and step.id in answers:
                value = answers[step.id]
                shown = self.engine.display(flow_id, step.id, value, answers)
                lines.append(answer_line(gettext(step.label or step.prompt), shown))
        return lines


def eligibility_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The eligibility flow's answers in the form ``ssw.assess`` reads."""
    mapped = dict(answers)
    tests = [test for test in answers.get("jp_tests", []) if test != "none"]
    if "jp_tests" in answers:
        mapped["jp_tests"] = tests
    if answers.get("ssw1") == "no":
        mapped["ssw1_years"] = 0
    return mapped
