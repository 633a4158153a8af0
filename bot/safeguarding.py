"""Safeguarding on every inbound message (Standard Three): detect, reply at once, alert, escalate.

The screen runs before opt-out, keywords and flows. A message is treated as a risk disclosure when
the curated bilingual phrase list (config/safeguarding/phrases.yml) matches it OR the NLU says
"risk" with at least `safeguarding.nlu_threshold` confidence: when in doubt, risk.

On a disclosure, in the same transaction:
- the crisis reply with the crisis contacts goes to the person in their language (both languages,
  Welsh first, if they have not chosen one) - also to someone who texted STOP earlier: a person
  reaching out in crisis gets the contacts (hazard log HAZ-01);
- an alert goes to their assigned practitioner, or the team's safeguarding lead, with an
  Acknowledge button; every step is written to `alert_event`; statement 27 is recorded;
- the flow they were in is set aside in Conversation.paused and they move to the `safety` flow,
  which asks gently, at their next message, whether to carry on.

Practitioners' own messages are not screened: they quote clients when giving reasons and notes,
and a crisis reply or a team alert about their own words would be wrong (hazard log HAZ-09).

Unacknowledged alerts escalate (due work, every `safeguarding.escalate_after_minutes`) down the
team's list in `escalation_rank` order, starting again from the top when the list is exhausted.
"""
from __future__ import annotations

import dataclasses
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.catalog import BILINGUAL, Catalog
from bot.metrics import SAFEGUARDING_ALERTS
from bot.channels.registry import label
from bot.outbox import preferred_address, queue_message
from bot.practitioner_items import WaitingItem, commands, refuse, who_is
from bot.practitioners import reads_welsh
from bot.service_hours import ServiceHours
from bot.risk_model import CLEAR_ALONE, CLEAR_WITH_PHRASE, RiskModel, load_or_train
from bot.risk_phrases import RiskPhrases
from bot.routing import reachable, team_for_postcode
from config import load_yaml, setting_path
from flows.base import Ask, Begin, DataSetEvent, Option, Reply, Say, Transition, regarding
from flows.postcodes import parse_postcode
from flows.practitioner import PractitionerAnswer, action_value
from flows.safety import NAME as SAFETY_FLOW, DropPaused, ResumePaused, SafetyState
from flows.safety_check import (
    NAME as CHECK_FLOW, NOT_SAFE, SAFE, TALK, UNANSWERED, CheckAnswer, CheckAnswers, SafetyCheckState,
)
from nlu.language import detect_language
from storage.models import (
    AlertEvent, Conversation, Person, Practitioner, Referral, SafeguardingAlert, Team,
)
from storage.models import DataSetEvent as DataSetEventRow

log = logging.getLogger(__name__)

SAFEGUARDING_RAISED = 27  # Core Data Set: if any safeguarding issues were raised for the individual
EXCERPT_LIMIT = 600
# Far more than any SMS or Telegram message; a bound so a pathological input cannot stall the screen.
SCREEN_LIMIT = 20000
INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u2060\ufeff\u00ad]")
MAX_PAUSED = 5
# Flows that hold nothing to come back to: after a disclosure there, the check-in leads to the menu.
NOTHING_TO_RESUME = {"menu", "language", SAFETY_FLOW, "practitioner"}
ACTIVE_REFERRAL = ("submitted", "accepted", "contacted")
# What a practitioner reads in an alert about its tier, category and the person's language.
TIER_NAMES = {"clear": "alert_details.tier_clear", "possible": "alert_details.tier_possible"}
CATEGORY_NAMES = {"suicide": "alert_details.category_suicide", "self_harm": "alert_details.category_self_harm",
                  "abuse": "alert_details.category_abuse", "immediate_danger": "alert_details.category_immediate_danger"}
LANGUAGE_NAMES = {"cy": "alert_details.language_cy", "en": "alert_details.language_en",
                  "": "alert_details.language_unknown"}
# The data set's level (statement 27) of a clear disclosure: danger now is an emergency.
LEVELS = {"immediate_danger": "emergency"}


def another_signal(session: Session, concern: SafeguardingAlert) -> bool:
    """Whether a concern comes with a second signal besides the words that raised it: two detectors
    or two categories agreeing, or any earlier alert or concern about the person (an earlier one
    within the signal window already made this one clear). With no answer to the gentle check,
    that makes it the clear tier (docs/safety/response.md)."""
    # The learned reader is not a second detector: alone it must never lead to the crisis reply.
    if len(set(concern.detected_by or []) - {MODEL}) >= 2:
        return True
    return concern.person_id is not None and session.scalar(select(SafeguardingAlert.id).where(
        SafeguardingAlert.person_id == concern.person_id, SafeguardingAlert.id != concern.id,
        SafeguardingAlert.raised_at <= concern.raised_at).limit(1)) is not None


def load_check_answers(path: str | Path) -> CheckAnswers:
    """The words the gentle check's answers may use (safe / not_safe / talk), both languages."""
    file = setting_path(path)
    try:
        data = load_yaml(file.read_text(encoding="utf-8"))
        words = {kind: [w for lang in ("cy", "en") for w in data[kind][lang]] for kind in (SAFE, NOT_SAFE, TALK)}
    except FileNotFoundError:
        raise ContactsError(f"gentle check answers file {file} (safeguarding.check_answers_file) "
                            "does not exist") from None
    except (yaml.YAMLError, KeyError, TypeError) as exc:
        raise ContactsError(f"gentle check answers file {file} is malformed (safe, not_safe and talk, "
                            f"each with cy and en lists): {exc}") from None
    return CheckAnswers.from_lists({k: [str(w) for w in v] for k, v in words.items()})


class ContactsError(Exception):
    """The crisis contacts file is missing or malformed (operator error; names the file)."""


CONTACT_FIELDS = ("cy", "en", "source", "review_by")


@dataclass(frozen=True)
class CrisisContacts:
    """The crisis contacts by topic (category) and language, each with its source and review date."""

    contacts: Mapping[str, Mapping[str, Any]]
    topics: Mapping[str, Mapping[str, tuple[str, ...]]]

    def lines(self, topic: str, language: str) -> str:
        """The contacts for a topic as lines of the crisis reply, in the order the file gives."""
        names = (self.topics.get(topic) or self.topics["default"])[language]
        return "\n".join(f"- {self.contacts[name][language].strip()}" for name in names)

    def review_due(self, today: date) -> list[str]:
        """Contacts whose review date has come."""
        return [name for name, entry in self.contacts.items() if entry["review_by"] <= today]


def load_contacts(path: str | Path) -> CrisisContacts:
    """The crisis contacts file (safeguarding.contacts_file), checked whole."""
    file = setting_path(path)
    try:
        data = load_yaml(file.read_text(encoding="utf-8"))
        contacts, topics = data["contacts"], data["topics"]
        for name, entry in contacts.items():
            missing = [f for f in CONTACT_FIELDS if not entry.get(f)]
            if missing:
                raise KeyError(f"contact {name!r} lacks {', '.join(missing)} (each entry needs cy and en, "
                               "a source and a review_by date)")
            if not isinstance(entry["review_by"], date):
                raise TypeError(f"contact {name!r}: review_by must be a date like 2027-06-01")
        topics = {topic: {lang: tuple(by_lang[lang]) for lang in ("cy", "en")} for topic, by_lang in topics.items()}
        for topic, by_lang in topics.items():
            unknown = [n for names in by_lang.values() for n in names if n not in contacts]
            if unknown or not all(by_lang.values()):
                raise KeyError(f"topic {topic!r} lists unknown contacts {unknown} or none")
        if "default" not in topics:
            raise KeyError("no `default` topic")
    except FileNotFoundError:
        raise ContactsError(f"crisis contacts file {file} (safeguarding.contacts_file) does not exist") from None
    except (yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise ContactsError(f"crisis contacts file {file} is malformed (each entry needs cy and en, a source "
                            f"and a review_by date; topics list them per language): {exc}") from None
    return CrisisContacts(contacts, topics)


# The order a primary category is chosen in when a message touches several.
CATEGORY_ORDER = ("immediate_danger", "suicide", "self_harm", "abuse")


@dataclass(frozen=True)
class Detection:
    """What the screen found.

    `tier` is "clear" (a clear disclosure, direct or indirect: crisis reply and urgent alert) or
    "possible" (genuinely ambiguous wording, or only the NLU model's evidence: a gentle check and a
    concern note). `categories` holds every category found (those found clearly first);
    `category` is the primary one, in CATEGORY_ORDER."""

    categories: tuple[str, ...]
    by_nlu: bool
    tier: str = ""
    category: str = ""
    # The learned second reader (bot/risk_model.py): the gentle check, or the crisis tier from its
    # tier reader's strong, unguarded evidence (with `categories` then from it and the lexicon).
    by_model: bool = False

    def __post_init__(self) -> None:
        if not self.tier:
            object.__setattr__(self, "tier", "clear" if self.categories else "possible")
        if not self.category:
            object.__setattr__(self, "category", primary_category(self.categories))

    @property
    def level(self) -> str:
        """The data set's level (statement 27): danger now is an emergency; a clear disclosure is
        urgent; a possible one is a concern."""
        if self.tier != "clear":
            return "concern"
        return "emergency" if self.category == "immediate_danger" else "urgent"

    @property
    def detected_by(self) -> list[str]:
        return [*self.categories, *(["nlu"] if self.by_nlu else []), *([MODEL] if self.by_model else [])]


def primary_category(categories) -> str:
    for name in CATEGORY_ORDER:
        if name in categories:
            return name
    return categories[0] if categories else "suicide"


# The NLU model's "risk" intent counts as evidence (tier possible, never clear) only from this
# score. The general intent model is trained on few risk examples: at 0.35 it flagged a quarter
# of ordinary messages ("I'm 74", bereavement, idioms), at 0.9 under 4% (measured on the labelled
# dev sets, docs/safety/screen-evaluation.md). The lexicon is the net for clear phrases.
NLU_POSSIBLE_MIN = 0.9
# How the learned second reader is named in detected_by; it never counts as a second detector.
MODEL = "risk_model"


def load_risk_model(settings: Any) -> RiskModel | None:
    """The learned second reader, cached beside the NLU models; off with safeguarding.risk_model = false."""
    if not settings.safeguarding.risk_model:
        return None
    return load_or_train(str(Path(settings.nlu.cache_dir).expanduser()))


def detect_risk(phrases: RiskPhrases, text: str, parse, nlu_threshold: float,
                model: RiskModel | None = None) -> Detection | None:
    """What the screen finds in one message (the whole message, as `screened_text` gives it).

    `model`, the learned second reader, is asked only when the lexicon found nothing clear and set
    no idiom aside. Its tier reader's strong evidence is the crisis tier: alone (the lexicon found
    nothing) from CLEAR_ALONE, with the lexicon's "possible" from CLEAR_WITH_PHRASE, never for a
    message the lexicon guards (past and recovered, a joke, helping, loss, loneliness). Otherwise
    its "yes" is the gentle check (docs/safety/screen-evaluation.md)."""
    finding = phrases.assess(text)
    # An idiom the lexicon set aside ("mae'r tywydd yn fy lladd i") explains the model's "risk".
    by_nlu = (parse.intent == "risk" and parse.confidence >= max(nlu_threshold, NLU_POSSIBLE_MIN)
              and not finding.idiom)
    if finding.clear:
        return Detection((*finding.clear, *finding.possible), by_nlu, "clear")
    if model is not None and not finding.idiom:
        strength, categories = model.clear_reading(text)
        bar = CLEAR_WITH_PHRASE if finding.possible else CLEAR_ALONE
        if strength >= bar and not phrases.guard(text):
            found = (*finding.possible, *(c for c in categories if c not in finding.possible))
            return Detection(found, by_nlu, "clear", by_model=True)
    if finding.possible or by_nlu:
        return Detection(finding.possible, by_nlu, "possible")
    if model is not None and not finding.idiom and model.flags(text):
        return Detection((), False, "possible", by_model=True)
    return None


class Safeguarding:
    """The screen, the alert action for practitioners, the escalation due work, and pause/resume."""

    def __init__(self, settings: Any, catalog: Catalog, flows: Mapping[str, Any], context=None):
        self.settings = settings
        self.catalog = catalog
        self.flows = flows
        self.context = context  # turn -> FlowContext, for asking a resumed flow's question again
        self.phrases = RiskPhrases.load(settings.safeguarding.phrases_file)
        self.model = load_risk_model(settings)
        self.contacts = load_contacts(settings.safeguarding.contacts_file)
        self.service_hours = ServiceHours.from_settings(settings.service)
        self.check_answers = load_check_answers(settings.safeguarding.check_answers_file)
        self.interval = timedelta(minutes=settings.safeguarding.escalate_after_minutes)
        self.check_wait = timedelta(minutes=settings.safeguarding.check_wait_minutes)
        self.signal_window = timedelta(days=settings.safeguarding.signal_window_days)
        self.dispatcher = None  # set by the composition root: feeds held words to a flow

    # ------------------------------------------------------------ detection

    def detect(self, text: str, parse) -> Detection | None:
        return detect_risk(self.phrases, text, parse, self.settings.safeguarding.nlu_threshold, self.model)

    # ------------------------------------------------------------ the screen

    def screen(self, turn, ctx) -> Transition | None:
        if not turn.text or ctx.person.get("is_practitioner"):
            return None
        # The whole message, not only the part read for meaning: a disclosure may come at the end.
        full = screened_text(turn.message.text)
        detection = self.detect(full, turn.parse)
        if detection is None:
            return None
        if (detection.tier == "possible" and turn.conversation.flow == CHECK_FLOW
                and self.check_answers.read(turn.text) is not None):
            # An answer to the gentle check ("I'm safe" reads as risk to the NLU): the check reads it.
            return None
        language = turn.person.language or detect_language(turn.text)
        earlier = self._earlier_signal(turn.session, turn.person.id, turn.now)
        # Someone who texted STOP hears nothing else, so a gentle check could not be answered
        # (their "yes" would even opt them back in): they get the contacts, as for a clear disclosure.
        if (detection.tier == "possible" and earlier is None and turn.conversation.flow != SAFETY_FLOW
                and not turn.person.opted_out):
            return self._gentle_check(turn, detection.category, detection.detected_by, language)
        # A clear disclosure, or a second signal (the gentle check, or an alert, came before).
        return self._crisis(turn, detection.category, detection.detected_by, language, earlier)

    def _crisis(self, turn, category: str, detected_by: list[str], language: str | None,
                earlier: SafeguardingAlert | None) -> Transition:
        """Tier (a): the crisis reply at once and an urgent alert (or a word to whoever has it open)."""
        person = turn.person
        for reply in self.crisis_replies(person.language or language, category, turn.now):
            turn.reply(reply, ignore_opt_out=True)
        events = []
        try:
            # In a savepoint: if raising the alert fails, the crisis reply above still goes out.
            with turn.session.begin_nested():
                if earlier is not None and earlier.status == "open":
                    self._further_message(turn, earlier, detected_by)
                else:
                    if earlier is not None and earlier.tier == "possible" and earlier.status != "open":
                        alert = self._upgrade(turn.session, earlier, turn.now, category, detected_by,
                                              reason="second_signal", text=screened_text(turn.message.text))
                    else:
                        alert = self._raise(turn, category, detected_by, language)
                    level = LEVELS.get(category, "urgent")
                    turn.after_commit.append(SAFEGUARDING_ALERTS.labels(level).inc)
                    events = [DataSetEvent(SAFEGUARDING_RAISED, {"level": level, "tier": "clear",
                                                                 "category": alert.category})]
        except Exception:
            log.exception("SAFEGUARDING: could not raise an alert for person %s; act on this now", person.id)
        self._pause(turn.conversation, has_language=bool(person.language))
        return Transition(None, events=events)

    def _gentle_check(self, turn, category: str, detected_by: list[str], language: str | None) -> Transition:
        """Tier (b): "are you safe right now?", and a low-priority concern note to the practitioner."""
        person, conversation = turn.person, turn.conversation
        paused_flow = self._set_aside(conversation, has_language=bool(person.language))
        flow = self.flows[CHECK_FLOW]
        begun = flow.begin(Begin({"held_text": turn.text, "paused_flow": paused_flow}), self.context(turn))
        conversation.flow = CHECK_FLOW
        conversation.state = begun.state.to_json()
        # Asked in their language; before they have chosen one, in the language they wrote in (or both).
        asked_in = None if person.language else (language if language in ("cy", "en") else BILINGUAL)
        for reply in begun.replies:
            turn.reply(dataclasses.replace(reply, language=asked_in) if asked_in else reply, ignore_opt_out=True)
        try:
            with turn.session.begin_nested():
                self._raise_concern(turn, category, detected_by, language)
        except Exception:
            log.exception("SAFEGUARDING: could not raise a concern for person %s; act on this now", person.id)
        return Transition(None)

    def crisis_replies(self, language: str | None, category: str | None, now: datetime) -> list[Reply]:
        """The crisis reply: the contacts for the category, and, honestly, when the team works."""
        languages = [language] if language in ("cy", "en") else ["cy", "en"]
        hours = self.service_hours
        team_key = "safeguarding.team_working" if hours.is_open(now) else "safeguarding.team_not_working"
        return [Say("safeguarding.crisis", language=lang, contacts=self.contacts.lines(category or "default", lang),
                    team=self.catalog.text(team_key, lang, hours=hours.describe(self.catalog, lang)))
                for lang in languages]

    def _set_aside(self, conversation: Conversation, has_language: bool) -> str:
        """Set the current flow aside in Conversation.paused (not lost); the name, or "" if none was."""
        current = conversation.flow
        if current in NOTHING_TO_RESUME or current == CHECK_FLOW or (current == "language" and not has_language):
            return ""
        entry = {"flow": current, "state": dict(conversation.state or {})}
        conversation.paused = [*(conversation.paused or []), entry][-MAX_PAUSED:]
        return current

    def _pause(self, conversation: Conversation, has_language: bool) -> None:
        """Set the current flow aside (not lost) and wait in the safety flow for their next words."""
        current = conversation.flow
        if current == SAFETY_FLOW:
            return
        if current == "language" and not has_language:
            return  # no language chosen yet: the Active Offer simply carries on next time
        if current == CHECK_FLOW:
            # The gentle check had already set their flow aside.
            paused_flow = SafetyCheckState.from_json(conversation.state or {}).paused_flow
        else:
            paused_flow = self._set_aside(conversation, has_language)
        conversation.flow = SAFETY_FLOW
        conversation.state = SafetyState(step="after_crisis", paused_flow=paused_flow).to_json()

    def _earlier_signal(self, session: Session, person_id: int, now: datetime) -> SafeguardingAlert | None:
        """An open alert, or any alert or concern raised within the signal window: the latest."""
        since = now - self.signal_window
        return session.scalar(select(SafeguardingAlert).where(
            SafeguardingAlert.person_id == person_id,
            or_(SafeguardingAlert.status == "open", SafeguardingAlert.raised_at >= since),
        ).order_by((SafeguardingAlert.status == "open").desc(), SafeguardingAlert.id.desc()).limit(1))

    # ------------------------------------------------------------ the gentle check's answer

    def on_check_answer(self, turn, effect: CheckAnswer) -> None:
        session, now = turn.session, turn.now
        concern = session.scalar(select(SafeguardingAlert).where(
            SafeguardingAlert.person_id == turn.person.id, SafeguardingAlert.tier == "possible",
            SafeguardingAlert.status.in_(("checking", "unanswered")),
        ).order_by(SafeguardingAlert.id.desc()).limit(1))
        another = concern is not None and another_signal(session, concern)
        if effect.answer in (NOT_SAFE, TALK) or (effect.answer == UNANSWERED and another):
            self._crisis_after_check(turn, concern, effect)
            return
        if concern is not None:
            concern.status = "safe" if effect.answer == SAFE else "unanswered"
            concern.next_escalation_at = None
            self._log(session, concern, now, "check_answered", detail={"answer": effect.answer})
            if effect.answer == UNANSWERED:
                self._tell_concern_holders(session, concern, now, "concern.unanswered")
        if effect.answer == UNANSWERED:
            turn.reply(Say("safeguarding.check_later"))
        self._carry_on(turn, effect)

    def _crisis_after_check(self, turn, concern: SafeguardingAlert | None, effect: CheckAnswer) -> None:
        person, session = turn.person, turn.session
        category = concern.category if concern is not None and concern.category else "suicide"
        for reply in self.crisis_replies(person.language, category, turn.now):
            turn.reply(reply, ignore_opt_out=True)
        try:
            with session.begin_nested():
                if concern is not None:
                    self._upgrade(session, concern, turn.now, category, [], reason=effect.answer)
                else:
                    self._raise(turn, category, [effect.answer], person.language)
                level = LEVELS.get(category, "urgent")
                turn.after_commit.append(SAFEGUARDING_ALERTS.labels(level).inc)
                turn.record(DataSetEvent(SAFEGUARDING_RAISED, {"level": level, "tier": "clear",
                                                              "category": category}), CHECK_FLOW)
        except Exception:
            log.exception("SAFEGUARDING: could not raise an alert for person %s; act on this now", person.id)
        # The check's flow has finished; what it had set aside waits in the safety flow.
        conversation = turn.conversation
        paused_flow = (conversation.paused or [{}])[-1].get("flow", "") if effect.paused else ""
        if person.language:
            conversation.flow = SAFETY_FLOW
            conversation.state = SafetyState(step="after_crisis", paused_flow=paused_flow).to_json()

    def _carry_on(self, turn, effect: CheckAnswer) -> None:
        """Back to where they were, and the words that raised the check given to that flow."""
        conversation = turn.conversation
        if not turn.person.language:
            payload = {"detected": detect_language(effect.held_text), "text": effect.held_text, "intent": ""}
            self.dispatcher.start(turn, "language", payload)
            return
        if effect.paused and conversation.paused and conversation.paused[-1].get("flow") in self.flows:
            paused = list(conversation.paused)
            entry = paused.pop()
            conversation.paused = paused
            flow = self.flows[entry["flow"]]
            conversation.flow = flow.name
            conversation.state = flow.state_type.from_json(entry.get("state") or {}).to_json()
        if effect.held_text:
            self.dispatcher.feed(turn, conversation.flow, effect.held_text)
        else:
            self.dispatcher.reprompt(turn)

    def checks_due(self, session: Session, now: datetime) -> None:
        """Gentle checks nobody answered in time: with another signal, the clear tier; else noted."""
        due = session.scalars(select(SafeguardingAlert).where(
            SafeguardingAlert.status == "checking", SafeguardingAlert.next_escalation_at <= now,
        ).order_by(SafeguardingAlert.id).with_for_update()).all()
        for concern in due:
            try:
                with session.begin_nested():
                    self._check_unanswered(session, concern, now)
            except Exception:
                log.exception("SAFEGUARDING: could not act on unanswered check %s; act on this now", concern.id)

    def _check_unanswered(self, session: Session, concern: SafeguardingAlert, now: datetime) -> None:
        if not another_signal(session, concern):
            concern.status = "unanswered"
            concern.next_escalation_at = None
            self._log(session, concern, now, "check_unanswered")
            self._tell_concern_holders(session, concern, now, "concern.unanswered")
            return
        category = concern.category or "suicide"
        person = session.get(Person, concern.person_id) if concern.person_id else None
        language = (person.language if person else None) or concern.language
        for n, reply in enumerate(self.crisis_replies(language, category, now)):
            queue_message(session, self.catalog, reply, channel=concern.channel, address=concern.address, now=now,
                          person=person, language=reply.language, ignore_opt_out=True,
                          idempotency_key=f"alert:{concern.id}:unanswered_crisis:{n}")
        self._upgrade(session, concern, now, category, [], reason="unanswered")
        if person is not None:
            session.add(DataSetEventRow(
                statement=SAFEGUARDING_RAISED, subject_key=person.pseudonym, person_id=person.id,
                value={"level": LEVELS.get(category, "urgent"), "tier": "clear", "category": category},
                occurred_at=now, channel=concern.channel, language=person.language, source="safeguarding"))
            conversation = session.scalar(select(Conversation).where(Conversation.person_id == person.id))
            if conversation is not None and conversation.flow == CHECK_FLOW and person.language:
                check = SafetyCheckState.from_json(conversation.state or {})
                conversation.flow = SAFETY_FLOW
                conversation.state = SafetyState(step="after_crisis", paused_flow=check.paused_flow).to_json()
                conversation.updated_at = now

    # ------------------------------------------------------------ raising and sending

    def _open_alert(self, session: Session, person_id: int) -> SafeguardingAlert | None:
        return session.scalar(select(SafeguardingAlert).where(
            SafeguardingAlert.person_id == person_id, SafeguardingAlert.status == "open",
        ).order_by(SafeguardingAlert.id.desc()).limit(1))

    def _new_alert(self, turn, tier: str, category: str, detected_by: list[str], language: str | None,
                   status: str, next_at: datetime) -> tuple[SafeguardingAlert, Practitioner | None]:
        session, now = turn.session, turn.now
        assigned, team = self._responsible(session, turn.person.id)
        alert = SafeguardingAlert(
            person_id=turn.person.id, inbound_id=turn.inbound_id, channel=turn.message.channel,
            address=turn.message.address, excerpt=excerpt(screened_text(turn.message.text)),
            detected_by=list(detected_by), team_id=team.id if team else None, status=status,
            alerted=[], raised_at=now, next_escalation_at=next_at, tier=tier, category=category,
            language=language if language in ("cy", "en") else None,
        )
        session.add(alert)
        session.flush()
        self._log(session, alert, now, "raised", detail={"detected_by": list(detected_by), "tier": tier,
                                                         "category": category, "edited": turn.message.edited})
        return alert, assigned or self._first_on_list(team, alert.language)

    def _raise(self, turn, category: str, detected_by: list[str], language: str | None) -> SafeguardingAlert:
        """Tier (a): an urgent alert that must be acknowledged, escalating until it is."""
        alert, first = self._new_alert(turn, "clear", category, detected_by, language, "open",
                                       turn.now + self.interval)
        if first is None:
            self._no_contact(turn.session, alert, turn.now)
        else:
            self._send_alert(turn.session, alert, first, turn.now, "safeguarding.alert")
        return alert

    def _raise_concern(self, turn, category: str, detected_by: list[str], language: str | None) -> SafeguardingAlert:
        """Tier (b): a concern note (no button, no escalation) while the gentle check waits for an answer."""
        alert, first = self._new_alert(turn, "possible", category, detected_by, language, "checking",
                                       turn.now + self.check_wait)
        if first is None:
            self._no_contact(turn.session, alert, turn.now)
            return alert
        self._note(turn.session, alert, first, turn.now, "concern.note", key=f"concern:{alert.id}:note")
        self._log(turn.session, alert, turn.now, "concern_sent", first.id)
        return alert

    def _upgrade(self, session: Session, alert: SafeguardingAlert, now: datetime, category: str,
                 detected_by: list[str], reason: str, text: str | None = None) -> SafeguardingAlert:
        """A concern becomes an urgent alert (tier a): same row, its history kept."""
        alert.tier = "clear"
        alert.status = "open"
        alert.category = category or alert.category
        alert.detected_by = [*alert.detected_by, *(d for d in detected_by if d not in alert.detected_by)]
        if text:
            alert.excerpt = excerpt(f"{alert.excerpt}\n…\n{text}")
        alert.next_escalation_at = now + self.interval
        self._log(session, alert, now, "upgraded", detail={"reason": reason, "category": alert.category})
        assigned, _ = self._responsible(session, alert.person_id) if alert.person_id else (None, None)
        team = session.get(Team, alert.team_id) if alert.team_id else None
        first = assigned or self._first_on_list(team, alert.language)
        if first is None:
            self._no_contact(session, alert, now)
        else:
            self._send_alert(session, alert, first, now, "safeguarding.alert")
        return alert

    def _tell_concern_holders(self, session: Session, alert: SafeguardingAlert, now: datetime, key: str) -> None:
        for event in session.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert.id,
                                                              AlertEvent.kind == "concern_sent")):
            practitioner = session.get(Practitioner, event.practitioner_id) if event.practitioner_id else None
            if practitioner is not None:
                self._note(session, alert, practitioner, now, key, key=f"concern:{alert.id}:{key}:{practitioner.id}")

    def _further_message(self, turn, alert: SafeguardingAlert, detected_by: list[str]) -> None:
        """Another worrying message while the alert is still open: everyone alerted sees it too."""
        session, now = turn.session, turn.now
        self._log(session, alert, now, "further_message",
                  detail={"excerpt": excerpt(screened_text(turn.message.text)),
                          "detected_by": list(detected_by)})
        for pid in alert.alerted:
            practitioner = session.get(Practitioner, pid)
            if practitioner is not None:
                self._deliver(session, alert, practitioner, now, "safeguarding.alert_further",
                              key=f"alert:{alert.id}:further:{turn.inbound_id}:{pid}",
                              text=excerpt(screened_text(turn.message.text)))

    def _responsible(self, session: Session, person_id: int) -> tuple[Practitioner | None, Team | None]:
        """Their assigned practitioner and team (from an open referral), else the team for their postcode."""
        referral = session.scalar(select(Referral).where(
            Referral.person_id == person_id, Referral.status.in_(ACTIVE_REFERRAL),
        ).order_by(Referral.id.desc()).limit(1))
        if referral is not None and referral.team_id is not None:
            assigned = session.get(Practitioner, referral.practitioner_id) if referral.practitioner_id else None
            if assigned is not None and not reachable([assigned]):
                assigned = None
            return assigned, session.get(Team, referral.team_id)
        # No open referral: the postcode from a draft, if they gave one, finds the local team.
        latest = session.scalar(select(Referral).where(Referral.person_id == person_id)
                                .order_by(Referral.id.desc()).limit(1))
        postcode = parse_postcode((latest.answers or {}).get("postcode", "")) if latest is not None else None
        return None, team_for_postcode(session, postcode, self.settings.safeguarding.default_team)

    @staticmethod
    def escalation_list(team: Team | None, language: str | None = None) -> list[Practitioner]:
        """The team's reachable practitioners in the order they are asked: rank, leads first, id;
        for someone who writes in Welsh, those who read Welsh first."""
        if team is None:
            return []
        welsh = language == "cy"
        return sorted(reachable(list(team.practitioners)),
                      key=lambda p: (welsh and not reads_welsh(p), p.escalation_rank, not p.safeguarding_lead, p.id))

    def _first_on_list(self, team: Team | None, language: str | None = None) -> Practitioner | None:
        """The safeguarding lead (one who reads Welsh, for someone who writes in Welsh, if there is
        one); else the top of the list. Escalation then prefers Welsh readers."""
        listed = self.escalation_list(team, language)
        leads = [p for p in listed if p.safeguarding_lead]
        return (leads or listed or [None])[0]

    def _send_alert(self, session: Session, alert: SafeguardingAlert, practitioner: Practitioner,
                    now: datetime, key: str, **extra: Any) -> None:
        step = len(alert.alerted)
        alert.alerted = [*alert.alerted, practitioner.id]
        self._deliver(session, alert, practitioner, now, key, key=f"alert:{alert.id}:step:{step}", **extra)
        self._log(session, alert, now, "sent" if step == 0 else "escalated", practitioner.id,
                  detail={"step": step})

    def _deliver(self, session: Session, alert: SafeguardingAlert, practitioner: Practitioner,
                 now: datetime, message_key: str, *, key: str, button: bool = True, **extra: Any) -> None:
        person = session.get(Person, practitioner.person_id)
        address = preferred_address(person) if person is not None else None
        if address is None:
            self._log(session, alert, now, "unreachable", practitioner.id)
            return
        language = person.language or practitioner.language
        params = {"text": alert.excerpt, "channel": channel_name(alert.channel),
                  "address": self._reach(session, alert), "when": _local_time(alert.raised_at, self.settings),
                  "alert": alert.id, "about": self.about(alert, practitioner, language), **extra}
        options = [ack_option(alert.id)] if button else []
        reply = regarding(Ask(message_key, options, **params), alert.person_id)
        # Alerts go out whatever the practitioner's own opt-out says: they are safety-critical.
        queue_message(session, self.catalog, reply, channel=address.channel, address=address.address,
                      now=now, person=person, language=language, idempotency_key=key, ignore_opt_out=True)

    def _note(self, session: Session, alert: SafeguardingAlert, practitioner: Practitioner, now: datetime,
              message_key: str, *, key: str) -> None:
        """A concern note: the alert's details, without the Acknowledge button."""
        self._deliver(session, alert, practitioner, now, message_key, key=key, button=False)

    def about(self, alert: SafeguardingAlert, practitioner: Practitioner, language: str) -> str:
        """What a practitioner needs to act: the tier, the category, the person's language, and a
        word when they write in Welsh and this practitioner does not read it."""
        text = self.catalog.text
        writes_in = alert.language if alert.language in ("cy", "en") else None
        lines = [text("alert_details.summary", language,
                      tier=text(TIER_NAMES.get(alert.tier, TIER_NAMES["clear"]), language),
                      category=text(CATEGORY_NAMES.get(alert.category or "", CATEGORY_NAMES["suicide"]), language),
                      language=text(LANGUAGE_NAMES.get(writes_in or "", LANGUAGE_NAMES[""]), language))]
        if writes_in == "cy" and not reads_welsh(practitioner):
            lines.append(text("alert_details.welsh_reader_needed", language))
        return "\n".join(lines)

    def _reach(self, session: Session, alert: SafeguardingAlert) -> str:
        """Their chat address, and the phone number from their referral when the chat is not SMS."""
        if alert.channel == "sms" or alert.person_id is None:
            return alert.address
        latest = session.scalar(select(Referral).where(Referral.person_id == alert.person_id)
                                .order_by(Referral.id.desc()).limit(1))
        phone = (latest.answers or {}).get("phone") if latest is not None else None
        return f"{alert.address} / {phone}" if phone else alert.address

    def _no_contact(self, session: Session, alert: SafeguardingAlert, now: datetime) -> None:
        # Nobody can be reached: an operator must act. Keep trying at every interval.
        log.error("safeguarding alert %s: no reachable practitioner; add and link practitioners "
                  "(cyswllt practitioner add ... --safeguarding-lead)", alert.id)
        self._log(session, alert, now, "no_contact")

    def _log(self, session: Session, alert: SafeguardingAlert, now: datetime, kind: str,
             practitioner_id: int | None = None, detail: dict | None = None) -> None:
        session.add(AlertEvent(alert_id=alert.id, at=now, kind=kind, practitioner_id=practitioner_id,
                               detail=detail or {}))

    # ------------------------------------------------------------ escalation (due work)

    def escalate_due(self, session: Session, now: datetime) -> None:
        """Every open alert past its time goes to the next person on its team's list."""
        due = session.scalars(select(SafeguardingAlert).where(
            SafeguardingAlert.status == "open", SafeguardingAlert.next_escalation_at <= now,
        ).order_by(SafeguardingAlert.id).with_for_update()).all()
        for alert in due:
            try:
                with session.begin_nested():  # one alert's failure must not stop the others
                    self._escalate(session, alert, now)
            except Exception:
                log.exception("SAFEGUARDING: could not escalate alert %s; act on this now", alert.id)

    def escalate_now(self, session: Session, alert: SafeguardingAlert, now: datetime) -> None:
        """Escalate at once, not at its next time (the practitioner it waits on has left)."""
        self._escalate(session, alert, now)

    def _escalate(self, session: Session, alert: SafeguardingAlert, now: datetime) -> None:
        team = session.get(Team, alert.team_id) if alert.team_id else None
        if team is None:
            team = team_for_postcode(session, None, self.settings.safeguarding.default_team)
            alert.team_id = team.id if team else None
        listed = self.escalation_list(team, alert.language)
        asked = set(alert.alerted)
        following = [p for p in listed if p.id not in asked]
        minutes = int(self.interval.total_seconds() // 60)
        previous = session.get(Practitioner, alert.alerted[-1]) if alert.alerted else None
        if not following and listed:
            # Everyone has been asked and nobody has answered: start again from the top.
            self._log(session, alert, now, "list_exhausted", detail={"round": len(alert.alerted) // len(listed)})
            following = listed
        alert.next_escalation_at = now + self.interval
        if not following:
            self._no_contact(session, alert, now)
            return
        self._send_alert(session, alert, following[0], now, "safeguarding.alert_escalated",
                         previous=previous.name if previous else "-", minutes=minutes)

    # ------------------------------------------------------------ the practitioner's answer

    @staticmethod
    def may_act(alert: SafeguardingAlert | None, practitioner: Practitioner) -> bool:
        """Only someone it was sent to, or someone in the person's team, may take it on."""
        return alert is not None and (practitioner.id in (alert.alerted or []) or practitioner.team_id == alert.team_id)

    def on_answer(self, turn, practitioner: Practitioner, answer: PractitionerAnswer):
        alert = turn.session.get(SafeguardingAlert, int(answer.target)) if answer.target.isdigit() else None
        if not self.may_act(alert, practitioner) or answer.verb != "ack":
            refuse(turn, practitioner, "alert", Say("safeguarding.alert_unknown"))
            return None
        if alert.status == "acknowledged":
            by = turn.session.get(Practitioner, alert.acknowledged_by) if alert.acknowledged_by else None
            turn.reply(Say("safeguarding.alert_already", name=by.name if by else "-"))
            return None
        alert.status = "acknowledged"
        alert.acknowledged_at = turn.now
        alert.acknowledged_by = practitioner.id
        alert.next_escalation_at = None
        self._log(turn.session, alert, turn.now, "acknowledged", practitioner.id)
        turn.reply(regarding(Say("safeguarding.alert_acknowledged", alert=alert.id,
                                 channel=channel_name(alert.channel), address=alert.address), alert.person_id))
        self._tell_person_acknowledged(turn, alert, practitioner)
        for pid in dict.fromkeys(alert.alerted):
            other = turn.session.get(Practitioner, pid)
            if other is None or other.id == practitioner.id:
                continue
            self._tell(turn, other, Say("safeguarding.alert_taken", alert=alert.id, name=practitioner.name),
                       key=f"alert:{alert.id}:taken:{other.id}")
        return None

    def _tell_person_acknowledged(self, turn, alert: SafeguardingAlert, practitioner: Practitioner) -> None:
        """Only now may the person be told that a (named) team member knows (issue 14: honest promises)."""
        person = turn.session.get(Person, alert.person_id) if alert.person_id else None
        if person is None:
            return
        language = person.language or alert.language or BILINGUAL
        # As the crisis reply did, this reaches someone who texted STOP: it is about their safety.
        turn.send_to(alert.channel, alert.address, Say("safeguarding.acknowledged_person", name=practitioner.name),
                     language, person_id=person.id, idempotency_key=f"alert:{alert.id}:acknowledged_person",
                     ignore_opt_out=True)

    def _tell(self, turn, practitioner: Practitioner, reply: Reply, key: str) -> None:
        person = turn.session.get(Person, practitioner.person_id) if practitioner.person_id else None
        address = preferred_address(person) if person is not None else None
        if address is not None:
            turn.send_to(address.channel, address.address, reply, person.language or practitioner.language,
                         person_id=person.id, idempotency_key=key, ignore_opt_out=True)

    def items(self, session: Session, practitioner: Practitioner, lang: str, now: datetime) -> list[WaitingItem]:
        """For LIST and bare numbers: the open alerts this practitioner may acknowledge, oldest first."""
        alerts = session.scalars(select(SafeguardingAlert).where(SafeguardingAlert.status == "open")
                                 .order_by(SafeguardingAlert.id)).all()
        items = []
        for alert in alerts:
            if not self.may_act(alert, practitioner):
                continue
            line = self.catalog.text(
                "practitioner.item_alert", lang, n=alert.id, when=_local_time(alert.raised_at, self.settings),
                who=who_is(session, self.catalog, lang, alert.person_id, channel=alert.channel),
                text=excerpt(alert.excerpt)[:80], commands=commands(self.catalog, lang, [ACK_COMMAND], alert.id))
            items.append(WaitingItem("alert", alert.id, alert.raised_at, line, verbs=("ack",),
                                     person_id=alert.person_id))
        return items

    # ------------------------------------------------------------ resuming a paused flow

    def resume(self, turn, effect: ResumePaused) -> None:
        conversation = turn.conversation
        paused = list(conversation.paused or [])
        if not paused or paused[-1].get("flow") not in self.flows:
            conversation.paused = []
            flow = self.flows["menu"]
            turn.reply(flow.prompt(flow.state_type(step="home"), self.context(turn))[0])
            return
        entry = paused.pop()
        conversation.paused = paused
        flow = self.flows[entry["flow"]]
        state = flow.state_type.from_json(entry.get("state") or {})
        conversation.flow = flow.name
        conversation.state = state.to_json()
        for reply in flow.prompt(state, self.context(turn)):
            turn.reply(reply)

    def drop(self, turn, effect: DropPaused) -> None:
        if turn.conversation.paused:
            turn.conversation.paused = turn.conversation.paused[:-1]


ACK_COMMAND = "practitioner.command_ack"


def ack_option(alert_id: int) -> Option:
    """The alert's Acknowledge button; by SMS its command, ACK n (CYDNABOD n)."""
    return Option(action_value("alert", alert_id, "ack"), "safeguarding.option_ack", {"n": alert_id},
                  command=ACK_COMMAND)


def screened_text(raw: str | None) -> str:
    """The message as screened: NFC, invisible and control characters removed, up to SCREEN_LIMIT."""
    text = unicodedata.normalize("NFC", (raw or "")[:SCREEN_LIMIT])
    return INVISIBLE.sub("", text).strip()


def excerpt(text: str) -> str:
    """What the practitioner sees: the whole message, or its start and end if it is long."""
    if len(text) <= EXCERPT_LIMIT:
        return text
    half = EXCERPT_LIMIT // 2
    return f"{text[:half]} … {text[-half:]}"


def channel_name(channel: str) -> str:
    return label(channel)


def _local_time(when: datetime, settings: Any) -> str:
    return when.astimezone(ZoneInfo(settings.service.timezone)).strftime("%H:%M %d/%m/%Y")
