"""Protected characteristics (statement 36), asked once near the end of a referral, all optional.

The ONS 2021 Census questions as asked in Wales (docs/dataset/protected-characteristics.md):
sex, gender identity (same as sex registered at birth?), ethnic group (the five high-level groups
of the Wales questionnaire), disability (the Census long-term condition and day-to-day limitation
questions, as one), and Welsh language ability (understand, speak, read, write; any). Every question
has "prefer not to say" and Skip; the first question lets them skip the whole block.

The referral flow (flows/referral.py) calls `ask` and `answer`; the steps keep their answers in
ReferralState.protected, a mapping {question: value}.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from flows.base import Ask, Choice, Option, Reply, Text, Transition
from flows.picks import is_exactly, is_skip, read_picks
from flows.yes_no import read_yes_no
from nlu import answers

PREFER_NOT = "prefer_not_to_say"
INTRO = "pc_intro"
QUESTIONS = ("pc_sex", "pc_gender", "pc_ethnic", "pc_disability", "pc_welsh")
STEPS = (INTRO, *QUESTIONS)
FIELDS = {"pc_sex": "sex", "pc_gender": "gender_same", "pc_ethnic": "ethnic_group",
          "pc_disability": "disability", "pc_welsh": "welsh"}
# Which group of answer words (config/locale/*/answers/table2.yml, nlu/answers.py) each question reads.
WORD_LISTS = {"pc_sex": "sex", "pc_gender": "same_gender", "pc_ethnic": "ethnic_group",
              "pc_disability": "disability", "pc_welsh": "welsh_ability"}
SKIP = Option("skip", "pc.option_skip")
PREFER_NOT_OPTION = Option(PREFER_NOT, "pc.option_prefer_not")
INTRO_OPTIONS = (Option("yes", "pc.option_answer"), Option("skip", "pc.option_skip_all"))
OPTIONS = {
    "pc_sex": (Option("female", "pc.sex.female"), Option("male", "pc.sex.male")),
    "pc_gender": (Option("yes", "pc.gender.yes"), Option("no", "pc.gender.no")),
    "pc_ethnic": (Option("white", "pc.ethnic.white"), Option("mixed", "pc.ethnic.mixed"),
                  Option("asian", "pc.ethnic.asian"), Option("black", "pc.ethnic.black"),
                  Option("other", "pc.ethnic.other")),
    "pc_disability": (Option("limited_a_lot", "pc.disability.limited_a_lot"),
                      Option("limited_a_little", "pc.disability.limited_a_little"),
                      Option("not_limited", "pc.disability.not_limited"),
                      Option("no_condition", "pc.disability.no_condition")),
    "pc_welsh": (Option("understand", "pc.welsh.understand"), Option("speak", "pc.welsh.speak"),
                 Option("read", "pc.welsh.read"), Option("write", "pc.welsh.write"),
                 Option("none", "pc.welsh.none")),
}
QUESTION_KEYS = {"pc_sex": "pc.q.sex", "pc_gender": "pc.q.gender", "pc_ethnic": "pc.q.ethnic",
                 "pc_disability": "pc.q.disability", "pc_welsh": "pc.q.welsh"}


def ask(step: str) -> tuple[Reply, ...]:
    if step == INTRO:
        return (Ask("pc.intro", INTRO_OPTIONS, count=len(QUESTIONS)),)
    number = QUESTIONS.index(step) + 1
    return (Ask(QUESTION_KEYS[step], (*OPTIONS[step], PREFER_NOT_OPTION, SKIP), number=number,
                total=len(QUESTIONS)),)


def answer(step: str, protected: Mapping[str, Any], event, go: Callable[..., Transition], again: Callable[[str], Transition]) -> Transition:
    """Read one answer: `go(after=step, protected=..., skip_block=bool)` moves on; `again(key)` asks again."""
    if step == INTRO:
        said = read_yes_no(event)
        if is_skip(event) or said is False:
            return go(step, dict(protected), skip_block=True)
        if said is True:
            return go(step, dict(protected))
        return again("pc.pick_one")
    if isinstance(event, Choice) and event.value == PREFER_NOT or (
            isinstance(event, Text) and answers.said(event.text, "decline")):
        return go(step, {**protected, FIELDS[step]: PREFER_NOT})
    if is_skip(event):
        return go(step, {k: v for k, v in protected.items() if k != FIELDS[step]})
    options = OPTIONS[step]
    option_words = answers.groups(WORD_LISTS[step])
    picks = read_picks(event, options, option_words)
    if isinstance(event, Text) and len(picks) > 1 and step != "pc_welsh":
        exact = tuple(v for v, ws in option_words.items() if is_exactly(event.text, ws))
        picks = exact if len(exact) == 1 else picks
    if step == "pc_welsh" and picks:
        value: Any = ["none"] if "none" in picks else list(picks)
        return go(step, {**protected, FIELDS[step]: value})
    if len(picks) == 1:
        return go(step, {**protected, FIELDS[step]: picks[0]})
    return again("pc.pick_one")


def dataset_fields(protected: Mapping[str, Any]) -> dict[str, Any]:
    """Statement 36's protected-characteristic fields: only what they answered (or preferred not to)."""
    out: dict[str, Any] = {}
    for field in FIELDS.values():
        value = protected.get(field)
        if value is None or value == "" or value == []:
            continue
        if field == "welsh" and value == PREFER_NOT:
            value = [PREFER_NOT]
        out[field] = value
    return out
