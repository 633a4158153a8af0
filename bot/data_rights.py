"""Data rights in conversation: "delete my data" / "dileu fy nata" from anyone, at any point."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from bot.catalog import Catalog
from bot.dispatcher import Turn
from bot.logging_setup import mask_address
from bot.outbox import preferred_address
from bot.person_facts import FactColumns
from bot.practitioner_items import WaitingItem, commands, first_name, practitioner_language, refuse, who
from bot.routing import reachable, team_for_postcode
from flows.base import Ask, FlowContext, GoTo, Option, Say, Transition, regarding
from nlu.text import key
from flows.postcodes import parse_postcode
from flows.practitioner import NeedText, PractitionerAnswer, action_value
from flows.rights import RequestErasure
from storage.models import ErasureRequest, Person, Practitioner, Referral, Team
from storage.rights import blank_old_content, cancel_request, erase

log = logging.getLogger(__name__)

ACTION = "erase"

# Said anywhere in a message; the flow asks to confirm, so a stray match costs one question.
PHRASES = (
    "delete my data", "delete my details", "delete my information", "delete my account",
    "erase my data", "remove my data", "forget me",
    "dileu fy nata", "dileu fy data", "dilea fy nata", "dileu fy manylion", "dileu fy ngwybodaeth",
    "dilewch fy nata", "dilëwch fy nata",
)


_PHRASE_KEYS = tuple(key(phrase) for phrase in PHRASES)   # folded once: this runs on every message


def asks_for_erasure(text: str) -> bool:
    said = key(text)
    return any(phrase in said for phrase in _PHRASE_KEYS)


def screen(turn: Turn, ctx: FlowContext) -> Transition | None:
    """Start the erasure request from any flow (after the safeguarding screens)."""
    if turn.message.choice is not None or ctx.person.get("is_practitioner") or not asks_for_erasure(turn.text):
        # A practitioner's words (a reason quoting a client, "delete my data") are never their own request.
        return None
    if turn.person.opted_out:
        # They said STOP, so no question is sent: the request goes straight to a practitioner.
        return Transition(None, effects=[RequestErasure()])
    return Transition(None, effects=[GoTo("rights")])


class ErasureRequests:
    """Where a person's erasure request goes, who may act on it, and the practitioner's two steps.

    A request goes to the person's team (their referral's, else the team for their area) and to the
    data-protection team if one is configured (`privacy.data_protection_team`); never to everyone.
    Erasing takes two steps: ERASE n (or the Erase button), then a confirmation that names the
    request; a bare number never erases.
    """

    def __init__(self, settings, catalog: Catalog):
        self.settings = settings
        self.catalog = catalog

    # ------------------------------------------------------------ routing

    def team_of(self, session: Session, person_id: int | None) -> Team | None:
        """The person's team: their latest referral's, else the one covering their postcode (or the default)."""
        if person_id is None:
            return None
        referrals = session.scalars(select(Referral).where(Referral.person_id == person_id)
                                    .order_by(Referral.id.desc())).all()
        for referral in referrals:
            if referral.team_id is not None:
                return session.get(Team, referral.team_id)
        postcode = next((parse_postcode(r.answers.get("postcode", "")) for r in referrals
                         if (r.answers or {}).get("postcode")), None)
        return team_for_postcode(session, postcode, self.settings.safeguarding.default_team)

    def _data_protection_team(self, session: Session) -> Team | None:
        name = self.settings.privacy.data_protection_team
        return session.scalar(select(Team).where(Team.name == name)) if name else None

    def recipients(self, session: Session, person_id: int) -> list[Practitioner]:
        teams = [t for t in (self.team_of(session, person_id), self._data_protection_team(session)) if t is not None]
        found = {p.id: p for team in teams for p in reachable(list(team.practitioners)) if p.person_id != person_id}
        return sorted(found.values(), key=lambda p: (p.escalation_rank, p.id))

    def may_act(self, session: Session, request: ErasureRequest | None, practitioner: Practitioner) -> bool:
        if request is None or request.status != "pending" or request.person_id is None:
            return False
        team = self.team_of(session, request.person_id)
        dp_team = self._data_protection_team(session)
        return (team is not None and team.id == practitioner.team_id) or (
            dp_team is not None and dp_team.id == practitioner.team_id)

    # ------------------------------------------------------------ the request

    def request(self, turn: Turn, effect: RequestErasure) -> None:
        """Record the request once, and ask the person's team to act on it in their chat."""
        pending = turn.session.scalar(select(ErasureRequest).where(
            ErasureRequest.person_id == turn.person.id, ErasureRequest.status == "pending"))
        if pending is not None:
            return
        request = ErasureRequest(person_id=turn.person.id, channel=turn.message.channel,
                                 status="pending", requested_at=turn.now)
        turn.session.add(request)
        turn.session.flush()
        practitioners = self.recipients(turn.session, turn.person.id)
        if not practitioners:
            log.error("erasure request %s: no team practitioner to send it to; it is listed by "
                      "`cyswllt person requests`", request.id)
        for practitioner in practitioners:
            person = turn.session.get(Person, practitioner.person_id)
            address = preferred_address(person)
            if address is None:
                continue
            lang = person.language or practitioner.language
            # Only the masked address goes into the chat: the practitioner looks the person up in the case system.
            ask = Ask("rights.practitioner.request", request_options(request.id), request=request.id,
                      who=self._who(turn.session, request, lang, turn.person),
                      address=mask_address(turn.message.address))
            ask = regarding(ask, turn.person.id)
            turn.send_to(address.channel, address.address, ask, lang, person_id=person.id,
                         idempotency_key=f"erasure:{request.id}:{practitioner.id}")

    def _who(self, session: Session, request: ErasureRequest, lang: str, person: Person | None = None) -> str:
        person = person or (session.get(Person, request.person_id) if request.person_id else None)
        return who(self.catalog, lang, name=first_name(session, request.person_id),
                   language=person.language if person else None, channel=request.channel)

    # ------------------------------------------------------------ the practitioner's answer

    def answer(self, turn: Turn, practitioner: Practitioner, answer: PractitionerAnswer):
        """ERASE n asks to confirm; only the confirmation erases; KEEP n closes the request."""
        request = turn.session.get(ErasureRequest, int(answer.target)) if answer.target.isdigit() else None
        if not self.may_act(turn.session, request, practitioner):
            if request is not None and request.status != "pending" and self._was_theirs(turn.session, request, practitioner):
                turn.reply(Say("rights.practitioner.gone", request=request.id))
            else:
                refuse(turn, practitioner, ACTION, Say("rights.practitioner.not_found", request=answer.target))
            return None
        if answer.verb == "confirm":
            person = turn.session.get(Person, request.person_id)
            erase(turn.session, person, turn.now)
            turn.reply(Say("rights.practitioner.erased", request=request.id))
        elif answer.verb in ("keep", "cancel"):
            cancel_request(turn.session, request.id, turn.now)
            # "cancel": a button from before KEEP, "they changed their mind".
            turn.reply(Say("rights.practitioner.kept" if answer.verb == "keep" else "rights.practitioner.cancelled",
                           request=request.id))
        elif answer.verb == "erase":
            lang = practitioner_language(turn.session, practitioner)
            return NeedText("rights.practitioner.confirm_ask", action_value(ACTION, request.id, "confirm"),
                            {"request": request.id, "who": self._who(turn.session, request, lang)},
                            # By SMS these read YES / NO: never a number, which erasure never takes.
                            options=(Option(action_value(ACTION, request.id, "confirm"),
                                            "rights.practitioner.option_yes", {"request": request.id},
                                            command="practitioner.command_yes"),
                                     Option(action_value(ACTION, request.id, "later"), "rights.practitioner.option_no",
                                            command="practitioner.command_no")),
                            about=(request.person_id,))
        else:
            turn.reply(Say("rights.practitioner.waiting", request=request.id))
        return None

    def _was_theirs(self, session: Session, request: ErasureRequest, practitioner: Practitioner) -> bool:
        """A request already dealt with: say so to its own team (an old button), "not found" to anyone else."""
        team = self.team_of(session, request.person_id) if request.person_id else None
        dp_team = self._data_protection_team(session)
        return (team is None or team.id == practitioner.team_id) or (dp_team is not None and dp_team.id == practitioner.team_id)

    def items(self, session: Session, practitioner: Practitioner, lang: str, now: datetime) -> list[WaitingItem]:
        """For LIST: the pending requests this practitioner may act on. A bare number never erases."""
        requests = session.scalars(select(ErasureRequest).where(ErasureRequest.status == "pending")
                                   .order_by(ErasureRequest.id)).all()
        return [WaitingItem(ACTION, r.id, r.requested_at,
                            self.catalog.text("practitioner.item_erase", lang, n=r.id, who=self._who(session, r, lang),
                                              commands=commands(self.catalog, lang, ERASE_COMMANDS, r.id)),
                            person_id=r.person_id)
                for r in requests if self.may_act(session, r, practitioner)]


ERASE_COMMANDS = ("practitioner.command_erase", "practitioner.command_keep")


def request_options(request_id: int) -> tuple[Option, ...]:
    """Erase (which asks to confirm) and Keep; by SMS, ERASE n and KEEP n."""
    return (Option(action_value(ACTION, request_id, "erase"), "rights.practitioner.option_erase", {"n": request_id},
                   command=ERASE_COMMANDS[0]),
            Option(action_value(ACTION, request_id, "keep"), "rights.practitioner.option_keep", {"n": request_id},
                   command=ERASE_COMMANDS[1]))


# Whether the person has asked for erasure and it waits for a practitioner.
facts = FactColumns(
    lambda person_id: {"pending": exists().where(ErasureRequest.person_id == person_id,
                                                 ErasureRequest.status == "pending")},
    lambda values: {"erasure_pending": bool(values["pending"])},
)


def retention_job(days: int) -> Callable[[Session, datetime], None]:
    """Due work: blank message text older than `days` (privacy.message_retention_days)."""
    def run(session: Session, now: datetime) -> None:
        blank_old_content(session, now, days)
    return run
