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
from flows.base import Ask, DataSetEvent, Option, Say
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
        if referral is None or referral.status in ("draft", "withdrawn", "abandoned"):
            turn.reply(Say("close.unknown", id=answer.target))
            return None
        if referral.status not in CLOSABLE:
            turn.reply(Say("close.not_open", id=referral.id))
            return None
        verb, *parts = answer.verb.split(":")
        rid = referral.id
        if verb == "start":
            turn.reply(Ask("close.ask_goals", [Option(action_value(ACTION, rid, f"goals:{g}"), f"close.goals_{g}")
                                               for g in GOALS], id=rid))
        elif verb == "goals" and parts and parts[0] in GOALS:
            met = parts[0]
            turn.reply(Ask("close.ask_plan", [Option(action_value(ACTION, rid, f"plan:{met}:yes"), "close.plan_yes"),
                                              Option(action_value(ACTION, rid, f"plan:{met}:no"), "close.plan_no")],
                           id=rid))
        elif verb == "plan" and len(parts) == 2 and parts[0] in GOALS and parts[1] in ("yes", "no"):
            return NeedText("close.ask_onward", action_value(ACTION, rid, f"onward:{parts[0]}:{parts[1]}"), {"id": rid})
        elif verb == "onward" and len(parts) == 2 and parts[0] in GOALS:
            count = self._count(answer.text)
            if count is None:
                return NeedText("close.onward_again", action_value(ACTION, rid, answer.verb), {"id": rid})
            outcome = CaseOutcome(parts[0], parts[1] == "yes", count)
            close_case(session, referral, practitioner, outcome, turn.now, self.end_of_support)
            turn.reply(Say("close.closed", id=rid))
        else:
            turn.reply(Say("close.unknown", id=rid))
        return None

    def _count(self, said: str | None) -> int | None:
        if answers.said(said, "none"):
            return 0
        folded = text.phrase(said)
        if folded.isdigit() and int(folded) <= MAX_ONWARD:
            return int(folded)
        return None
