"""Closing a person's support: what the practitioner records, and the end-of-support conversation it starts.

`close_case` is the action itself (the practitioners' command grammar calls it); `CloseAction` asks
the practitioner its three questions by button or typed answer, as action values
"close:<referral>:<verb>": start -> goals:<met> -> plan:<met>:<yes|no> -> onward:<met>:<plan> (typed number).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.end_of_support import EndOfSupportService
from bot.practitioner_items import refuse
from bot.referrals import may_act
from flows.base import DataSetEvent, Option, Say
from flows.practitioner import NeedText, PractitionerAnswer, action_value
from nlu import answers, text
from storage.models import CaseClosure, Person, Practitioner, Referral
from storage.models import DataSetEvent as DataSetEventRow

ACTION = "close"
GOALS = ("fully", "partly", "not")
CLOSABLE = ("submitted", "accepted", "contacted")
PERSONAL_OUTCOMES, ACTION_PLAN, ONWARD = 82, 98, 121
MAX_ONWARD = 50


class CloseProblem(ValueError):
    """The case cannot be closed: `key` is the catalog message that says why."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class CaseOutcome:
    """What the practitioner says about the end of a person's support."""

    goals_met: str                 # fully, partly, not: the goals they gave in 'What Matters'
    action_plan: bool | None       # did they co-produce an action plan (statement 98)
    onward_referrals: int          # onward referrals and signposts made (statement 121)


def close_case(session: Session, referral: Referral, practitioner: Practitioner | None, outcome: CaseOutcome,
               now: datetime, end_of_support: EndOfSupportService) -> CaseClosure:
    """Close the referral, record the outcome (82, 98, 121), and start the person's end-of-support conversation."""
    if referral.status not in CLOSABLE:
        raise CloseProblem("close.not_open")
    if outcome.goals_met not in GOALS or not 0 <= outcome.onward_referrals <= MAX_ONWARD:
        raise ValueError(f"not a case outcome: {outcome!r}")
    referral.status = "closed"
    referral.closed_at = now
    closure = CaseClosure(referral_id=referral.id, practitioner_id=practitioner.id if practitioner else None,
                          goals_met=outcome.goals_met, action_plan=outcome.action_plan,
                          onward_referrals=outcome.onward_referrals, closed_at=now)
    session.add(closure)
    person = session.get(Person, referral.person_id) if referral.person_id else None
    if person is not None:
        events = [DataSetEvent(PERSONAL_OUTCOMES, {"rater": "practitioner", "met": outcome.goals_met}),
                  DataSetEvent(ONWARD, {"onward": outcome.onward_referrals})]
        if outcome.action_plan is not None:
            events.append(DataSetEvent(ACTION_PLAN, {"action_plan": outcome.action_plan}))
        for event in events:
            session.add(DataSetEventRow(statement=event.statement, subject_key=person.pseudonym,
                                        person_id=person.id, value=dict(event.value), occurred_at=now,
                                        channel=None, language=person.language, source="case_closing"))
        end_of_support.start(session, person, referral, "closed", now)
    session.flush()
    return closure


def close_buttons(referral_id: int) -> Option:
    """The button on a referral that starts closing it."""
    return Option(action_value(ACTION, referral_id, "start"), "close.action_close")


class CloseAction:
    """A practitioner's answers while closing a case (action "close")."""

    def __init__(self, end_of_support: EndOfSupportService):
        self.end_of_support = end_of_support

    def __call__(self, turn, practitioner: Practitioner, answer: PractitionerAnswer):
        session = turn.session
        referral = session.get(Referral, int(answer.target)) if answer.target.isdigit() else None
        if not may_act(referral, practitioner):
            # Not their team's (or not there): "not found", with no hint that it exists.
            refuse(turn, practitioner, ACTION, Say("close.unknown", id=answer.target))
            return None
        if referral.status not in CLOSABLE:
            turn.reply(Say("close.not_open", id=referral.id))
            return None
        verb, *parts = answer.verb.split(":")
        rid = referral.id
        about = (referral.person_id,) if referral.person_id else ()
        # Each question is this chat's awaited one, so a typed number or word answers it (its
        # options belong to it), never another item that happens to be waiting.
        goals = tuple(Option(action_value(ACTION, rid, f"goals:{g}"), f"close.goals_{g}") for g in GOALS)
        if verb == "start":
            return NeedText("close.ask_goals", action_value(ACTION, rid, "goals"), {"id": rid}, goals, about)
        if verb == "goals":
            met = parts[0] if parts and parts[0] in GOALS else _pick(answer.text, GOALS)
            if met is None:
                return NeedText("close.ask_goals", action_value(ACTION, rid, "goals"), {"id": rid}, goals, about)
            plan = (Option(action_value(ACTION, rid, f"plan:{met}:yes"), "close.plan_yes"),
                    Option(action_value(ACTION, rid, f"plan:{met}:no"), "close.plan_no"))
            return NeedText("close.ask_plan", action_value(ACTION, rid, f"plan:{met}"), {"id": rid}, plan, about)
        if verb == "plan" and parts and parts[0] in GOALS:
            made = parts[1] if len(parts) == 2 and parts[1] in ("yes", "no") else _yes_no(answer.text)
            if made is None:
                plan = (Option(action_value(ACTION, rid, f"plan:{parts[0]}:yes"), "close.plan_yes"),
                        Option(action_value(ACTION, rid, f"plan:{parts[0]}:no"), "close.plan_no"))
                return NeedText("close.ask_plan", action_value(ACTION, rid, f"plan:{parts[0]}"), {"id": rid}, plan,
                                about)
            return NeedText("close.ask_onward", action_value(ACTION, rid, f"onward:{parts[0]}:{made}"), {"id": rid})
        if verb == "onward" and len(parts) == 2 and parts[0] in GOALS:
            count = self._count(answer.text)
            if count is None:
                return NeedText("close.onward_again", action_value(ACTION, rid, answer.verb), {"id": rid})
            outcome = CaseOutcome(parts[0], parts[1] == "yes", count)
            close_case(session, referral, practitioner, outcome, turn.now, self.end_of_support)
            turn.reply(Say("close.closed", id=rid))
            return None
        turn.reply(Say("close.unknown", id=rid))
        return None

    def _count(self, said: str | None) -> int | None:
        if answers.said(said, "none"):
            return 0
        folded = text.phrase(said)
        if folded.isdigit() and int(folded) <= MAX_ONWARD:
            return int(folded)
        return None


def _pick(said: str | None, values: tuple[str, ...]) -> str | None:
    """A typed answer to the goals question: its number ("2"), or its words (answers/table2.yml)."""
    folded = text.phrase(said or "")
    if folded.isdigit() and 1 <= int(folded) <= len(values):
        return values[int(folded) - 1]
    for value, value_words in answers.groups("goals_met").items():
        if value in values and folded in {text.phrase(w) for w in value_words}:
            return value
    return None


def _yes_no(said: str | None) -> str | None:
    """A typed answer to a yes/no question: its number (1 yes, 2 no), or a yes or no word."""
    folded = text.phrase(said or "")
    if folded in ("1", "2"):
        return "yes" if folded == "1" else "no"
    if answers.said(said, "yes"):
        return "yes"
    if answers.said(said, "no"):
        return "no"
    return None
