"""Searching the directory: full-text (SQLite FTS5 / PostgreSQL tsvector), filters, distance, widening.

A query as the person texted it (flows/asset_query.AssetQuery) is first resolved against the
gazetteer (which place, if any), then run. With nothing found, the search widens step by step
(a bigger radius, then anywhere, then by category alone, then without the filters) and says how.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import column, func, literal_column, or_, select, table, text
from sqlalchemy.orm import Session

from nlu.asset_query import AGE_RANGES, AssetQuery
from nlu.text import key as fold
from storage.models.assets import AssetService
from storage.places import Gazetteer, Place, haversine_km

DEFAULT_RADIUS_KM = 15.0
WIDER_RADIUS_KM = 40.0
CANDIDATES = 400
PREFIX_MIN = 4
SQLITE_FTS = table("asset_service_fts", column("service_id"), column("document"))


@dataclass(frozen=True)
class SearchRequest:
    """A resolved search: words, categories, a point and radius, and filters."""

    terms: tuple[str, ...] = ()          # activity words the query parser knew
    words: tuple[str, ...] = ()          # other words, looked for too, dropped if they find nothing
    categories: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    radius_km: float | None = None
    welsh: bool = False
    free: bool = False
    wheelchair: bool = False
    age_group: str = ""
    days: tuple[str, ...] = ()
    setting: str = ""

    def filters(self) -> dict[str, Any]:
        return {k: v for k, v in (("welsh", self.welsh), ("free", self.free), ("wheelchair", self.wheelchair),
                                  ("age_group", self.age_group), ("days", self.days), ("setting", self.setting))
                if v}


@dataclass(frozen=True)
class Hit:
    """One search result, enough to list it."""

    id: str
    name: str
    name_cy: str
    town: str
    town_cy: str
    distance_km: float | None
    categories: tuple[str, ...]
    welsh_medium: bool
    free: bool
    wheelchair: bool
    score: float

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "name_cy": self.name_cy, "town": self.town, "town_cy": self.town_cy,
                "distance_km": self.distance_km, "categories": list(self.categories),
                "welsh_medium": self.welsh_medium, "free": self.free, "wheelchair": self.wheelchair}


@dataclass
class Resolution:
    """Where the query is about, and what is left to look for."""

    place: Place | None = None
    unknown_place: str = ""
    suggestions: list[Place] = field(default_factory=list)
    words: tuple[str, ...] = ()


@dataclass
class SearchOutcome:
    """The results of a search, and how it was widened to find them."""

    hits: list[Hit]
    resolution: Resolution
    request: SearchRequest
    widened: list[str] = field(default_factory=list)  # "radius:40", "anywhere", "category_only", "no_filters"


# ---------------------------------------------------------------- resolving the place


def _longest_place(gazetteer: Gazetteer, phrase: str) -> tuple[Place | None, int]:
    words = phrase.split()
    for length in range(len(words), 0, -1):
        place = gazetteer.lookup(" ".join(words[:length]))
        if place is not None:
            return place, length
    return None, 0


def resolve(gazetteer: Gazetteer, query: AssetQuery) -> Resolution:
    """Which place the query names: a postcode, a phrase after in/near/ger, or a town named bare."""
    words = list(query.words)

    def without(phrase_words: list[str]) -> tuple[str, ...]:
        return tuple(w for w in words if w not in phrase_words)

    if query.anywhere:
        return Resolution(words=tuple(words))
    if query.postcode:
        place = gazetteer.lookup(query.postcode)
        if place is not None:
            return Resolution(place=place, words=tuple(words))
        return Resolution(unknown_place=query.postcode, words=tuple(words))
    for phrase in query.places + query.maybe_places:
        place, length = _longest_place(gazetteer, phrase)
        if place is not None:
            return Resolution(place=place, words=without(phrase.split()[:length]))
    # A town or city named without "in" ("gardening Swansea").
    for length in (3, 2, 1):
        for start in range(0, max(0, len(words) - length + 1)):
            candidate = " ".join(words[start:start + length])
            place = gazetteer.lookup(candidate)
            if place is not None and place.kind in ("City", "Town"):
                return Resolution(place=place, words=without(words[start:start + length]))
    # After "yn", "i", "o" a name written like a name ("nofio yn Blahdeblah") is a place we do not
    # know: ask, rather than silently list activities anywhere ("nofio yn y môr" is not a place).
    named = [phrase for phrase in query.maybe_places if _written_as_a_name(query.text, phrase)]
    if query.places or named:
        phrase = (query.places or tuple(named))[0]
        return Resolution(unknown_place=phrase, suggestions=gazetteer.suggest(phrase),
                          words=without(phrase.split()))
    return Resolution(words=tuple(words))


def _written_as_a_name(text: str, phrase: str) -> bool:
    """Whether the phrase's first word is capitalised in what the person wrote, not at its start."""
    tokens = re.findall(r"[^\W_]+", text or "")
    first = phrase.split()[0] if phrase.split() else ""
    return any(token[:1].isupper() and fold(token) == first for token in tokens[1:])


def request_for(query: AssetQuery, resolution: Resolution) -> SearchRequest:
    place = resolution.place
    return SearchRequest(
        terms=query.terms, words=tuple(w for w in resolution.words if w not in query.terms),
        categories=query.categories,
        latitude=place.latitude if place else None, longitude=place.longitude if place else None,
        radius_km=(query.radius_km or DEFAULT_RADIUS_KM) if place else None,
        welsh=query.welsh, free=query.free, wheelchair=query.wheelchair, age_group=query.age_group,
        days=query.days, setting=query.setting,
    )


# ---------------------------------------------------------------- running one search


def _safe_terms(terms: tuple[str, ...]) -> list[str]:
    safe = []
    for term in terms:
        word = re.sub(r"[^0-9a-z ]", "", fold(term)).strip()
        if len(word) >= 2:
            safe.append(word)
    return list(dict.fromkeys(safe))


def _text_match(session: Session, terms: list[str]):
    """(WHERE condition, rank expression) for full-text matching any of the terms.

    Short words only match whole words ("cor" must not find "corff"); longer ones match as
    prefixes ("walk" finds "walks", "walking").
    """
    if session.get_bind().dialect.name == "postgresql":
        tsquery = " | ".join("(" + " <-> ".join(w + (":*" if len(w) >= PREFIX_MIN else "") for w in t.split())
                             + ")" for t in terms)
        # The stored column the migration adds on PostgreSQL only (not mapped: SQLite has FTS5).
        vector = literal_column("asset_service.search_vector")
        query = func.to_tsquery(literal_column("'simple'"), tsquery)
        return vector.op("@@")(query), func.ts_rank(vector, query)
    match = " OR ".join(f'"{t}"' + ("*" if len(t) >= PREFIX_MIN else "") if " " not in t
                        else '"' + t + '"' for t in terms)
    matching = text("asset_service_fts MATCH :fts").bindparams(fts=match)
    # bm25 is lower for better matches; negate so higher is better, like ts_rank. It can only be
    # read in a query over the FTS table itself, so the caller joins when it wants the rank.
    return matching, -literal_column("bm25(asset_service_fts)")


def _nearest_first(request: SearchRequest):
    """An ordering by approximate distance (flat-earth is fine inside a radius), for the database."""
    scale = math.cos(math.radians(request.latitude))
    dlat = AssetService.latitude - request.latitude
    dlon = (AssetService.longitude - request.longitude) * scale
    return dlat * dlat + dlon * dlon


def _filters(request: SearchRequest) -> list:
    conditions = [AssetService.status == "active"]
    if request.welsh:
        conditions.append(AssetService.welsh_medium.is_(True))
    if request.free:
        conditions.append(AssetService.free.is_(True))
    if request.wheelchair:
        conditions.append(AssetService.wheelchair.is_(True))
    if request.setting:
        conditions.append(AssetService.setting.in_((request.setting, "both")))
    if request.days:
        conditions.append(or_(*(AssetService.days.contains(day) for day in request.days)))
    if request.age_group in AGE_RANGES:
        low, high = AGE_RANGES[request.age_group]
        conditions.append(or_(AssetService.minimum_age.is_(None), AssetService.minimum_age <= high))
        conditions.append(or_(AssetService.maximum_age.is_(None), AssetService.maximum_age >= low))
    if request.latitude is not None and request.radius_km:
        # A bounding box the latitude index can use; the exact distance is checked afterwards.
        dlat = request.radius_km / 111.0
        dlon = request.radius_km / (111.0 * max(0.2, math.cos(math.radians(request.latitude))))
        conditions += [AssetService.latitude.between(request.latitude - dlat, request.latitude + dlat),
                       AssetService.longitude.between(request.longitude - dlon, request.longitude + dlon)]
    return conditions


COLUMNS = (AssetService.id, AssetService.name, AssetService.name_cy, AssetService.categories,
           AssetService.welsh_medium, AssetService.free, AssetService.wheelchair, AssetService.latitude,
           AssetService.longitude, AssetService.town, AssetService.town_cy)


def find(session: Session, request: SearchRequest, limit: int = 50) -> list[Hit]:
    """One search, no widening: matching services ranked by relevance, then distance."""
    terms = _safe_terms(request.terms + request.words)
    filters = _filters(request)
    rows: dict[str, tuple[Any, float]] = {}
    near = request.latitude is not None and request.radius_km
    if terms:
        condition, rank = _text_match(session, terms)
        sqlite = session.get_bind().dialect.name != "postgresql"
        if near:
            # Within a radius the nearest matches are the candidates; relevance is scored below.
            if sqlite:
                condition = AssetService.id.in_(select(SQLITE_FTS.c.service_id).where(condition))
            statement = select(*COLUMNS).where(condition, *filters).order_by(_nearest_first(request))
        elif sqlite:
            statement = (select(*COLUMNS).select_from(SQLITE_FTS)
                         .join(AssetService, SQLITE_FTS.c.service_id == AssetService.id)
                         .where(condition, *filters).order_by(rank.desc()))
        else:
            statement = select(*COLUMNS).where(condition, *filters).order_by(rank.desc())
        for row in session.execute(statement.limit(CANDIDATES)):
            rows[row.id] = (row, 1.0)
    elif request.categories:
        in_category = or_(*(AssetService.categories.contains(c) for c in request.categories))
        statement = select(*COLUMNS).where(in_category, *filters)
        if near:
            statement = statement.order_by(_nearest_first(request))
        for row in session.execute(statement.limit(CANDIDATES)):
            rows[row.id] = (row, 0.0)
    else:
        statement = select(*COLUMNS).where(*filters)
        if near:
            statement = statement.order_by(_nearest_first(request))
        for row in session.execute(statement.limit(CANDIDATES)):
            rows[row.id] = (row, 0.0)

    hits = []
    for row, text_hit in rows.values():
        distance = None
        if request.latitude is not None and row.latitude is not None:
            distance = haversine_km(request.latitude, request.longitude, row.latitude, row.longitude)
            if request.radius_km and distance > request.radius_km:
                continue
        categories = tuple(row.categories.split())
        relevance = text_hit + (1.0 if set(categories) & set(request.categories) else 0.0)
        name_words = fold(f"{row.name} {row.name_cy or ''}").split()
        if any(w.startswith(t) for t in terms for w in name_words):
            relevance += 0.5
        # About 20 km of distance weighs as much as one step of relevance.
        score = relevance - (distance or 0.0) / 20.0
        hits.append(Hit(row.id, row.name, row.name_cy or "", row.town or "", row.town_cy or "",
                        None if distance is None else round(distance, 1), categories, row.welsh_medium,
                        row.free, row.wheelchair, round(score, 3)))
    hits.sort(key=lambda h: (-h.score, h.distance_km if h.distance_km is not None else 0.0, h.name))
    return hits[:limit]


def search(session: Session, request: SearchRequest, resolution: Resolution | None = None,
           limit: int = 50) -> SearchOutcome:
    """Search, widening step by step when nothing is found, and saying how it widened."""
    resolution = resolution or Resolution()
    # Words the parser did not know ("pethau", "ukulele") are tried first; when the activity is
    # known anyway, the same search without them is not a widening worth mentioning.
    variants = [request]
    if request.words and (request.terms or request.categories):
        variants.append(replace(request, words=()))
    radii: list[tuple[float | None, list[str]]] = [(request.radius_km, [])]
    if request.latitude is not None:
        if (request.radius_km or DEFAULT_RADIUS_KM) < WIDER_RADIUS_KM:
            radii.append((WIDER_RADIUS_KM, [f"radius:{WIDER_RADIUS_KM:g}"]))
        radii.append((None, ["anywhere"]))
    attempts = [(replace(v, radius_km=r), w) for r, w in radii for v in variants]
    if (request.terms or request.words) and request.categories:
        attempts += [(replace(request, radius_km=r, terms=(), words=()), w + ["category_only"]) for r, w in radii]
    if request.filters():
        unfiltered = replace(request, words=() if len(variants) > 1 else request.words, welsh=False, free=False,
                             wheelchair=False, age_group="", days=(), setting="")
        attempts += [(replace(unfiltered, radius_km=r), w + ["no_filters"]) for r, w in radii]
    for attempt, widened in attempts:
        hits = find(session, attempt, limit)
        if hits:
            return SearchOutcome(hits, resolution, attempt, widened)
    return SearchOutcome([], resolution, request, ["nothing"])


def search_text(session: Session, gazetteer: Gazetteer, query: AssetQuery, limit: int = 50) -> SearchOutcome:
    """The whole search as the bot runs it: resolve the place, then search (widening if need be)."""
    resolution = resolve(gazetteer, query)
    request = request_for(query, resolution)
    if resolution.unknown_place:
        return SearchOutcome([], resolution, request, [])
    return search(session, request, resolution, limit)
