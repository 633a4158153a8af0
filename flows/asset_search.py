"""Finding a community activity: what, where, filters, paged results, details, and choosing one.

Pure. The flow asks the directory through effects: it emits SearchAssets (or LoadAsset), the
handler (bot/asset_handlers.py) runs the query in the same turn and hands back SearchResults
(or AssetDetails), which arrive here as the next event. Choosing an activity records Core Data
Set statements 107, 112, 118, 119 and 120 and, through RecordAssetChoice, tells the person's
practitioner if they have one.
Then it asks when the person plans to go and whether they want a reminder the day before; with a
date, RecordBooking has the handler store a booking, so the practitioner (if any) is asked the day
after whether they went, and BookingRecorded comes back to say plainly who will be told.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from flows.asset_query import AssetQuery, parse_query, place_only
from flows.dates import DateProblem, parse_activity_date
from flows.picks import is_back, is_skip
from nlu import answers
from flows.yes_no import read_yes_no
from nlu.text import key as fold
from flows.base import (
    Ask, Begin, Choice, DataSetEvent, Effect, Flow, FlowContext, FlowState, Labels, Option, Say, Text,
    Transition,
)

SIGNPOSTED_ONLY = 107      # only signposted to a community activity
ACTIVITY_TYPE = 112        # type of activity referred to, by geographical location
ORGANISATION = 118         # name of organisation signposted to
SUPPORT_FORM = 119         # form of support signposted to
SERVICE_TYPE = 120         # type of service referred or signposted to
MAX_RESULTS_KEPT = 30
PAGE_SIZE = {"sms": 3, "telegram": 5}

CATEGORY_LABELS = {
    "green": "assets.category.green", "blue": "assets.category.blue",
    "creative": "assets.category.creative", "social": "assets.category.social",
    "physical_activity": "assets.category.physical_activity",
    "learning_skills": "assets.category.learning_skills", "money_advice": "assets.category.money_advice",
    "carers": "assets.category.carers", "children_families": "assets.category.children_families",
    "older_people": "assets.category.older_people", "volunteering": "assets.category.volunteering",
    "mental_wellbeing": "assets.category.mental_wellbeing",
}
FILTER_OPTIONS = (
    Option("f:welsh", "assets.filter.welsh"), Option("f:free", "assets.filter.free"),
    Option("f:wheelchair", "assets.filter.wheelchair"), Option("f:indoors", "assets.filter.indoors"),
    Option("f:outdoors", "assets.filter.outdoors"), Option("f:children", "assets.filter.children"),
    Option("f:young", "assets.filter.young"), Option("f:older", "assets.filter.older"),
    Option("f:day", "assets.filter.day"), Option("f:weekend", "assets.filter.weekend"),
    Option("f:nearer", "assets.filter.nearer"), Option("new", "assets.option_new"),
)
FILTER_CHANGES: dict[str, dict[str, Any]] = {
    "f:welsh": {"welsh": True}, "f:free": {"free": True}, "f:wheelchair": {"wheelchair": True},
    "f:indoors": {"setting": "indoors"}, "f:outdoors": {"setting": "outdoors"},
    "f:children": {"age_group": "children"}, "f:young": {"age_group": "young_people"},
    "f:older": {"age_group": "older_people"},
    "f:weekend": {"days": ("SA", "SU")}, "f:nearer": {"radius_km": 5.0},
}
DAY_OPTIONS = (
    Option("d:MO", "assets.day.mo"), Option("d:TU", "assets.day.tu"), Option("d:WE", "assets.day.we"),
    Option("d:TH", "assets.day.th"), Option("d:FR", "assets.day.fr"), Option("d:SA", "assets.day.sa"),
    Option("d:SU", "assets.day.su"),
)
# Typed words that start again, besides the "New search" option.
NEW_WORDS = {"new", "new search", "start again", "newydd", "chwilio o r newydd", "eto", "dechrau eto"}
WIDENED_KEYS = {
    "radius": "assets.widened_radius", "anywhere": "assets.widened_anywhere",
    "category_only": "assets.widened_category", "no_filters": "assets.widened_filters",
}

# ---------------------------------------------------------------- effects and their answers


@dataclass(frozen=True)
class SearchAssets(Effect):
    """Run this search (an AssetQuery as JSON) against the directory."""

    query: Mapping[str, Any]


@dataclass(frozen=True)
class LoadAsset(Effect):
    """Fetch one asset's details, in both languages."""

    service_id: str


@dataclass(frozen=True)
class RecordAssetChoice(Effect):
    """The person chose this asset: store it and tell their practitioner if they have one."""

    service_id: str
    kind: str  # "signposted" (going themselves) or "referred" (sent to their practitioner)
    name: str
    name_cy: str = ""


@dataclass(frozen=True)
class RecordBooking(Effect):
    """The person plans to go to this asset on `day` (ISO date): store it for the nudge and reminder."""

    service_id: str
    name: str
    name_cy: str
    day: str
    remind: bool


@dataclass(frozen=True)
class BookingRecorded:
    """The handler's answer to RecordBooking: the day in words, and whether a practitioner will be asked."""

    day: Mapping[str, str]                 # {"en": "Tuesday 3 March", "cy": "dydd Mawrth 3 Mawrth"}
    practitioner_asked: bool


@dataclass(frozen=True)
class SearchResults:
    """The handler's answer to SearchAssets."""

    results: tuple[Mapping[str, Any], ...] = ()
    place: Mapping[str, str] | None = None     # {"en": ..., "cy": ...}
    unknown_place: str = ""
    suggestions: tuple[Mapping[str, str], ...] = ()
    widened: tuple[str, ...] = ()


@dataclass(frozen=True)
class AssetDetails:
    """The handler's answer to LoadAsset: `asset` is None when it is no longer listed."""

    asset: Mapping[str, Any] | None = None


# ---------------------------------------------------------------- state


@dataclass(frozen=True)
class AssetSearchState(FlowState):
    query: dict = field(default_factory=dict)
    results: tuple = ()
    page: int = 0
    place: dict = field(default_factory=dict)
    widened: tuple = ()
    asset: dict = field(default_factory=dict)
    suggestions: tuple = ()
    day: str = ""          # the ISO date the person plans to go, once given
    remind: bool = False   # whether they asked for a reminder the day before


def _index(value: str, items: tuple) -> int | None:
    """The position in "r:3" / "p:0", if it names one of `items`."""
    number = value[2:]
    return int(number) if number.isdigit() and int(number) < len(items) else None


def _query(state: AssetSearchState) -> AssetQuery:
    return AssetQuery.from_json(state.query)


# ---------------------------------------------------------------- asking


def _ask_what(key: str = "assets.ask_what") -> Ask:
    return Ask(key, [Option(f"c:{code}", label) for code, label in CATEGORY_LABELS.items()])


def _ask_where(key: str = "assets.ask_where") -> Ask:
    return Ask(key, [Option("anywhere", "assets.option_anywhere")])


def _search(state: AssetSearchState, query: AssetQuery, replies=()) -> Transition:
    state = state.with_(step="searching", query=query.to_json(), results=(), page=0, asset={})
    return Transition(state, replies=list(replies), effects=[SearchAssets(query.to_json())])


def _name(item: Mapping[str, Any], language: str) -> str:
    return (item.get("name_cy") or item.get("name") or "") if language == "cy" else (item.get("name") or "")


def _town(item: Mapping[str, Any], language: str) -> str:
    return (item.get("town_cy") or item.get("town") or "") if language == "cy" else (item.get("town") or "")


def _page(state: AssetSearchState, ctx: FlowContext) -> tuple:
    size = PAGE_SIZE.get(ctx.channel, 3)
    results = state.results
    start = state.page * size
    shown = results[start:start + size]
    options = []
    # Options carry the result's position, not its id: Telegram allows 64 bytes of button data.
    for index, item in enumerate(shown, start=start):
        distance = item.get("distance_km")
        options.append(Option(f"r:{index}", "assets.result_option", {
            "name": _name(item, ctx.language), "town": _town(item, ctx.language) or "-",
            "distance": f" ({distance:g} km)" if distance is not None else "",
        }))
    if start + size < len(results):
        options.append(Option("more", "assets.option_more"))
    options += [Option("filter", "assets.option_filter"), Option("new", "assets.option_new")]
    place = state.place.get(ctx.language) or state.place.get("en") if state.place else ""
    params = {"first": start + 1, "last": start + len(shown), "total": len(results)}
    if place:
        return (Ask("assets.results_near", options, place=place, **params),)
    return (Ask("assets.results", options, **params),)


def _details(state: AssetSearchState, ctx: FlowContext) -> tuple:
    asset = state.asset
    shown = asset.get("display", {}).get(ctx.language) or asset.get("display", {}).get("en", {})
    options = [Option("go", "assets.option_go")]
    if ctx.person.get("has_practitioner"):
        options.append(Option("refer", "assets.option_refer"))
    options += [Option("back", "assets.option_back"), Option("new", "assets.option_new")]
    notice = (Say("assets.sample_notice"),) if asset.get("sample") else ()
    return (*notice, Ask("assets.details", options, **shown))


def _widened_notes(widened: tuple[str, ...]) -> list:
    notes = []
    for item in widened:
        kind, _, value = item.partition(":")
        if kind == "radius":
            notes.append(Say(WIDENED_KEYS["radius"], km=value))
        elif kind in WIDENED_KEYS:
            notes.append(Say(WIDENED_KEYS[kind]))
    return notes


# ---------------------------------------------------------------- the flow


def begin(event, ctx: FlowContext) -> Transition:
    payload = event.payload if isinstance(event, Begin) else {}
    text = str(payload.get("text") or "") if payload else ""
    state = AssetSearchState(step="what")
    query = parse_query(text) if text else AssetQuery()
    if query.has_subject() or query.has_place() or query.has_filters():
        return _from_words(state, query)
    return Transition(state, replies=[_ask_what()])


def _from_words(state: AssetSearchState, query: AssetQuery, replies=()) -> Transition:
    """A query from the person's words: search if we know enough, else ask where.

    Words we do not know may be a town named bare ("gardening Swansea"): only the gazetteer can
    tell, so those are searched, and "where?" is asked afterwards if no place was found.
    """
    if query.has_place() or query.words or not (query.has_subject() or query.has_filters()):
        return _search(state, query, replies)
    return Transition(state.with_(step="where", query=query.to_json()), replies=[*replies, _ask_where()])


def step(state: AssetSearchState, event, ctx: FlowContext) -> Transition:
    match event:
        case SearchResults():
            return _results(state, event, ctx)
        case BookingRecorded():
            return _booked(state, event, ctx)
        case AssetDetails(asset):
            if asset is None:
                return Transition(state.with_(step="results"), replies=[Say("assets.gone"), *_page(state, ctx)])
            state = state.with_(step="details", asset=dict(asset))
            return Transition(state, replies=_details(state, ctx))
        case Choice("new"):
            return Transition(AssetSearchState(step="what"), replies=[_ask_what()])
        case Text(text) if fold(text) in NEW_WORDS:
            return Transition(AssetSearchState(step="what"), replies=[_ask_what()])
    if is_back(event):
        return _back(state, ctx)
    handler = {"what": _step_what, "where": _step_where, "results": _step_results, "filters": _step_filters,
               "day": _step_day, "details": _step_details, "when": _step_when,
               "wrong_day": _step_wrong_day, "remind": _step_remind}.get(state.step, _step_what)
    return handler(state, event, ctx)


def _back(state: AssetSearchState, ctx: FlowContext) -> Transition:
    """BACK / NÔL: the step before this one, keeping what the person already said."""
    match state.step:
        case "where":
            return Transition(state.with_(step="what"), replies=[_ask_what()])
        case "results":
            return Transition(state.with_(step="where"), replies=[_ask_where()])
        case "filters" | "details" if state.results:
            state = state.with_(step="results", asset={})
            return Transition(state, replies=_page(state, ctx))
        case "day":
            return Transition(state.with_(step="filters"), replies=[Ask("assets.ask_filter", FILTER_OPTIONS)])
        case "when":
            # The choice is already recorded (and the practitioner told): going back does not undo it.
            return Transition(state, replies=[Say("snags.back_after_choice", name=_name(state.asset, ctx.language)),
                                              ASK_WHEN])
        case "wrong_day" | "remind":
            return Transition(state.with_(step="when", day=""), replies=[ASK_WHEN])
    return Transition(state.with_(step="what"), replies=[Say("conversation.back_at_first"), _ask_what()])


def _step_what(state: AssetSearchState, event, ctx: FlowContext) -> Transition:
    match event:
        case Choice(value) if value.startswith("c:") and value[2:] in CATEGORY_LABELS:
            query = replace(_query(state), categories=(value[2:],), terms=(), words=())
            return _from_words(state, query)
        case Text(text):
            query = parse_query(text)
            if query.has_subject() or query.has_place() or query.has_filters():
                return _from_words(state, _query(state).merged(query))
    return Transition(state.with_(step="what"), replies=[Say("assets.not_understood"), _ask_what()])


def _step_where(state: AssetSearchState, event, ctx: FlowContext) -> Transition:
    match event:
        case Choice("anywhere"):
            return _search(state, replace(_query(state), anywhere=True, places=(), maybe_places=(), postcode=""))
        case Choice(value) if value.startswith("p:") and _index(value, state.suggestions) is not None:
            place = state.suggestions[_index(value, state.suggestions)]["en"]
            return _search(state, replace(_query(state), places=(place,), maybe_places=(), postcode="",
                                          anywhere=False))
        case Text(text) if text.strip():
            where = place_only(text)
            if not where.has_place():
                return Transition(state, replies=[Say("assets.not_understood"), _ask_where()])
            query = replace(_query(state), places=where.places, maybe_places=(), postcode=where.postcode,
                            anywhere=where.anywhere, radius_km=where.radius_km or _query(state).radius_km)
            return _search(state, query)
    return Transition(state, replies=[_ask_where()])


def _step_results(state: AssetSearchState, event, ctx: FlowContext) -> Transition:
    size = PAGE_SIZE.get(ctx.channel, 3)
    match event:
        case Choice(value) if value.startswith("r:") and _index(value, state.results) is not None:
            chosen = state.results[_index(value, state.results)]
            return Transition(state.with_(step="loading"), effects=[LoadAsset(chosen["id"])])
        case Choice("more"):
            if (state.page + 1) * size >= len(state.results):
                return Transition(state, replies=[Say("assets.no_more"), *_page(state, ctx)])
            state = state.with_(page=state.page + 1)
            return Transition(state, replies=_page(state, ctx))
        case Choice("filter"):
            return Transition(state.with_(step="filters"), replies=[Ask("assets.ask_filter", FILTER_OPTIONS)])
        case Text(text) if answers.said(text, "more"):
            # MORE typed on the last page (no MORE option there): never a search for "more".
            return Transition(state, replies=[Say("assets.no_more"), *_page(state, ctx)])
        case Text(text):
            query = parse_query(text)
            if query.has_subject() or query.has_place() or query.has_filters():
                return _from_words(state, _query(state).merged(query))
    return Transition(state.with_(step="results"), replies=[Say("assets.not_understood"), *_page(state, ctx)])


def _step_filters(state: AssetSearchState, event, ctx: FlowContext) -> Transition:
    match event:
        case Choice("f:day"):
            return Transition(state.with_(step="day"), replies=[Ask("assets.ask_day", DAY_OPTIONS)])
        case Choice(value) if value in FILTER_CHANGES:
            return _search(state, replace(_query(state), **FILTER_CHANGES[value]))
        case Text(text):
            query = parse_query(text)
            if query.has_subject() or query.has_place() or query.has_filters():
                return _from_words(state, _query(state).merged(query))
    return Transition(state, replies=[Ask("assets.ask_filter", FILTER_OPTIONS)])


def _step_day(state: AssetSearchState, event, ctx: FlowContext) -> Transition:
    match event:
        case Choice(value) if value.startswith("d:") and any(o.value == value for o in DAY_OPTIONS):
            return _search(state, replace(_query(state), days=(value[2:],)))
        case Text(text):
            query = parse_query(text)
            if query.days:
                return _search(state, replace(_query(state), days=query.days))
    return Transition(state, replies=[Ask("assets.ask_day", DAY_OPTIONS)])


def _step_details(state: AssetSearchState, event, ctx: FlowContext) -> Transition:
    match event:
        case Choice("go"):
            return _chosen(state, "signposted", "assets.going", ctx)
        case Choice("refer") if ctx.person.get("has_practitioner"):
            return _chosen(state, "referred", "assets.referred", ctx)
        case Choice("back"):
            state = state.with_(step="results", asset={})
            return Transition(state, replies=_page(state, ctx))
        case Text(text):
            query = parse_query(text)
            if query.has_subject() or query.has_place() or query.has_filters():
                return _from_words(state, _query(state).merged(query))
    return Transition(state, replies=[Say("assets.not_understood"), *_details(state, ctx)])


def _chosen(state: AssetSearchState, kind: str, key: str, ctx: FlowContext) -> Transition:
    asset = state.asset
    categories = list(asset.get("categories", ()))
    events = [
        DataSetEvent(SIGNPOSTED_ONLY, {"service_id": asset["id"], "signposted_only": kind == "signposted"}),
        DataSetEvent(ACTIVITY_TYPE, {
            "service_id": asset["id"], "activity_types": categories,
            "green_prescribing": bool({"green", "blue"} & set(categories)),
            "local_authority": asset.get("local_authority", ""), "region": asset.get("region", ""),
            "kind": kind,
        }),
        DataSetEvent(ORGANISATION, {"organisation": asset.get("organisation", ""), "service_id": asset["id"]}),
        DataSetEvent(SUPPORT_FORM, {"forms": list(asset.get("support_forms", ())), "service_id": asset["id"]}),
        DataSetEvent(SERVICE_TYPE, {"service_type": asset.get("service_type", ""), "service_id": asset["id"]}),
    ]
    return Transition(
        state.with_(step="when", results=(), suggestions=()),
        replies=[Say(key, name=_name(asset, ctx.language)), ASK_WHEN],
        events=events,
        effects=[RecordAssetChoice(asset["id"], kind, asset.get("name", ""), asset.get("name_cy", ""))],
    )


# ---------------------------------------------------------------- when they go, and a reminder

ASK_WHEN = Ask("assets.ask_when", [Option("skip", "assets.option_no_date")])
ASK_REMINDER = Ask("assets.ask_reminder", [Option("yes", "assets.option_remind_yes"),
                                           Option("no", "assets.option_remind_no")])
# Besides SKIP: ways of saying there is no date yet.
NO_DATE_WORDS = {"no", "no date", "none", "not yet", "not sure yet", "don t know yet", "dont know yet", "later",
                 "na", "dim", "dim eto", "ddim eto", "dim dyddiad", "dim syniad eto", "wedyn", "nes ymlaen"}
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")     # date.weekday() order
DAY_LABELS = {option.value[2:]: option.label for option in DAY_OPTIONS}
DATE_PROBLEMS = {"past": "assets.when_past", "too_far": "assets.when_too_far",
                 "impossible": "assets.when_impossible", "format": "assets.when_not_understood"}


def _local_today(ctx: FlowContext) -> date:
    zone = getattr(getattr(ctx.settings, "service", None), "timezone", None) or "Europe/London"
    return ctx.now.astimezone(ZoneInfo(zone)).date()


def _step_when(state: AssetSearchState, event, ctx: FlowContext) -> Transition:
    if is_skip(event) or (isinstance(event, Text) and fold(event.text) in NO_DATE_WORDS):
        return Transition(None, replies=[Say("assets.no_date")])
    if isinstance(event, Text) and event.text.strip():
        try:
            day = parse_activity_date(event.text, _local_today(ctx))
        except DateProblem as problem:
            return Transition(state, replies=[Say(DATE_PROBLEMS[problem.reason]), ASK_WHEN])
        runs_on = tuple(state.asset.get("days") or ())
        if runs_on and WEEKDAY_CODES[day.weekday()] not in runs_on:
            state = state.with_(step="wrong_day", day=day.isoformat())
            return Transition(state, replies=[_ask_wrong_day(state, ctx)])
        return Transition(state.with_(step="remind", day=day.isoformat()), replies=[ASK_REMINDER])
    return Transition(state, replies=[Say("assets.when_not_understood"), ASK_WHEN])


def _ask_wrong_day(state: AssetSearchState, ctx: FlowContext) -> Ask:
    """A day the activity does not run: asked kindly, with the days it does (the person may know better)."""
    day = Labels((DAY_LABELS[WEEKDAY_CODES[date.fromisoformat(state.day).weekday()]],))
    days = Labels(tuple(DAY_LABELS[code] for code in state.asset.get("days") or ()))
    return Ask("snags.not_on_that_day", [Option("keep", "snags.option_keep_day"),
                                         Option("other", "snags.option_other_day")],
               name=_name(state.asset, ctx.language), day=day, days=days)


def _step_wrong_day(state: AssetSearchState, event, ctx: FlowContext) -> Transition:
    asking_again = state.with_(step="when", day="")
    if isinstance(event, Text) and _a_day(event.text, ctx):
        return _step_when(asking_again, event, ctx)      # the day they would rather go
    if isinstance(event, Choice) and event.value == "keep" or read_yes_no(event) is True:
        return Transition(state.with_(step="remind"), replies=[ASK_REMINDER])
    if isinstance(event, Choice) and event.value == "other" or read_yes_no(event) is False:
        return Transition(asking_again, replies=[ASK_WHEN])
    return _step_when(asking_again, event, ctx)          # SKIP, "not yet", or not understood


def _a_day(text: str, ctx: FlowContext) -> bool:
    try:
        parse_activity_date(text, _local_today(ctx))
    except DateProblem:
        return False
    return True


def _step_remind(state: AssetSearchState, event, ctx: FlowContext) -> Transition:
    wanted = False if is_skip(event) else read_yes_no(event)
    if wanted is None:
        return Transition(state, replies=[Say("assets.remind_not_understood"), ASK_REMINDER])
    asset = state.asset
    return Transition(state.with_(step="booking", remind=wanted), effects=[
        RecordBooking(asset["id"], asset.get("name", ""), asset.get("name_cy", ""), state.day, wanted)])


def _booked(state: AssetSearchState, answer: BookingRecorded, ctx: FlowContext) -> Transition:
    day = answer.day.get(ctx.language) or answer.day.get("en", state.day)
    reminder = "assets.booked_with_reminder" if state.remind else "assets.booked_without_reminder"
    told = "assets.booked_practitioner_asked" if answer.practitioner_asked else "assets.booked_nobody_told"
    return Transition(None, replies=[Say(reminder, name=_name(state.asset, ctx.language), day=day), Say(told)])


def _results(state: AssetSearchState, answer: SearchResults, ctx: FlowContext) -> Transition:
    if answer.unknown_place:
        options = [Option(f"p:{n}", "assets.place_option", {"name": s.get(ctx.language) or s["en"]})
                   for n, s in enumerate(answer.suggestions)]
        options.append(Option("anywhere", "assets.option_anywhere"))
        key = "assets.unknown_place_suggest" if answer.suggestions else "assets.unknown_place"
        state = state.with_(step="where", suggestions=tuple(dict(s) for s in answer.suggestions))
        return Transition(state, replies=[Ask(key, options, place=answer.unknown_place)])
    query = _query(state)
    if answer.place is None and not query.has_place() and (query.has_subject() or query.has_filters()):
        return Transition(state.with_(step="where"), replies=[_ask_where()])
    if not answer.results:
        return Transition(AssetSearchState(step="what"), replies=[Say("assets.no_results"),
                                                                 _ask_what("assets.ask_what_again")])
    state = state.with_(step="results", results=tuple(dict(r) for r in answer.results[:MAX_RESULTS_KEPT]),
                        page=0, place=dict(answer.place or {}), widened=tuple(answer.widened))
    return Transition(state, replies=[*_widened_notes(state.widened), *_page(state, ctx)])


def prompt(state: AssetSearchState, ctx: FlowContext):
    if state.step == "where":
        return (_ask_where(),)
    if state.step == "results" and state.results:
        return _page(state, ctx)
    if state.step == "details" and state.asset:
        return _details(state, ctx)
    if state.step == "filters":
        return (Ask("assets.ask_filter", FILTER_OPTIONS),)
    if state.step == "day":
        return (Ask("assets.ask_day", DAY_OPTIONS),)
    if state.step == "when":
        return (ASK_WHEN,)
    if state.step == "remind":
        return (ASK_REMINDER,)
    if state.step == "wrong_day" and state.day:
        return (_ask_wrong_day(state, ctx),)
    return (_ask_what(),)


FLOW = Flow(
    name="asset_search",
    state_type=AssetSearchState,
    begin=begin,
    step=step,
    prompt=prompt,
    menu_label="assets.menu_label",
    intents=("find_activity",),
    menu_order=20,
)
