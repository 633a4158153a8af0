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

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.catalog import Catalog
from bot.metrics import SAFEGUARDING_ALERTS
from bot.outbox import preferred_address, queue_message
from bot.practitioner_items import WaitingItem, commands, refuse, who_is
from bot.risk_phrases import RiskPhrases
from bot.routing import reachable, team_for_postcode
from config import setting_path
from flows.base import Ask, DataSetEvent, Option, Reply, Say, Transition, regarding
from flows.postcodes import parse_postcode
from flows.practitioner import PractitionerAnswer, action_value
from flows.safety import NAME as SAFETY_FLOW, DropPaused, ResumePaused, SafetyState
from nlu.language import detect_language
from storage.models import (
    AlertEvent, Conversation, Person, Practitioner, Referral, SafeguardingAlert, Team,
)

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


class ContactsError(Exception):
    """The crisis contacts file is missing or malformed (operator error; names the file)."""


def load_contacts(path: str | Path) -> dict[str, str]:
    """The crisis contacts as one block of lines per language."""
    file = setting_path(path)
    try:
        entries = yaml.safe_load(file.read_text(encoding="utf-8"))["contacts"]
        lines = {lang: [f"- {entry[lang].strip()}" for entry in entries] for lang in ("cy", "en")}
    except FileNotFoundError:
        raise ContactsError(f"crisis contacts file {file} (safeguarding.contacts_file) does not exist") from None
    except (yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise ContactsError(f"crisis contacts file {file} is malformed (each entry needs cy and en): {exc}") from None
    if not lines["en"]:
        raise ContactsError(f"crisis contacts file {file} lists no contacts")
    return {lang: "\n".join(values) for lang, values in lines.items()}


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
        return [*self.categories, *(["nlu"] if self.by_nlu else [])]


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


def detect_risk(phrases: RiskPhrases, text: str, parse, nlu_threshold: float) -> Detection | None:
    """What the screen finds in one message (the whole message, as `screened_text` gives it)."""
    finding = phrases.assess(text)
    # An idiom the lexicon set aside ("mae'r tywydd yn fy lladd i") explains the model's "risk".
    by_nlu = (parse.intent == "risk" and parse.confidence >= max(nlu_threshold, NLU_POSSIBLE_MIN)
              and not finding.idiom)
    if finding.clear:
        return Detection((*finding.clear, *finding.possible), by_nlu, "clear")
    if finding.possible or by_nlu:
        return Detection(finding.possible, by_nlu, "possible")
    return None


class Safeguarding:
    """The screen, the alert action for practitioners, the escalation due work, and pause/resume."""

    def __init__(self, settings: Any, catalog: Catalog, flows: Mapping[str, Any], context=None):
        self.settings = settings
        self.catalog = catalog
        self.flows = flows
        self.context = context  # turn -> FlowContext, for asking a resumed flow's question again
        self.phrases = RiskPhrases.load(settings.safeguarding.phrases_file)
        self.contacts = load_contacts(settings.safeguarding.contacts_file)
        self.interval = timedelta(minutes=settings.safeguarding.escalate_after_minutes)

    # ------------------------------------------------------------ detection

    def detect(self, text: str, parse) -> Detection | None:
        return detect_risk(self.phrases, text, parse, self.settings.safeguarding.nlu_threshold)

    # ------------------------------------------------------------ the screen

    def screen(self, turn, ctx) -> Transition | None:
        if not turn.text or ctx.person.get("is_practitioner"):
            return None
        # The whole message, not only the part read for meaning: a disclosure may come at the end.
        full = screened_text(turn.message.text)
        detection = self.detect(full, turn.parse)
        if detection is None:
            return None
        person = turn.person
        for reply in self.crisis_replies(person.language or detect_language(turn.text)):
            turn.reply(reply, ignore_opt_out=True)
        events = []
        try:
            # In a savepoint: if raising the alert fails, the crisis reply above still goes out.
            with turn.session.begin_nested():
                alert = self._open_alert(turn.session, person.id)
                if alert is None:
                    self._raise(turn, detection)
                    turn.after_commit.append(SAFEGUARDING_ALERTS.labels(detection.level).inc)
                    events = [DataSetEvent(SAFEGUARDING_RAISED, {"level": detection.level})]
                else:
                    self._further_message(turn, alert, detection)
        except Exception:
            log.exception("SAFEGUARDING: could not raise an alert for person %s; act on this now", person.id)
        self._pause(turn.conversation, has_language=bool(person.language))
        return Transition(None, events=events)

    def crisis_replies(self, language: str | None) -> list[Reply]:
        languages = [language] if language in ("cy", "en") else ["cy", "en"]
        return [Say("safeguarding.crisis", language=lang, contacts=self.contacts[lang]) for lang in languages]

    def _pause(self, conversation: Conversation, has_language: bool) -> None:
        """Set the current flow aside (not lost) and wait in the safety flow for their next words."""
        current = conversation.flow
        if current == SAFETY_FLOW:
            return
        if current == "language" and not has_language:
            return  # no language chosen yet: the Active Offer simply carries on next time
        paused_flow = ""
        if current not in NOTHING_TO_RESUME:
            entry = {"flow": current, "state": dict(conversation.state or {})}
            conversation.paused = [*(conversation.paused or []), entry][-MAX_PAUSED:]
            paused_flow = current
        conversation.flow = SAFETY_FLOW
        conversation.state = SafetyState(step="after_crisis", paused_flow=paused_flow).to_json()

    # ------------------------------------------------------------ raising and sending

    def _open_alert(self, session: Session, person_id: int) -> SafeguardingAlert | None:
        return session.scalar(select(SafeguardingAlert).where(
            SafeguardingAlert.person_id == person_id, SafeguardingAlert.status == "open",
        ).order_by(SafeguardingAlert.id.desc()).limit(1))

    def _raise(self, turn, detection: Detection) -> SafeguardingAlert:
        session, now = turn.session, turn.now
        assigned, team = self._responsible(session, turn.person.id)
        alert = SafeguardingAlert(
            person_id=turn.person.id, inbound_id=turn.inbound_id, channel=turn.message.channel,
            address=turn.message.address, excerpt=excerpt(screened_text(turn.message.text)),
            detected_by=detection.detected_by, team_id=team.id if team else None, status="open",
            alerted=[], raised_at=now, next_escalation_at=now + self.interval,
        )
        session.add(alert)
        session.flush()
        self._log(session, alert, now, "raised", detail={"detected_by": detection.detected_by})
        first = assigned or self._first_on_list(team)
        if first is None:
            self._no_contact(session, alert, now)
        else:
            self._send_alert(session, alert, first, now, "safeguarding.alert")
        return alert

    def _further_message(self, turn, alert: SafeguardingAlert, detection: Detection) -> None:
        """Another worrying message while the alert is still open: everyone alerted sees it too."""
        session, now = turn.session, turn.now
        self._log(session, alert, now, "further_message",
                  detail={"excerpt": excerpt(screened_text(turn.message.text)),
                          "detected_by": detection.detected_by})
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
    def escalation_list(team: Team | None) -> list[Practitioner]:
        """The team's reachable practitioners in the order they are asked: rank, leads first, id."""
        if team is None:
            return []
        return sorted(reachable(list(team.practitioners)),
                      key=lambda p: (p.escalation_rank, not p.safeguarding_lead, p.id))

    def _first_on_list(self, team: Team | None) -> Practitioner | None:
        listed = self.escalation_list(team)
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
                 now: datetime, message_key: str, *, key: str, **extra: Any) -> None:
        person = session.get(Person, practitioner.person_id)
        address = preferred_address(person) if person is not None else None
        if address is None:
            self._log(session, alert, now, "unreachable", practitioner.id)
            return
        params = {"text": alert.excerpt, "channel": channel_name(alert.channel),
                  "address": self._reach(session, alert), "when": _local_time(alert.raised_at, self.settings),
                  "alert": alert.id, **extra}
        reply = regarding(Ask(message_key, [ack_option(alert.id)], **params), alert.person_id)
        # Alerts go out whatever the practitioner's own opt-out says: they are safety-critical.
        queue_message(session, self.catalog, reply, channel=address.channel, address=address.address,
                      now=now, person=person, language=person.language or practitioner.language,
                      idempotency_key=key, ignore_opt_out=True)

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
        listed = self.escalation_list(team)
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
        for pid in dict.fromkeys(alert.alerted):
            other = turn.session.get(Practitioner, pid)
            if other is None or other.id == practitioner.id:
                continue
            self._tell(turn, other, Say("safeguarding.alert_taken", alert=alert.id, name=practitioner.name),
                       key=f"alert:{alert.id}:taken:{other.id}")
        return None

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
    return "SMS" if channel == "sms" else channel.title()


def _local_time(when: datetime, settings: Any) -> str:
    return when.astimezone(ZoneInfo(settings.service.timezone)).strftime("%H:%M %d/%m/%Y")
