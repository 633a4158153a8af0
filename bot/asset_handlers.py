"""Carrying out the asset search flow's effects: searching, loading details, recording a choice.

The details are put into words here (not in the flow) because a few of them come from the
catalog (day names, "Free", which languages) and the flow has no catalog; both languages are
returned so the flow can use the person's.
"""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.catalog import Catalog
from bot.outbox import preferred_address, queue_message
from bot.person_facts import FactColumns, one_of
from bot.send_policy import when_allowed
from bot.referrals import OPEN as OPEN_REFERRAL
from bot.nudges import TIME_NOT_KNOWN, record_booking, weekday_and_month
from flows.asset_query import AssetQuery
from flows.asset_search import (
    AssetDetails, BookingRecorded, LoadAsset, RecordAssetChoice, RecordBooking, SearchAssets, SearchResults,
)
from flows.base import Say, regarding
from storage.assets.repository import ensure_sample_directory
from storage.assets.search import search_text
from storage.models import AssetService, AssetSignpost, Person, Practitioner, Referral
from storage.models.assets import SUPPORT_FORM
from storage.places import Gazetteer

LANGUAGES = ("cy", "en")
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_KEYS = {
    "MO": "assets.day.mo", "TU": "assets.day.tu", "WE": "assets.day.we", "TH": "assets.day.th",
    "FR": "assets.day.fr", "SA": "assets.day.sa", "SU": "assets.day.su",
}
# Who looks after this person, if anyone: (session, person) -> Practitioner | None.
PractitionerLookup = Callable[[Session, Person], "Practitioner | None"]


def practitioner_from_referral(session: Session, person: Person) -> Practitioner | None:
    """The practitioner of the person's latest open referral, if it has reached one."""
    practitioner_id = session.scalar(
        select(Referral.practitioner_id)
        .where(Referral.person_id == person.id, Referral.practitioner_id.is_not(None),
               Referral.status.in_(OPEN_REFERRAL))
        .order_by(Referral.created_at.desc()).limit(1))
    practitioner = session.get(Practitioner, practitioner_id) if practitioner_id else None
    return practitioner if practitioner is not None and practitioner.active else None


def first_name_from_referral(session: Session, person: Person) -> str | None:
    """The first name the person gave in their latest referral, for "Did Sam attend...?"."""
    answers = session.scalar(select(Referral.answers).where(Referral.person_id == person.id)
                             .order_by(Referral.created_at.desc()).limit(1))
    name = (answers or {}).get("first_name") if isinstance(answers, Mapping) else None
    return (str(name).strip() or None) if name else None


def start_time(service: AssetService | None, day: date) -> time:
    """When the activity starts on that day, from the directory's schedule; TIME_NOT_KNOWN if it does not say."""
    if service is None:
        return TIME_NOT_KNOWN
    code = WEEKDAY_CODES[day.weekday()]
    for schedule in service.schedules:
        days = [d.strip() for d in (schedule.byday or "").split(",") if d.strip()]
        if schedule.opens_at and (code in days or not days):
            try:
                return time.fromisoformat(schedule.opens_at[:5])
            except ValueError:
                continue
    return TIME_NOT_KNOWN


def weekly_days(service: AssetService) -> list[str]:
    """The weekdays it runs ("MO", "FR"), when every schedule names them; [] when the directory
    does not say (or says it monthly, "2MO"), so a booking is never questioned on a guess."""
    days: list[str] = []
    for schedule in service.schedules:
        named = [d.strip() for d in (schedule.byday or "").split(",") if d.strip()]
        if not named or any(d not in DAY_KEYS for d in named):
            return []
        days += [d for d in named if d not in days]
    return sorted(days, key=list(DAY_KEYS).index)


def _has_practitioner_column(person_id) -> dict[str, Any]:
    # The same question as practitioner_from_referral: the latest open referral that reached a
    # practitioner, and whether that practitioner is active.
    return {"active": select(Practitioner.active)
            .join(Referral, Referral.practitioner_id == Practitioner.id)
            .where(Referral.person_id == person_id, one_of(Referral.status, OPEN_REFERRAL))
            .order_by(Referral.created_at.desc()).limit(1).scalar_subquery()}


HAS_PRACTITIONER = FactColumns(_has_practitioner_column, lambda values: {"has_practitioner": bool(values["active"])})


class AssetHandlers:
    """The effect handlers and person facts for the asset search flow, sharing one gazetteer."""

    def __init__(self, catalog: Catalog, gazetteer: Gazetteer, *, load_sample: bool = True,
                 assigned_practitioner: PractitionerLookup = practitioner_from_referral, settings=None):
        self.settings = settings
        self.catalog = catalog
        self.gazetteer = gazetteer
        self.load_sample = load_sample
        self.assigned_practitioner = assigned_practitioner

    def effect_handlers(self) -> dict[type, Callable]:
        return {SearchAssets: self.search, LoadAsset: self.load, RecordAssetChoice: self.record_choice,
                RecordBooking: self.record_booking}

    @property
    def person_facts(self) -> FactColumns | Callable[[Session, Person], Mapping[str, Any]]:
        """Whether someone looks after this person (read in the turn's query unless a lookup was wired in)."""
        if self.assigned_practitioner is practitioner_from_referral:
            return HAS_PRACTITIONER
        return lambda session, person: {"has_practitioner": self.assigned_practitioner(session, person) is not None}

    # ------------------------------------------------------------ effects

    def search(self, turn, effect: SearchAssets) -> SearchResults:
        if self.load_sample:
            ensure_sample_directory(turn.session)
        outcome = search_text(turn.session, self.gazetteer, AssetQuery.from_json(effect.query))
        resolution = outcome.resolution
        place = resolution.place
        return SearchResults(
            results=tuple(hit.to_json() for hit in outcome.hits),
            place={"en": place.name("en"), "cy": place.name("cy")} if place else None,
            unknown_place=resolution.unknown_place,
            suggestions=tuple({"en": p.name("en"), "cy": p.name("cy")} for p in resolution.suggestions),
            widened=tuple(outcome.widened),
        )

    def load(self, turn, effect: LoadAsset) -> AssetDetails:
        service = turn.session.get(AssetService, effect.service_id)
        if service is None or service.status != "active":
            return AssetDetails(None)
        return AssetDetails(self.describe(service))

    def record_choice(self, turn, effect: RecordAssetChoice) -> None:
        practitioner = self.assigned_practitioner(turn.session, turn.person)
        told = False
        if practitioner is not None and practitioner.person_id is not None:
            identity = turn.session.get(Person, practitioner.person_id)
            address = preferred_address(identity) if identity is not None else None
            if address is not None:
                key = "assets.practitioner_referral" if effect.kind == "referred" else "assets.practitioner_going"
                name = (effect.name_cy or effect.name) if practitioner.language == "cy" else effect.name
                # Not urgent: a choice made late at night reaches the practitioner in the morning.
                queue_message(turn.session, self.catalog, regarding(Say(key, name=name, reference=turn.person.pseudonym[:8]), turn.person.id),
                              channel=address.channel, address=address.address, now=turn.now, person=identity,
                              language=practitioner.language, not_before=self._working_hours(turn.now))
                told = True
        turn.session.add(AssetSignpost(person_id=turn.person.id, service_id=effect.service_id,
                                       service_name=effect.name[:255], kind=effect.kind,
                                       practitioner_told=told, created_at=turn.now))
        return None

    def record_booking(self, turn, effect: RecordBooking) -> BookingRecorded:
        """Store the planned day: the practitioner (if any) is asked the day after, the person reminded if asked."""
        day = date.fromisoformat(effect.day)
        zone = ZoneInfo(self.settings.service.timezone)
        starts = datetime.combine(day, start_time(turn.session.get(AssetService, effect.service_id), day),
                                  tzinfo=zone).astimezone(ZoneInfo("UTC"))
        practitioner = self.assigned_practitioner(turn.session, turn.person)
        record_booking(turn.session, person_id=turn.person.id,
                       practitioner_id=practitioner.id if practitioner is not None else None,
                       asset_ref=effect.service_id, activity_cy=effect.name_cy or effect.name,
                       activity_en=effect.name or effect.name_cy, starts_at=starts, now=turn.now,
                       settings=self.settings, remind_person=effect.remind,
                       first_name=first_name_from_referral(turn.session, turn.person))
        return BookingRecorded(day={lang: self._day_in_words(day, lang) for lang in LANGUAGES},
                               practitioner_asked=practitioner is not None)

    def _day_in_words(self, day: date, lang: str) -> str:
        weekday, month = weekday_and_month(day, lang)
        return self._text("nudge.date", lang, weekday=weekday, day=day.day, month=month)

    def _working_hours(self, now):
        if self.settings is None:
            return now
        return when_allowed(None, self.settings, None, now)   # to a practitioner: the service's hours

    # ------------------------------------------------------------ putting an asset into words

    def describe(self, service: AssetService) -> dict[str, Any]:
        """Everything the details message shows, in both languages, plus the data set facts."""
        location = service.service_at_locations[0].location if service.service_at_locations else None
        organisation = service.organization
        categories = service.category_list()
        place = self.gazetteer.lookup(location.city) if location is not None and location.city else None
        return {
            "id": service.id, "name": service.name, "name_cy": service.name_cy or "",
            "sample": service.source == "sample",
            "categories": categories,
            "organisation": organisation.name if organisation else service.name,
            "service_type": organisation.service_type if organisation else "community_group",
            "support_forms": sorted({SUPPORT_FORM[c] for c in categories if c in SUPPORT_FORM}),
            "local_authority": place.authority_en if place else "",
            "region": (location.region or "") if location else "",
            "display": {lang: self._display(service, location, lang) for lang in LANGUAGES},
            "days": weekly_days(service),
        }

    def _text(self, key: str, language: str, **params: Any) -> str:
        return self.catalog.text(key, language, **params)

    def _display(self, service: AssetService, location, lang: str) -> dict[str, str]:
        welsh = lang == "cy"
        pick = lambda en, cy: (cy or en) if welsh else (en or cy)  # noqa: E731 - Welsh first when asked
        where = ""
        transport = ""
        access = ""
        if location is not None:
            town = service.town_cy if welsh and service.town_cy else (location.city or "")
            parts = [pick(location.name, location.name_cy), location.address_1, town, location.postal_code]
            where = ", ".join(p for p in parts if p)
            transport = pick(location.transport, location.transport_cy) or ""
            access = "; ".join(pick(a.description, a.description_cy) or "" for a in location.accessibility
                               if a.description or a.description_cy)
        if not access:
            access = self._text("assets.access_wheelchair" if service.wheelchair else "assets.access_ask", lang)
        when = "; ".join(pick(s.description, s.description_cy) or self._schedule(s, lang) for s in service.schedules)
        cost_texts = [pick(c.option, c.option_cy) for c in service.cost_options if c.option or c.option_cy]
        if cost_texts:
            cost = "; ".join(t for t in cost_texts if t)
        elif service.free:
            cost = self._text("assets.cost_free", lang)
        elif any(c.amount for c in service.cost_options):
            cost = "; ".join(f"£{c.amount:.2f}" for c in service.cost_options if c.amount)
        else:
            cost = self._text("assets.cost_ask", lang)
        if service.welsh_medium and service.bilingual:
            language = self._text("assets.lang_bilingual", lang)
        elif service.welsh_medium:
            language = self._text("assets.lang_welsh", lang)
        else:
            language = self._text("assets.lang_english", lang)
        contact_bits = [service.phone] + [c.phone for c in service.contacts] + [service.email, service.url]
        contact = ", ".join(dict.fromkeys(b for b in contact_bits if b))
        unknown = self._text("assets.not_given", lang)
        return {
            "name": pick(service.name, service.name_cy) or service.name,
            "description": pick(service.description, service.description_cy) or "",
            "where": where or unknown, "when": when or self._text("assets.when_ask", lang), "cost": cost,
            # Not "language": that word is Say/Ask's own argument (which language to send in).
            "languages": language, "access": access, "transport": transport or unknown,
            "contact": contact or unknown,
        }

    def _schedule(self, schedule, lang: str) -> str:
        days = [self._text(DAY_KEYS[d], lang) for d in (schedule.byday or "").split(",") if d in DAY_KEYS]
        hours = "–".join(t[:5] for t in (schedule.opens_at, schedule.closes_at) if t)
        return " ".join(p for p in (", ".join(days), hours) if p)

