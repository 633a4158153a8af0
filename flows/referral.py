"""Self-referral with a 'What Matters' conversation (Standards One and Two), in Welsh and English.

intro -> consent (flows/consent.py, only if not given) -> what matters (their words) -> themes ->
reasons (51) -> barriers (80/81) -> carer (32) -> carer helping (34) -> about them, each optional:
first name, date of birth (age band, 36), postcode (routing), NHS number, how to contact (with a
phone number if they chat on Telegram and want a call or a text) and when ->
referral route (41/48/52, skipped when a source code came with them) -> summary -> confirm or change.

Every answer is saved as a draft (SaveDraft) so a person who stops can come back where they were;
SubmitReferral creates the referral, which bot/referrals.py routes to a practitioner.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from flows import protected_characteristics as pc
from flows.base import (
    Ask, Begin, Choice, DataSetEvent, Effect, Flow, FlowContext, FlowState, GoTo, Labels, Option, Reply,
    Say, Text, Transition,
)
from flows.consent import privacy_notice
from flows.dates import DateProblem, age_band, age_on, parse_birth_date
from flows.nhs_number import NHSNumberProblem, parse_nhs_number
from flows.phone_numbers import parse_uk_phone
from flows.picks import is_back, is_done, is_skip, read_picks
from flows.postcodes import find_postcode, parse_postcode
from flows.referral_sources import SELF, clean_source, route_for
from flows.yes_no import read_yes_no
from nlu import answers
from nlu.text import words

NAME = "referral"
WHAT_MATTERS_LIMIT = 1000
NAME_LIMIT = 50

SKIP = Option("skip", "referral.option_skip")
DONE = Option("done", "referral.option_done")
YES_NO_SKIP = (Option("yes", "referral.option_yes"), Option("no", "referral.option_no"), SKIP)
# For questions about someone else ("Ydy gofalwr yn eich helpu?"): Ydy / Nac ydy in Welsh.
YES_NO_SKIP_THIRD = (Option("yes", "conversation.option_yes_third"), Option("no", "conversation.option_no_third"), SKIP)

THEMES = (
    Option("lonely", "referral.theme_lonely"),
    Option("active", "referral.theme_active"),
    Option("mental", "referral.theme_mental"),
    Option("money", "referral.theme_money"),
    Option("housing", "referral.theme_housing"),
    Option("caring", "referral.theme_caring"),
    Option("learning", "referral.theme_learning"),
    Option("volunteering", "referral.theme_volunteering"),
    Option("outdoors", "referral.theme_outdoors"),
)
THEME_WORDS = answers.groups("themes")
REASONS = (
    Option("physical", "referral.reason_physical"),
    Option("mental", "referral.reason_mental"),
    Option("social", "referral.reason_social"),
    Option("financial", "referral.reason_financial"),
)
REASON_WORDS = answers.groups("reasons")
BARRIERS = (
    Option("transport", "referral.barrier_transport"),
    Option("cost", "referral.barrier_cost"),
    Option("childcare", "referral.barrier_childcare"),
    Option("mobility", "referral.barrier_mobility"),
    Option("confidence", "referral.barrier_confidence"),
    Option("digital", "referral.barrier_digital"),
    Option("language", "referral.barrier_language"),
)
BARRIER_WORDS = answers.groups("barriers")
CONTACT_HOW = (
    Option("chat", "referral.contact_chat"),
    Option("phone", "referral.contact_phone"),
    Option("text", "referral.contact_text"),
)
CONTACT_WHEN = (
    Option("morning", "referral.when_morning"),
    Option("afternoon", "referral.when_afternoon"),
    Option("evening", "referral.when_evening"),
    Option("any", "referral.when_any"),
)
CONTACT_WORDS = answers.groups("contact_how")
WHEN_WORDS = answers.groups("times_of_day")
ROUTES = (
    Option("self", "referral.route_self"),
    Option("gp", "referral.route_gp"),
    Option("health", "referral.route_health"),
    Option("housing", "referral.route_housing"),
    Option("council", "referral.route_council"),
    Option("other", "referral.route_other"),
)
ROUTE_WORDS = answers.groups("routes")
SUMMARY_OPTIONS = (Option("confirm", "referral.option_confirm"), Option("change", "referral.option_change"))
SECTIONS = (
    Option("what_matters", "referral.section_what_matters"),
    Option("themes", "referral.section_themes"),
    Option("reasons", "referral.section_reasons"),
    Option("barriers", "referral.section_barriers"),
    Option("carer", "referral.section_carer"),
    Option("name", "referral.section_name"),
    Option("dob", "referral.section_dob"),
    Option("postcode", "referral.section_postcode"),
    Option("nhs", "referral.section_nhs"),
    Option("contact", "referral.section_contact"),
)
# Summary line headings: the sections, "has_carer" (changed with "carer") and "phone" (with "contact").
HEADINGS = {**{o.value: o.label for o in SECTIONS}, "has_carer": "referral.section_has_carer",
            "phone": "referral.section_phone"}
NO_BARRIERS_OPTION = Option("none", "referral.barrier_none")

ORDER = ("what_matters", "themes", "reasons", "barriers", "carer", "has_carer", "name", "dob", "postcode",
         "nhs", "contact_how", "phone", "contact_when", "route", *pc.STEPS, "summary")
# The service is for adults: a younger person is told where to get help and nothing is kept.
ADULT_AGE = 16
# Core Data Set statements recorded when the referral is sent.
DEMOGRAPHICS, ROUTE, ROLE, REASON, ORIGIN, BARRIERS_ACTIVITY, BARRIERS_PRACTITIONER = 36, 41, 48, 51, 52, 80, 81
IS_CARER, HAS_CARER, THEMES_STATEMENT = 32, 34, 108


# ---------------------------------------------------------------- effects


@dataclass(frozen=True)
class SaveDraft(Effect):
    """Keep the answers so far, so the person can stop and come back where they were."""

    answers: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ShowSummary(Effect):
    """Show what they told us (rendered from the catalogs in their language), then ask `question`."""

    answers: Mapping[str, Any] = field(default_factory=dict)
    question: Reply = Ask("referral.summary_question", SUMMARY_OPTIONS)
    # After a change from the summary: only the lines of the part changed, not the whole summary again.
    changed: tuple[str, ...] = ()


@dataclass(frozen=True)
class DiscardDraft(Effect):
    """Forget the draft and everything in it (someone under 16: nothing of theirs is kept)."""


@dataclass(frozen=True)
class SubmitReferral(Effect):
    """Create the referral from these answers and route it to a practitioner."""

    answers: Mapping[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- state


@dataclass(frozen=True)
class ReferralState(FlowState):
    source: str = ""
    route: str = ""
    what_matters: str = ""
    themes: tuple = ()
    reasons: tuple = ()
    barriers: tuple = ()
    carer: str = ""          # "yes", "no", or "" when skipped
    has_carer: str = ""
    first_name: str = ""
    birth_date: str = ""     # ISO date
    age_band: str = ""
    postcode: str = ""
    postcode_area: str = ""
    nhs_number: str = ""
    contact_how: str = ""
    phone: str = ""          # asked only when they chat on Telegram and want a call or a text
    contact_when: str = ""
    # Protected characteristics (flows/protected_characteristics.py), asked once: {field: value}.
    protected: dict = field(default_factory=dict)
    pc_asked: bool = False   # asked in an earlier referral: not asked again
    editing: bool = False    # answering one part again from the summary


# ---------------------------------------------------------------- questions


def question(state: ReferralState) -> tuple[Reply, ...]:
    """The question for the step the person is at."""
    match state.step:
        case "what_matters":
            return (Ask("referral.what_matters", (SKIP,)),)
        case "themes":
            return (Ask("referral.themes", THEMES + (DONE,)),)
        case "reasons":
            return (Ask("referral.reasons", REASONS + (DONE,)),)
        case "barriers":
            return (Ask("referral.barriers", BARRIERS + (NO_BARRIERS_OPTION, DONE)),)
        case "carer":
            return (Ask("referral.carer", YES_NO_SKIP),)
        case "has_carer":
            return (Ask("referral.has_carer", YES_NO_SKIP_THIRD),)
        case "name":
            return (Ask("referral.name", (SKIP,)),)
        case "dob":
            return (Ask("referral.dob", (SKIP,)),)
        case "postcode":
            return (Ask("referral.postcode", (SKIP,)),)
        case "nhs":
            return (Ask("referral.nhs", (SKIP,)),)
        case "contact_how":
            return (Ask("referral.contact_how", CONTACT_HOW + (SKIP,)),)
        case "phone":
            return (Ask("referral.phone", (SKIP,)),)
        case "contact_when":
            return (Ask("referral.contact_when", CONTACT_WHEN + (SKIP,)),)
        case "route":
            return (Ask("referral.route", ROUTES + (SKIP,)),)
        case "change":
            return (Ask("referral.change_which", SECTIONS),)
        case step if step in pc.STEPS:
            return pc.ask(step)
        case _:
            return (Ask("referral.summary_question", SUMMARY_OPTIONS),)


def _next_step(state: ReferralState, after: str) -> str:
    if state.editing:
        return "summary"
    following = ORDER[ORDER.index(after) + 1]
    if following == "route" and state.source:
        following = ORDER[ORDER.index("route") + 1]  # the source code already says who referred them
    if following == "phone":
        return "contact_when"  # the phone step is reached only from _contact_how
    if following == pc.INTRO and state.pc_asked:
        return "summary"
    return following


def _go(state: ReferralState, after: str, *before: Reply, **answers: Any) -> Transition:
    """Store this step's answer and ask the next question (or show the summary)."""
    step = _next_step(state, after)
    if after in ("contact_how", "phone") and state.editing:
        step = "contact_when"  # "how" and "when" are changed together
    new = state.with_(step=step, editing=state.editing and step != "summary", **answers)
    changed = SUMMARY_LINES.get(after, (after,)) if state.editing and step == "summary" else ()
    return _ask_at(new, *before, changed=changed)


# The summary lines a changed step shows again.
SUMMARY_LINES = {"carer": ("carer", "has_carer"), "has_carer": ("carer", "has_carer"),
                 "contact_how": ("contact", "phone"), "phone": ("contact", "phone"),
                 "contact_when": ("contact", "phone")}


def _ask_at(state: ReferralState, *before: Reply, changed: tuple[str, ...] = ()) -> Transition:
    answers = state.to_json()
    if state.step == "summary":
        return Transition(state, replies=before,
                          effects=[SaveDraft(answers), ShowSummary(answers, changed=tuple(changed))])
    return Transition(state, replies=[*before, *question(state)], effects=[SaveDraft(answers)])


def _again(state: ReferralState, key: str, **params: Any) -> Transition:
    """Not an answer we can use: say why, kindly, and ask the same question again."""
    return Transition(state, replies=[Say(key, **params), *question(state)])


# ---------------------------------------------------------------- begin


def begin(event, ctx: FlowContext) -> Transition:
    payload = event.payload if isinstance(event, Begin) else {}
    source = clean_source(payload.get("source"))
    if ctx.person.get("referral_open") and not ctx.person.get("referral_draft"):
        # One open referral at a time: the practitioner who has it is the person to talk to.
        return Transition(None, replies=[Say("referral.already_open")], effects=[GoTo("menu")])
    first_words = what_matters_in(str(payload.get("text") or ""))
    if not ctx.person.get("consented"):
        then = {"source": source, "intro_shown": True, "text": first_words}
        return Transition(None, replies=[Say("referral.intro")],
                          effects=[GoTo("consent", {"then": NAME, "then_payload": then})])
    draft = ctx.person.get("referral_draft")
    if draft:
        state = ReferralState.from_json(draft)
        if source and not state.source:
            state = state.with_(source=source, route=route_for(source))
        return _ask_at(state, Say("referral.welcome_back"))
    state = ReferralState(step="what_matters", source=source, route=route_for(source) if source else "",
                          pc_asked=bool(ctx.person.get("referred_before")))
    intro = () if payload.get("intro_shown") else (Say("referral.intro"),)
    if first_words:
        # They told us already ("I've been lonely since my wife died"): never ask them to say it again.
        return _go(state, "what_matters", *intro, Say("referral.what_matters_noted"), what_matters=first_words)
    return _ask_at(state, *intro)


# A first message this long says something of what matters even without a theme word.
FIRST_WORDS_ENOUGH = 12


def what_matters_in(text: str) -> str:
    """The message that brought someone to the referral, kept as their What Matters answer when it
    says what matters (a theme, reason or barrier word, or a sentence of some length), not when it
    only asks to be referred ("I want to refer myself")."""
    text = text.strip()
    # Words only (a "2" here was a menu number), and not the service's own name ("social prescribing").
    plain = f" {' '.join(w for w in words(text) if not w.isdigit())} "
    for name in sorted(answers.words("service_names"), key=len, reverse=True):
        plain = plain.replace(f" {name} ", " ")
    in_words = Text(plain)
    named = any(read_picks(in_words, options, groups) for options, groups in
                ((THEMES, THEME_WORDS), (REASONS, REASON_WORDS), (BARRIERS, BARRIER_WORDS)))
    return text[:WHAT_MATTERS_LIMIT] if named or len(plain.split()) >= FIRST_WORDS_ENOUGH else ""


# ---------------------------------------------------------------- steps


def step(state: ReferralState, event, ctx: FlowContext) -> Transition:
    if isinstance(event, Text) and answers.said(event.text, "privacy"):
        return Transition(state, replies=[privacy_notice(ctx.settings), *question(state)])
    if is_back(event):
        return _back(state, ctx)
    handler = STEPS.get(state.step, _summary)
    return handler(state, event, ctx)


def _asked(state: ReferralState, step: str, ctx: FlowContext) -> bool:
    """Whether this person was asked the question at `step` (some are asked only sometimes)."""
    if step == "phone":
        return state.contact_how in ("phone", "text") and not (ctx.channel == "sms" or ctx.phone_known)
    if step == "route":
        return not state.source
    return step in STEPS


def _back(state: ReferralState, ctx: FlowContext) -> Transition:
    """BACK / NOL: the question before this one, with its answer open to change."""
    if state.editing or state.step == "change":
        return _ask_at(state.with_(step="summary", editing=False))
    here = ORDER.index(state.step) if state.step in ORDER else len(ORDER) - 1
    earlier = [s for s in ORDER[:here] if _asked(state, s, ctx)]
    if not earlier:
        return Transition(state, replies=[Say("conversation.back_at_first"), *question(state)])
    return _ask_at(state.with_(step=earlier[-1]))


def _what_matters(state, event, ctx) -> Transition:
    if is_skip(event):
        return _go(state, "what_matters")
    if isinstance(event, Text) and event.text.strip():
        # Kept in their own words: this is the heart of the conversation.
        return _go(state, "what_matters", what_matters=event.text.strip()[:WHAT_MATTERS_LIMIT])
    return _again(state, "referral.what_matters_again")


def _multi(name: str, options, words) -> Any:
    def handle(state, event, ctx) -> Transition:
        chosen = tuple(getattr(state, name))
        if is_skip(event) or is_done(event):
            return _go(state, name)
        if name == "barriers" and (isinstance(event, Choice) and event.value == "none"
                                   or isinstance(event, Text) and answers.said(event.text, "no_barriers")):
            return _go(state, name, barriers=("none",))
        picks = read_picks(event, options, words)
        if not picks:
            return _again(state, "referral.picks_not_understood")
        merged = tuple(o.value for o in options if o.value in set(chosen) | set(picks))
        labels = {o.value: o.label for o in options}
        picked = Labels(tuple(labels[v] for v in merged))
        if isinstance(event, Choice) and not event.text:
            # A button at a time (Telegram): keep the list open until they say Done, saying by
            # the options' own texts what is chosen so far, as a typed answer is echoed.
            new = state.with_(**{name: merged})
            return Transition(new, replies=[Say("referral.picked_more", picked=picked), *question(new)],
                              effects=[SaveDraft(new.to_json())])
        # Typed ("3", "1 4", "money and being outdoors"): say what was recorded and move on.
        return _go(state, name, Say("conversation.picked", picked=picked), **{name: merged})
    return handle


def _yes_no(name: str):
    def handle(state, event, ctx) -> Transition:
        if is_skip(event):
            return _go(state, name, **{name: ""})
        answer = read_yes_no(event)
        if answer is None:
            return _again(state, "referral.yes_no_again")
        return _go(state, name, **{name: "yes" if answer else "no"})
    return handle


def _name(state, event, ctx) -> Transition:
    if is_skip(event):
        return _go(state, "name", first_name="")
    text = " ".join(event.text.split()) if isinstance(event, Text) else ""
    # A first name: letters (any language), spaces, hyphens and apostrophes; not a sentence.
    if text and len(text) <= NAME_LIMIT and len(text.split()) <= 3 and any(c.isalpha() for c in text) \
            and all(c.isalpha() or c in " -'’." for c in text):
        return _go(state, "name", first_name=text)
    return _again(state, "referral.name_again")


DOB_PROBLEMS = {"format": "referral.dob_format", "impossible": "referral.dob_impossible",
                "future": "referral.dob_future", "too_old": "referral.dob_impossible"}


def _dob(state, event, ctx) -> Transition:
    if is_skip(event):
        return _go(state, "dob", birth_date="", age_band="")
    if not isinstance(event, Text):
        return _again(state, "referral.dob_format")
    today = ctx.now.date()
    try:
        born = parse_birth_date(event.text, today)
    except DateProblem as problem:
        return _again(state, DOB_PROBLEMS[problem.reason])
    if age_on(born, today) < ADULT_AGE:
        return Transition(None, replies=[Say("under16.reply")], effects=[DiscardDraft()])
    return _go(state, "dob", birth_date=born.isoformat(), age_band=age_band(born, today))


def _postcode(state, event, ctx) -> Transition:
    if is_skip(event):
        return _go(state, "postcode", postcode="", postcode_area="")
    text = event.text if isinstance(event, Text) else ""
    postcode = parse_postcode(text) or find_postcode(text)
    if postcode is None:
        return _again(state, "referral.postcode_invalid")
    return _go(state, "postcode", postcode=postcode.text, postcode_area=postcode.area)


def _nhs(state, event, ctx) -> Transition:
    if is_skip(event):
        return _go(state, "nhs", nhs_number="")
    try:
        digits = parse_nhs_number(event.text if isinstance(event, Text) else "")
    except NHSNumberProblem as problem:
        return _again(state, "referral.nhs_length" if problem.reason == "length" else "referral.nhs_check")
    return _go(state, "nhs", nhs_number=digits)


def _single(name: str, options, words, skipped: str = ""):
    """One answer from a list: a button, its number, its label, or a word for it."""
    def handle(state, event, ctx) -> Transition:
        if is_skip(event):
            return _go(state, name, **{name: skipped})
        picks = read_picks(event, options, words)
        if len(picks) == 1:
            return _go(state, name, **{name: picks[0]})
        return _again(state, "referral.pick_one")
    return handle


def _contact_how(state, event, ctx) -> Transition:
    if is_skip(event):
        return _go(state, "contact_how", contact_how="", phone="")
    picks = read_picks(event, CONTACT_HOW, CONTACT_WORDS)
    if len(picks) != 1:
        return _again(state, "referral.pick_one")
    if picks[0] in ("phone", "text") and not (ctx.channel == "sms" or ctx.phone_known):
        # On SMS and WhatsApp we already have their number; on Telegram we do not.
        return _ask_at(state.with_(step="phone", contact_how=picks[0]))
    return _go(state, "contact_how", contact_how=picks[0], phone="")


def _phone(state, event, ctx) -> Transition:
    if is_skip(event):
        return _go(state, "phone", phone="")
    number = parse_uk_phone(event.text) if isinstance(event, Text) else None
    if number is None:
        return _again(state, "referral.phone_invalid")
    return _go(state, "phone", phone=number)


SECTION_STEPS = {"what_matters": "what_matters", "themes": "themes", "reasons": "reasons",
                 "barriers": "barriers", "carer": "carer", "name": "name", "dob": "dob",
                 "postcode": "postcode", "nhs": "nhs", "contact": "contact_how"}


def _summary(state, event, ctx) -> Transition:
    if isinstance(event, Choice) and event.value == "confirm" or (
            not isinstance(event, Choice) and read_yes_no(event) is True):
        return _submit(state, ctx)
    if isinstance(event, Choice) and event.value == "change" or read_yes_no(event) is False or (
            isinstance(event, Text) and answers.said(event.text, "change")):
        new = state.with_(step="change")
        return Transition(new, replies=question(new), effects=[SaveDraft(new.to_json())])
    return Transition(state, replies=[Say("referral.summary_not_understood"), *question(state)])


def _protected(state, event, ctx) -> Transition:
    def go(after: str, protected: dict, skip_block: bool = False) -> Transition:
        if skip_block:
            return _ask_at(state.with_(step="summary", protected={}, editing=False))
        return _go(state, after, protected=protected)

    return pc.answer(state.step, state.protected, event, go,
                     lambda key: _again(state, key))


def _change(state, event, ctx) -> Transition:
    if isinstance(event, Choice) and event.value in SECTION_STEPS:
        # Multi-choice answers are chosen afresh when changed.
        reset = {event.value: ()} if event.value in ("themes", "reasons", "barriers") else {}
        return _ask_at(state.with_(step=SECTION_STEPS[event.value], editing=True, **reset))
    return _again(state, "referral.pick_one")


# The Core Data Set's vocabularies (config/dataset/statements.yml on the dataset branch): our
# answers are finer-grained, so each maps to the nearest reported value.
DATASET_THEMES = {"lonely": "reduce_isolation", "active": "physical_activity", "mental": "mental_wellbeing",
                  "money": "money", "housing": "housing", "caring": "other", "learning": "learning",
                  "volunteering": "volunteering", "outdoors": "nature"}
DATASET_BARRIERS = {"transport": "transport", "cost": "cost", "childcare": "caring", "mobility": "access",
                    "confidence": "confidence", "digital": "access", "language": "language"}
DATASET_ROUTES = {"self": "self", "gp": "gp", "health": "health", "pharmacy": "health",
                  "social_care": "social_care", "council": "social_care", "voluntary": "third_sector",
                  "family": "family"}
ADULT_BANDS = {"16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"}


def _mapped(values, mapping) -> list[str]:
    return list(dict.fromkeys(mapping[v] for v in values if v in mapping))


def dataset_events(state: ReferralState, route: str) -> list[DataSetEvent]:
    """The Core Data Set evidence a sent referral gives: no free text, no identifiers."""
    # Always a valid band: an adult band, or prefer_not_to_say (never an empty value).
    demographics: dict[str, Any] = {
        "age_band": state.age_band if state.age_band in ADULT_BANDS else "prefer_not_to_say"}
    if state.postcode_area:
        demographics["postcode_area"] = state.postcode_area
    demographics.update(pc.dataset_fields(state.protected))
    barriers = {"barriers": _mapped(state.barriers, DATASET_BARRIERS)}
    events = [
        DataSetEvent(DEMOGRAPHICS, demographics),
        DataSetEvent(ROUTE, {"route": DATASET_ROUTES.get(route, "other")}),
        DataSetEvent(ORIGIN, {"origin": state.source or route}),
        DataSetEvent(ROLE, {"role": route}),
        DataSetEvent(REASON, {"reasons": list(state.reasons)}),
        DataSetEvent(THEMES_STATEMENT, {"themes": _mapped(state.themes, DATASET_THEMES)}),
        DataSetEvent(BARRIERS_ACTIVITY, barriers),
        DataSetEvent(BARRIERS_PRACTITIONER, barriers),
    ]
    if state.carer:
        events.append(DataSetEvent(IS_CARER, {"carer": state.carer == "yes"}))
    if state.has_carer:
        events.append(DataSetEvent(HAS_CARER, {"carer_supporting": state.has_carer == "yes"}))
    return events


def _submit(state: ReferralState, ctx: FlowContext) -> Transition:
    route = state.route or SELF
    days = getattr(getattr(ctx.settings, "referral", None), "contact_within_days", 5)
    answers = state.with_(step="submitted", route=route).to_json()
    return Transition(None, replies=[Say("referral.submitted", days=days)], events=dataset_events(state, route),
                      effects=[SubmitReferral(answers)])


STEPS = {
    "what_matters": _what_matters,
    "themes": _multi("themes", THEMES, THEME_WORDS),
    "reasons": _multi("reasons", REASONS, REASON_WORDS),
    "barriers": _multi("barriers", BARRIERS, BARRIER_WORDS),
    "carer": _yes_no("carer"),
    "has_carer": _yes_no("has_carer"),
    "name": _name,
    "dob": _dob,
    "postcode": _postcode,
    "nhs": _nhs,
    "contact_how": _contact_how,
    "phone": _phone,
    "contact_when": _single("contact_when", CONTACT_WHEN, WHEN_WORDS),
    "route": _single("route", ROUTES, ROUTE_WORDS, skipped=SELF),
    "summary": _summary,
    "change": _change,
    **{step: _protected for step in pc.STEPS},
}


def prompt(state: ReferralState, ctx: FlowContext):
    return question(state)


FLOW = Flow(name=NAME, state_type=ReferralState, begin=begin, step=step, prompt=prompt,
            menu_label="referral.menu_label", intents=("self_refer",), menu_order=10)
