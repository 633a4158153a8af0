"""Referrals at run time: drafts, submission and routing, the practitioner's answers, reminders.

- SaveDraft / ShowSummary / SubmitReferral / ForgetReferrals effects from flows/referral.py and
  flows/withdraw.py are carried out here, in the turn's transaction.
- A submitted referral goes to the team covering the postcode (district, then area, then
  `safeguarding.default_team`, then the first team), to the next practitioner in the team's round
  robin, with the summary and buttons: referral:<id>:accept|contacted|not_appropriate|redirect.
- Due work: one reminder for a draft untouched for `referral.reminder_after_days` (in allowed
  hours, once per draft, not to people who opted out), closing it as abandoned after
  `referral.abandon_after_days`; routing again any referral no practitioner could take yet; and
  one reminder to the practitioner holding a referral not accepted after
  `referral.accept_reminder_after_hours`.
- A referral closed as not appropriate or redirected is explained to the person (nobody is left
  wondering what happened to their request), and `on_closed` hooks run (pending check-ins stop).
"""
from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from bot.catalog import Catalog
from bot.send_policy import set_contact_times
from bot.channels.registry import label
from bot.outbox import preferred_address, queue_message
from bot.person_facts import FactColumns, one_of
from bot.practitioner_items import WaitingItem, commands, refuse, who
from bot.send_policy import when_allowed
from bot.referral_summary import SHORT, summary_text
from bot.routing import next_in_rotation, reachable, team_for_postcode
from flows.base import Ask, DataSetEvent, GoTo, Labels, Option, Say, Transition, regarding
from flows.postcodes import parse_postcode
from flows.practitioner import NeedText, PractitionerAnswer, action_value
from flows.referral import NAME as REFERRAL_FLOW, DiscardDraft, SaveDraft, ShowSummary, SubmitReferral
from flows.referral_sources import clean_source
from flows.withdraw import NAME as WITHDRAW_FLOW, ForgetReferrals
from nlu import answers
from storage.models import DataSetEvent as DataSetEventRow
from storage.models import ContactPreference, Person, Practitioner, Referral, Team

log = logging.getLogger(__name__)

ACCEPTED, RECEIVED, FIRST_CONTACT_DAYS, NOT_APPROPRIATE, WAITING_DAYS, WHAT_MATTERS_DONE = 44, 45, 47, 49, 105, 122
OPEN = ("submitted", "accepted", "contacted")
STATUS_LABELS = {"submitted": "referral.status_submitted", "accepted": "referral.status_accepted",
                 "contacted": "referral.status_contacted"}
# "REF GP-W91234" or "ATG GP-W91234" (atgyfeirio): a referral source code sent by SMS.
# The practitioner's answers to a referral: (verb, button label, command).
ACTIONS = (("accept", "referral.action_accept", "practitioner.command_accept"),
           ("contacted", "referral.action_contacted", "practitioner.command_called"),
           ("not_appropriate", "referral.action_not_appropriate", "practitioner.command_notforus"),
           ("redirect", "referral.action_redirect", "practitioner.command_redirect"))
# What a bare number means, by the referral's status (the order its latest message showed them).
VERBS = {"submitted": ("accept", "contacted", "not_appropriate", "redirect"),
         "accepted": ("contacted", "not_appropriate", "redirect"),
         "contacted": ()}
# The commands its LIST line shows: the next step, and the ways to close it.
LIST_COMMANDS = {"submitted": ("practitioner.command_accept",),
                 "accepted": ("practitioner.command_called",),
                 "contacted": ("practitioner.command_close", "practitioner.command_notforus",
                               "practitioner.command_redirect")}
# How much of "what matters" the SMS referral quotes.
SHORT_WHAT = 60
CODE_KEYWORD = re.compile(r"^\s*(?:ref|refer|referral|atg|atgyfeirio|atgyfeiriad)\s*[:#]?\s+(\S{2,24})\s*$",
                          re.IGNORECASE)


# Every route flows/referral_sources.py can give, in words for the practitioner.
ROUTE_WORDS = {
    "self": "snags.route.self", "gp": "snags.route.gp", "health": "snags.route.health",
    "pharmacy": "snags.route.pharmacy", "housing": "snags.route.housing", "council": "snags.route.council",
    "social_care": "snags.route.social_care", "voluntary": "snags.route.voluntary",
    "education": "snags.route.education", "employment": "snags.route.employment", "police": "snags.route.police",
    "other": "snags.route.other", "": "snags.route.unknown",
}


def said_how(referral: Referral, address: tuple[str, str]) -> dict[str, Any]:
    """Who suggested it, in words (a practitioner never reads "route: gp"), and how to reach them."""
    route = ROUTE_WORDS.get(referral.route or "", ROUTE_WORDS["other"])
    return {"route": Labels((route,)),
            "source": f" ({referral.source})" if referral.source else "",
            "channel": address[0], "address": address[1]}


def age_text(catalog: Catalog, lang: str, days: int) -> str:
    """How long something has waited, in words: "today", never "0 days"."""
    if days <= 0:
        return catalog.text("snags.age.today", lang)
    return catalog.text("snags.age.one_day", lang) if days == 1 else catalog.text("snags.age.days", lang, days=days)


# "When is best to contact you?" (local times): check-ins, reminders and nudges keep to it too,
# within the quiet hours (bot/send_policy.py send_window).
CONTACT_WINDOWS = {"morning": ("09:00", "12:00"), "afternoon": ("12:00", "17:00"), "evening": ("17:00", "20:00")}


def keep_contact_times(session: Session, person_id: int, contact_when: str | None, now: datetime) -> None:
    """The times a referral's answer names become the person's own hours; "any time" clears them."""
    if contact_when in CONTACT_WINDOWS:
        set_contact_times(session, person_id, *CONTACT_WINDOWS[contact_when], now)
    elif contact_when == "any":
        session.execute(delete(ContactPreference).where(ContactPreference.person_id == person_id))


class Referrals:
    """Everything the referral feature does outside its pure flow."""

    def __init__(self, settings: Any, catalog: Catalog):
        self.settings = settings
        self.catalog = catalog
        # Called with (session, person, now) when a referral is submitted: e.g. planning check-ins.
        self.on_submitted: list[Callable[[Session, Person, datetime], None]] = []
        # Called with (session, person, now) when a referral is closed without going ahead.
        self.on_closed: list[Callable[[Session, Person, datetime], None]] = []

    # ------------------------------------------------------------ facts and screens

    @property
    def person_facts(self) -> FactColumns:
        """The person's referral draft (its answers so far) and whether a referral is open."""
        return PERSON_FACTS

    def keyword_screen(self, turn, ctx) -> Transition | None:
        """A referral code by SMS keyword or deep link, and "withdraw consent", from anywhere."""
        if ctx.person.get("is_practitioner") or turn.person.opted_out or turn.message.choice is not None:
            return None
        if answers.said(turn.text, "withdraw_consent") and turn.person.language:
            return Transition(None, effects=[GoTo(WITHDRAW_FLOW)])
        found = CODE_KEYWORD.match(turn.text)
        if found and not any(c.isdigit() or c in "-_" for c in found.group(1)):
            found = None   # "refer myself" is a request, not the code "MYSELF" ("GP-W91234", "TAI-CAERDYDD")
        source = clean_source(found.group(1) if found else turn.message.payload)
        if not source or not (found or turn.person.language):
            return None  # a deep link at first contact: the Active Offer carries it to the menu
        if not turn.person.language:
            return Transition(None, effects=[GoTo("language", {"intent": "self_refer", "source": source})])
        return Transition(None, effects=[GoTo(REFERRAL_FLOW, {"source": source})])

    # ------------------------------------------------------------ effects from the flows

    def save_draft(self, turn, effect: SaveDraft) -> None:
        draft = self._draft(turn.session, turn.person.id)
        if draft is None:
            draft = Referral(person_id=turn.person.id, status="draft", created_at=turn.now)
            turn.session.add(draft)
        draft.answers = dict(effect.answers)
        draft.updated_at = turn.now
        turn.facts["referral_draft"] = dict(effect.answers)

    def discard_draft(self, turn, effect: DiscardDraft) -> None:
        """Nothing of theirs is kept: the draft and its answers go (someone under 16)."""
        draft = self._draft(turn.session, turn.person.id)
        if draft is not None:
            turn.session.delete(draft)
        turn.facts["referral_draft"] = None

    def show_summary(self, turn, effect: ShowSummary) -> None:
        language = turn.person.language or "cy+en"
        languages = ("cy", "en") if language == "cy+en" else (language,)
        only = effect.changed or SHORT
        text = "\n\n".join(summary_text(self.catalog, effect.answers, lang, only) for lang in languages)
        turn.reply(Say("conversation.summary_changed" if effect.changed else "referral.summary", summary=text))
        turn.reply(effect.question)

    def submit(self, turn, effect: SubmitReferral) -> None:
        session, now = turn.session, turn.now
        answers = dict(effect.answers)
        referral = self._draft(session, turn.person.id)
        if referral is None:
            referral = Referral(person_id=turn.person.id, created_at=now)
            session.add(referral)
        referral.status = "submitted"
        referral.answers = answers
        referral.route = answers.get("route") or "self"
        referral.source = answers.get("source") or ""
        referral.postcode_area = answers.get("postcode_area") or None
        referral.submitted_at = referral.updated_at = now
        session.flush()
        turn.facts["referral_draft"] = None
        turn.facts["referral_open"] = True
        keep_contact_times(session, turn.person.id, answers.get("contact_when"), now)
        self._route(session, referral, now, turn.person)
        for hook in self.on_submitted:
            hook(session, turn.person, now)

    def forget(self, turn, effect: ForgetReferrals) -> None:
        """Consent withdrawn: what they told us goes; open referrals close; the practitioner is told."""
        for referral in turn.session.scalars(select(Referral).where(Referral.person_id == turn.person.id)):
            referral.answers = {}
            if referral.status in ("draft", *OPEN):
                referral.status = "withdrawn"
                referral.closed_at = turn.now
                practitioner = turn.session.get(Practitioner, referral.practitioner_id) \
                    if referral.practitioner_id else None
                if practitioner is not None:
                    self._send_to_practitioner(turn.session, practitioner, turn.now,
                                               regarding(Say("referral.practitioner_withdrawn", id=referral.id),
                                                         referral.person_id),
                                               key=f"referral:{referral.id}:withdrawn")
        turn.facts["referral_draft"] = None
        turn.facts["referral_open"] = False

    # ------------------------------------------------------------ routing

    def reroute(self, session: Session, referral: Referral, now: datetime) -> bool:
        """A referral whose practitioner left: to the next in the team's round robin, as new."""
        referral.practitioner_id = None
        person = session.get(Person, referral.person_id) if referral.person_id else None
        return person is not None and self._route(session, referral, now, person, received=False)

    def _route(self, session: Session, referral: Referral, now: datetime, person: Person,
               received: bool = True) -> bool:
        postcode = parse_postcode(referral.answers.get("postcode", ""))
        team = team_for_postcode(session, postcode, self.settings.safeguarding.default_team)
        # The Active Offer goes on past the bot: someone who chose Welsh goes to a Welsh speaker.
        practitioner = next_in_rotation(session, team, now, welsh=person.language == "cy") if team is not None else None
        referral.team_id = team.id if team else None
        if practitioner is None:
            log.error("referral %s: no team or linked practitioner to take it; add one with "
                      "`cyswllt practitioner add NAME --team T --areas ...` (it is routed again every run)",
                      referral.id)
            return False
        referral.practitioner_id = practitioner.id
        options = actions(referral.id)
        language = self._practitioner_language(session, practitioner)
        address = _person_address(person)
        who = self._who(session, referral, person, language)
        if self._practitioner_channel(session, practitioner) == "sms":
            # By SMS only what is needed to act: who, how to reach them, what matters to them
            # (the whole summary was 14 segments in Welsh).
            what = str(referral.answers.get("what_matters") or "")
            reply = Ask("referral.practitioner_new_short", options, id=referral.id, who=who, address=address[1],
                        what=f"\n\"{what[:SHORT_WHAT]}{'...' if len(what) > SHORT_WHAT else ''}\"" if what else "")
        else:
            reply = Ask("referral.practitioner_new", options, id=referral.id, who=who,
                        summary=summary_text(self.catalog, referral.answers, language),
                        **said_how(referral, address))
        reply = regarding(reply, person.id)
        self._send_to_practitioner(session, practitioner, now, reply,
                                   key=f"referral:{referral.id}:new:{practitioner.id}")
        if received:
            _record_for(session, person, now, DataSetEvent(RECEIVED, {}), "referral")
        return True

    def _who(self, session: Session, referral: Referral, person: Person | None, language: str) -> str:
        address = preferred_address(person) if person is not None else None
        return who(self.catalog, language, name=(referral.answers or {}).get("first_name"),
                   language=person.language if person else None, channel=address.channel if address else None)

    def _practitioner_channel(self, session: Session, practitioner: Practitioner) -> str | None:
        person = session.get(Person, practitioner.person_id) if practitioner.person_id else None
        address = preferred_address(person) if person is not None else None
        return address.channel if address else None

    def _practitioner_language(self, session: Session, practitioner: Practitioner) -> str:
        person = session.get(Person, practitioner.person_id) if practitioner.person_id else None
        return (person.language if person else None) or practitioner.language

    def _send_to_practitioner(self, session: Session, practitioner: Practitioner, now: datetime, reply,
                              key: str) -> None:
        person = session.get(Person, practitioner.person_id) if practitioner.person_id else None
        address = preferred_address(person) if person is not None else None
        if address is None:
            log.error("practitioner %s has no reachable chat; message %s not sent", practitioner.id, key)
            return
        queue_message(session, self.catalog, reply, channel=address.channel, address=address.address, now=now,
                      person=person, language=self._practitioner_language(session, practitioner),
                      idempotency_key=key)

    # ------------------------------------------------------------ the practitioner's answers

    def on_answer(self, turn, practitioner: Practitioner, answer: PractitionerAnswer):
        session, now = turn.session, turn.now
        referral = session.get(Referral, int(answer.target)) if answer.target.isdigit() else None
        if not may_act(referral, practitioner):
            refuse(turn, practitioner, "referral", Say("referral.practitioner_unknown"))
            return None
        person = session.get(Person, referral.person_id) if referral.person_id else None
        days = round((now - (referral.submitted_at or referral.created_at)).total_seconds() / 86400, 2)
        match answer.verb:
            case "show":
                # The whole referral, asked for (by SMS the new-referral message is the short one).
                language = self._practitioner_language(session, practitioner)
                address = _person_address(person) if person is not None else ("-", "-")
                turn.reply(Say("referral.practitioner_new", id=referral.id,
                               who=self._who(session, referral, person, language),
                               summary=summary_text(self.catalog, referral.answers, language),
                               **said_how(referral, address)))
            case "accept":
                if referral.accepted_at is None:
                    referral.accepted_at = now
                    _record_for(session, person, now, DataSetEvent(ACCEPTED, {"accepted": True}), "referral")
                if referral.status == "submitted":
                    referral.status = "accepted"
                referral.practitioner_id = practitioner.id
                # The other buttons again, so an SMS "1" means "called" next.
                turn.reply(Ask("referral.practitioner_accepted", actions(referral.id)[1:], id=referral.id))
            case "contacted":
                if referral.first_contact_at is None:
                    referral.first_contact_at = now
                    referral.accepted_at = referral.accepted_at or now
                    for statement, value in ((FIRST_CONTACT_DAYS, {"days": days}), (WAITING_DAYS, {"days": days}),
                                             (WHAT_MATTERS_DONE, {"completed": True})):
                        _record_for(session, person, now, DataSetEvent(statement, value), "referral")
                if referral.status in ("submitted", "accepted"):
                    referral.status = "contacted"
                turn.reply(Say("referral.practitioner_contacted", id=referral.id))
            case "not_appropriate":
                return NeedText("referral.practitioner_ask_reason",
                                action_value("referral", referral.id, "not_appropriate_reason"), {"id": referral.id})
            case "redirect":
                return NeedText("referral.practitioner_ask_service",
                                action_value("referral", referral.id, "redirect_reason"), {"id": referral.id})
            case "not_appropriate_reason" | "redirect_reason":
                redirected = answer.verb == "redirect_reason"
                referral.status = "redirected" if redirected else "not_appropriate"
                referral.outcome_reason = answer.text[:1000]
                referral.closed_at = now
                # Statement 49 counts referrals not appropriate for the service; a redirected one is
                # among them, marked so the report can show it on its own row.
                _record_for(session, person, now,
                            DataSetEvent(NOT_APPROPRIATE, {"inappropriate": True, "redirected": True} if redirected
                                         else {"inappropriate": True}),
                            "referral")
                if person is not None:
                    self._tell_person_closed(session, referral, person, now, redirected)
                    for hook in self.on_closed:
                        hook(session, person, now)
                turn.reply(Say("referral.practitioner_closed", id=referral.id))
            case _:
                turn.reply(Say("referral.practitioner_unknown"))
        return None

    def items(self, session: Session, practitioner: Practitioner, lang: str, now: datetime) -> list[WaitingItem]:
        """For LIST and bare numbers: the referrals they hold that are still open."""
        referrals = session.scalars(select(Referral).where(
            Referral.practitioner_id == practitioner.id, Referral.status.in_(OPEN)).order_by(Referral.id)).all()
        items = []
        for referral in referrals:
            since = referral.submitted_at or referral.created_at
            person = session.get(Person, referral.person_id) if referral.person_id else None
            line = self.catalog.text(
                "referral.list_referral", lang, id=referral.id, who=self._who(session, referral, person, lang),
                status=self.catalog.text(STATUS_LABELS[referral.status], lang), age=age_text(self.catalog, lang, (now - since).days),
                commands=commands(self.catalog, lang, LIST_COMMANDS[referral.status], referral.id))
            items.append(WaitingItem("referral", referral.id, since, line, verbs=VERBS[referral.status],
                                     awaiting=referral.status != "contacted", person_id=referral.person_id))
        return items

    # ------------------------------------------------------------ due work

    def due(self, session: Session, now: datetime) -> None:
        """Reminders for unfinished referrals, closing abandoned ones, and routing unassigned ones."""
        config = self.settings.referral
        remind_before = now - timedelta(days=config.reminder_after_days)
        abandon_before = now - timedelta(days=config.abandon_after_days)
        drafts = session.scalars(select(Referral).where(
            Referral.status == "draft", Referral.updated_at <= remind_before).order_by(Referral.id)).all()
        for draft in drafts:
            person = session.get(Person, draft.person_id) if draft.person_id else None
            if draft.updated_at <= abandon_before or person is None:
                # Closed, and what they told us is not kept: nobody ever received it.
                draft.status, draft.closed_at, draft.answers = "abandoned", now, {}
                continue
            if draft.reminded_at is None:
                draft.reminded_at = now
                self._remind(session, draft, person, now)
        unassigned = session.scalars(select(Referral).where(
            Referral.status == "submitted", Referral.practitioner_id.is_(None)).order_by(Referral.id)).all()
        for referral in unassigned:
            person = session.get(Person, referral.person_id) if referral.person_id else None
            if person is not None:
                self._route(session, referral, now, person)
        self._remind_to_accept(session, now)

    def _remind_to_accept(self, session: Session, now: datetime) -> None:
        waiting_since = now - timedelta(hours=self.settings.referral.accept_reminder_after_hours)
        waiting = session.scalars(select(Referral).where(
            Referral.status == "submitted", Referral.practitioner_id.is_not(None),
            Referral.submitted_at <= waiting_since).order_by(Referral.id)).all()
        for referral in waiting:
            practitioner = session.get(Practitioner, referral.practitioner_id)
            if practitioner is None:
                continue
            days = (now - referral.submitted_at).days
            # The key makes this once per referral, however often due work runs.
            self._send_to_practitioner(session, practitioner, now,
                                       regarding(Ask("referral.practitioner_accept_reminder", actions(referral.id),
                                           id=referral.id, days=days,
                                           who=self._who(session, referral, session.get(Person, referral.person_id)
                                                         if referral.person_id else None,
                                                         self._practitioner_language(session, practitioner))), referral.person_id),
                                       key=f"referral:{referral.id}:accept-reminder")
        self._escalate_to_lead(session, now)

    def _escalate_to_lead(self, session: Session, now: datetime) -> None:
        """A referral still not accepted a while after its reminder goes to the team's lead (once)."""
        config = self.settings.referral
        for referral in unaccepted_for_lead(session, now, config):
            team = session.get(Team, referral.team_id) if referral.team_id else None
            lead = team_lead(team, exclude=referral.practitioner_id)
            if lead is None:
                log.error("referral %s: not accepted and the team has no other reachable practitioner to tell",
                          referral.id)
                continue
            person = session.get(Person, referral.person_id) if referral.person_id else None
            language = self._practitioner_language(session, lead)
            self._send_to_practitioner(session, lead, now, Ask(
                "referral.practitioner_to_lead", actions(referral.id), id=referral.id,
                who=self._who(session, referral, person, language), days=(now - referral.submitted_at).days),
                key=f"referral:{referral.id}:to-lead")

    def _tell_person_closed(self, session: Session, referral: Referral, person: Person, now: datetime,
                            redirected: bool) -> None:
        text = "referral.person_redirected" if redirected else "referral.person_closed_not_appropriate"
        self._send_to_person(session, person, now, Say(text), key=f"referral:{referral.id}:closed")

    def _remind(self, session: Session, draft: Referral, person: Person, now: datetime) -> None:
        if person.opted_out:
            return  # they said STOP: no reminder (the draft still closes later)
        self._send_to_person(session, person, now, Say("referral.reminder", days=max(1, round(
            self.settings.referral.abandon_after_days - self.settings.referral.reminder_after_days))), key=f"referral:{draft.id}:reminder")

    def _send_to_person(self, session: Session, person: Person, now: datetime, reply, key: str) -> None:
        """Unprompted, so within the allowed hours; once per key."""
        address = preferred_address(person)
        if address is None:
            return
        when = when_allowed(session, self.settings, person.id, now)
        queue_message(session, self.catalog, reply, channel=address.channel, address=address.address,
                      now=now, person=person, not_before=when, idempotency_key=key)

    # ------------------------------------------------------------ helpers

    def _draft(self, session: Session, person_id: int) -> Referral | None:
        return session.scalar(select(Referral).where(Referral.person_id == person_id, Referral.status == "draft")
                              .order_by(Referral.id.desc()).limit(1))


def _fact_columns(person_id) -> dict[str, Any]:
    draft = (select(Referral.answers).where(Referral.person_id == person_id, Referral.status == "draft")
             .order_by(Referral.id.desc()).limit(1).scalar_subquery())
    return {
        "has_draft": exists().where(Referral.person_id == person_id, Referral.status == "draft"),
        "draft_answers": draft,
        "open": exists().where(Referral.person_id == person_id, one_of(Referral.status, OPEN)),
        # Sent a referral before (protected characteristics are asked once, in the first).
        "before": exists().where(Referral.person_id == person_id, Referral.submitted_at.is_not(None)),
    }


def _read_facts(values: Mapping[str, Any]) -> Mapping[str, Any]:
    answers = values["draft_answers"]
    return {"referral_draft": dict(answers or {}) if values["has_draft"] else None,
            "referral_open": bool(values["open"]), "referred_before": bool(values["before"])}


PERSON_FACTS = FactColumns(_fact_columns, _read_facts)


def actions(referral_id: int) -> list[Option]:
    """The practitioner's buttons for a referral."""
    return [*(Option(action_value("referral", referral_id, verb), label, {"n": referral_id}, command=command)
              for verb, label, command in ACTIONS),
            # Closing the person's support when it ends (bot/case_closing.py owns the "close" action).
            Option(action_value("close", referral_id, "start"), "close.action_close", {"n": referral_id},
                   command="practitioner.command_close")]


def unaccepted_for_lead(session: Session, now: datetime, config) -> list[Referral]:
    """Referrals nobody has accepted, past their reminder and the lead's wait (`cyswllt status` lists them)."""
    before = now - timedelta(hours=config.accept_reminder_after_hours + config.escalate_to_lead_after_hours)
    return list(session.scalars(select(Referral).where(
        Referral.status == "submitted", Referral.team_id.is_not(None), Referral.submitted_at <= before)
        .order_by(Referral.id)))


def team_lead(team: Team | None, exclude: int | None = None) -> Practitioner | None:
    """The team's lead: a reachable safeguarding lead, else the first on its escalation list."""
    if team is None:
        return None
    listed = sorted((p for p in reachable(list(team.practitioners)) if p.id != exclude),
                    key=lambda p: (not p.safeguarding_lead, p.escalation_rank, p.id))
    return listed[0] if listed else None


def may_act(referral: Referral | None, practitioner: Practitioner) -> bool:
    """A referral is its team's: anyone in the team may act on it, nobody else."""
    if referral is None or referral.status in ("draft", "withdrawn", "abandoned"):
        return False
    return referral.practitioner_id == practitioner.id or (
        referral.team_id is not None and referral.team_id == practitioner.team_id)


def _person_address(person: Person) -> tuple[str, str]:
    address = preferred_address(person)
    if address is None:
        return "-", "-"
    return label(address.channel), address.address


def _record_for(session: Session, person: Person | None, now: datetime, event: DataSetEvent, source: str) -> None:
    """Data set evidence about the referred person (not the practitioner whose turn it is)."""
    if person is None:
        return
    session.add(DataSetEventRow(statement=event.statement, subject_key=person.pseudonym, person_id=person.id,
                                value=dict(event.value), occurred_at=now, channel=None,
                                language=person.language, source=source))
