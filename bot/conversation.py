"""The conversation service: one incoming event from any channel, handled end to end.

It opens the user's data (locked, one transaction), picks their language, runs the commands
(/start, /help, /language, /cancel, /mydata, /delete, /privacy) and the flow engine, stores the
new state, the funnel events and any completed registration, and returns the replies for the
channel to send. It knows no channel and no SQL: those are the adapters and the repository.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot import ssw
from bot.engine.engine import (
    MAIN_MENU,
    Action,
    Button,
    Engine,
    Outcome,
    Press,
    Reply,
    State,
    button_label,
    reply,
    t,
)
from bot.i18n import (
    DEFAULT_LANGUAGE,
    N_,
    current_language,
    gettext,
    resolve_language,
    using_language,
)
from bot.logsafe import describe
from bot.storage.repository import LeadData, Repository, UserUnit, parse_birth_date

log = logging.getLogger(__name__)
DEEP_LINK = re.compile(r"[^A-Za-z0-9_-]")  # what Telegram allows in a start payload

COMMANDS: dict[str, str] = {
    "start": N_("Start or continue"),
    "help": N_("How to use this bot"),
    "language": N_("Change language"),
    "cancel": N_("Stop the current form"),
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
DELETE_CONFIRM = N_(
    "Delete all your data? Your registration with OEC and your answers will be removed. "
    "This cannot be undone."
)
DELETE_YES = N_("🗑 Yes, delete")
DELETE_NO = N_("No, keep it")
DELETED = N_("Done. All your data has been deleted. Send /start if you want to begin again.")
NOT_DELETED = N_("Nothing was deleted.")
SORRY = N_(
    "Sorry, something went wrong on our side. Your earlier answers are safe. "
    "Please try again in a minute."
)


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


class ConversationService:
    def __init__(self, engine: Engine, repository: Repository) -> None:
        self.engine = engine
        self.repository = repository

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Handle one event; the state is committed before the replies are returned.

        If anything fails, nothing of this event is stored (the transaction rolls back), the
        failure is logged without personal data, and the user is asked to try again."""
        language: str | None = None
        try:
            async with self.repository.user(incoming.channel, incoming.user_key) as unit:
                if unit.already_handled(incoming.event_id):
                    log.info("%s event %s was already handled", incoming.channel, incoming.event_id)
                    return []
                unit.seen(incoming.client_language)
                language = resolve_language(unit.language, None)
                with using_language(language or DEFAULT_LANGUAGE):
                    return await self._dispatch(unit, incoming, chosen=language is not None)
        except Exception as exc:
            log.error("%s event failed: %s", incoming.channel, describe(exc))
            with using_language(language or DEFAULT_LANGUAGE):
                return [reply(gettext(SORRY))]

    # -- dispatch ----------------------------------------------------------------------------

    async def _dispatch(self, unit: UserUnit, incoming: Incoming, chosen: bool) -> list[Reply]:
        state = State.from_dict(unit.state)
        source = DEEP_LINK.sub("", incoming.argument)[:64] if incoming.command == "start" else ""
        if source:  # t.me/<bot>?start=roadshow_lahore: where the worker heard of us
            unit.set_source(source)
        action = incoming.action
        if isinstance(action, Press) and action.data.startswith("x:"):
            return await self._confirm_delete(unit, state, action.data == "x:delete:yes")
        if isinstance(action, Press) and action.data.startswith("l:"):
            return await self._apply(unit, self.engine.handle(state, action))
        if not chosen:  # first contact: the language comes first
            suggested = resolve_language(None, incoming.client_language)
            return [self.engine.language_picker(suggested)]
        if incoming.command is not None:
            return await self._command(unit, state, incoming.command)
        if action is None:
            return [self.engine.resume(state).replies[0]]
        return await self._apply(unit, self.engine.handle(state, action))

    async def _command(self, unit: UserUnit, state: State, command: str) -> list[Reply]:
        if command == "start":
            outcome = self.engine.resume(state)
            if state.flow is not None:
                outcome.replies.insert(0, reply(gettext(WELCOME_BACK)))
            return outcome.replies
        if command == "cancel":
            return await self._apply(unit, self.engine.cancel(state))
        return await self._screen(unit, state, command)

    async def _screen(self, unit: UserUnit, state: State, name: str) -> list[Reply]:
        """Built-in screens, from a command or a menu entry."""
        if name == "language":
            return [self.engine.language_picker(unit.language)]
        if name == "help":
            return [reply(gettext(HELP)), *self.engine.resume(state).replies]
        if name == "privacy":
            return [reply(gettext(PRIVACY)), *self.engine.resume(state).replies]
        if name == "mydata":
            return [reply(await self._my_data(unit, state)), *self.engine.resume(state).replies]
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
        return [reply(gettext(UNKNOWN_COMMAND))]

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
            if event.kind in {"started", "step", "dropped", "declined"} and event.flow:
                unit.record(event.kind, event.flow, event.step)
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
            reference = await unit.save_lead(self._lead(answers, state.results.get("eligibility")))
            texts.append(t(flow.done, reference=reference))
        elif flow.on_complete == "assess_eligibility":
            assessment = ssw.assess(eligibility_answers(answers), today=self.engine.today())
            state.results["eligibility"] = assessment.to_dict()
            await unit.update_lead_eligibility(assessment.to_dict())
            texts += ssw.render_screens(assessment)
        elif flow.done:
            texts.append(gettext(flow.done))
        if not flow.done_buttons:
            return [*(reply(text) for text in texts), self.engine.menu()]
        buttons = [
            [Button(button_label(gettext(o.label)), f"m:{o.value}")] for o in flow.done_buttons
        ]
        buttons.append([Button(button_label(gettext(MAIN_MENU)), "m:")])
        replies = [reply(text) for text in texts[:-1]]
        replies.append(reply(texts[-1] if texts else gettext(MAIN_MENU), buttons))
        return replies

    def _lead(self, answers: Mapping[str, Any], assessment: Mapping[str, Any] | None) -> LeadData:
        return LeadData(
            eligibility=assessment,
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
        lead = await unit.lead()
        registration = self.engine.flows.get("registration")
        if lead is not None and registration is not None:
            lines.append(t(MYDATA_TITLE, reference=lead.reference))
            lines += self._answer_lines("registration", lead.answers)
        in_progress = state.answers.get("registration")
        if in_progress:
            lines += ["", gettext(MYDATA_IN_PROGRESS)]
            lines += self._answer_lines("registration", in_progress)
        if not lines:
            lines.append(gettext(NO_DATA))
        stored = state.results.get("eligibility") or (lead.eligibility if lead else None)
        if stored:
            assessment = ssw.Assessment.from_dict(stored)
            lines += ["", gettext(MYDATA_ELIGIBILITY), ssw.render(assessment)]
        lines += ["", t(MYDATA_LANGUAGE, language=gettext(LANGUAGE_SET).split(":")[-1].strip())]
        return "\n".join(lines)

    def _answer_lines(self, flow_id: str, answers: Mapping[str, Any]) -> list[str]:
        flow = self.engine.flows[flow_id]
        lines = []
        for step in flow.steps:
            if step.review and step.id in answers:
                value = answers[step.id]
                shown = self.engine.display(flow_id, step.id, value, answers)
                lines.append(f"• {gettext(step.label or step.prompt)}: {shown}")
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
