"""The lexicon screen: risk found in Welsh and English with a tier; everyday sorrow and idioms are not.

Whole-set figures (recall, false alarms, gentle checks) are in test_evaluation.py; here, single
phrases and the rules that make the screen general: mutations, dialects, spelling, negation.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from bot.risk_phrases import PhraseListError, RiskPhrases, fold
from nlu.mutations import mutated_forms

PROJECT_ROOT = Path(__file__).resolve().parents[2]

PHRASES = RiskPhrases.load("config/safeguarding/phrases.yml")


def clear(text: str) -> tuple[str, ...]:
    return PHRASES.assess(text).clear


RISK = {
    "suicide": [
        "I want to kill myself", "i want to kill my self", "gonna kill myslef", "kiiiill myself", "KMS",
        "I wanna die", "i want 2 die", "I'm suicidal", "having sucidal thoughts", "thinking about suacide",
        "suiside", "I wish I was dead", "everyone would be better off without me", "I just want to end it all",
        "I'm going to take my own life", "I don't want to be here anymore", "dont want to live",
        "I can't go on like this", "there's no point living", "nothing to live for",
        "life isn't worth living", "I've taken all my pills", "I've been saving up my tablets",
        "I'm going to jump off the bridge", "I can't see a way out", "everyone would be better off",
        "I've had enough", "nobody cares about me", "I hate myself",
        # Welsh, south and north, with mutations and texting spellings
        "Dw i isio marw", "dwi eisiau marw", "wi moyn marw", "dw i ddim isio byw", "sa i moyn byw rhagor",
        "dwi'n meddwl am ladd fy hun", "dw i am ladd fy hunan", "lladd fy hun", "hunanladdiad",
        "meddyliau hunan-laddiad", "hunanleiddiol", "dim pwynt byw", "does dim rheswm i fyw",
        "rhoi diwedd ar y cyfan", "diweddu'r cyfan", "wedi blino ar fyw", "cymryd fy mywyd",
        "dw i wedi cymryd y tabledi i gyd", "gorddos", "methu cario mlaen",
        "byddai'n well eu byd hebdda i", "taswn i'n farw",
        # the examples issue 14 saw missed
        "dwi wedi cael digon", "dwi'n casáu fy hun", "does neb yn malio amdana i",
        "dwi'n teimlo fel rhoi'r gorau iddi", "dwin casau fy hun", "dwi di cael digon",
    ],
    "self_harm": [
        "I've been cutting myself", "I self harm", "self-harming again", "selfharm", "I burn myself",
        "I hurt myself on purpose", "cut my wrists", "hunan-niweidio", "hunan niweidio",
        "dw i'n torri fy hun", "wedi brifo fy hun", "dwi'n anafu fy hunan",
    ],
    "abuse": [
        "he hits me", "My partner beats me", "my husband is hurting me", "I'm being abused",
        "domestic violence", "domestic abuse", "he raped me", "I'm scared of him", "I'm not safe at home",
        "she takes all my pension", "he won't let me leave", "coercive control",
        "mae e'n fy nharo i", "mae o'n fy nghuro", "mae hi'n fy mrifo", "cam-drin", "camdriniaeth",
        "trais yn y cartref", "trais domestig", "mae gen i ofn o", "dw i ddim yn teimlo'n saff adre",
        "mae e'n curo fi", "cefais fy nhreisio",
    ],
    "immediate_danger": [
        "I'm in danger", "he said he'd kill me", "he's going to kill us", "he has a knife",
        "call the police", "call 999", "someone is breaking in", "I can't breathe",
        "mewn perygl", "mae o'n mynd i fy lladd i", "ffoniwch yr heddlu", "mae ganddo fe gyllell",
        "methu anadlu",
    ],
}

# Ambiguous on its own: the gentle check, not the crisis reply.
POSSIBLE = [
    "I can't do this anymore", "what's the point", "I'm dying", "I feel trapped", "dark thoughts lately",
    "beth yw'r pwynt", "dw i'n marw", "meddyliau tywyll", "dw i ddim yn iawn",
    "I can't breathe when I climb the stairs",
]

SAFE = [
    "kill time at the library", "I need to kill time before the bus", "my feet are killing me",
    "I was amused by the choir", "my knee is hurting me", "I can't go on Tuesday", "I'm a carer for my mum",
    "Can I join the walking football?", "I'd like to volunteer at the food bank",
    "money worries and benefits", "I'm dead tired", "I wish I was better at singing", "the plant died",
    "lladd amser yn y llyfrgell", "Rydw i eisiau ymuno â chôr", "dw i'n gofalu am fy mam",
    "mae gen i ofn o gŵn", "mae'n bwrw glaw", "Caerdydd CF10 1AA", "9434765919", "01/02/1970",
    "skip", "hepgor", "yes", "na", "", "🙂🙂🙂", "\x00\x01\x02", "ŵŷâêîôû",
    # issue 14: bereavement, loneliness, boredom, fear of groups, idioms, data requests
    "my husband died", "mae mam wedi marw", "bu farw fy ngŵr", "dwi'n unig", "nobody visits",
    "I'm so lonely", "I'm bored", "dw i wedi diflasu", "I'm scared of going to a group alone",
    "mae gen i ofn mynd i grŵp ar fy mhen fy hun", "I'm dying to try the choir", "dying for a cuppa",
    "I could murder a cup of tea", "mae'r tywydd yn fy lladd i", "mae fy nhraed yn fy lladd i",
    "can I have a copy of my data", "ga i gopi o fy nata", "I'd rather die than go to zumba",
    "I've had enough of the rain", "dw i wedi cael digon o'r glaw", "I don't want to die",
    "dwi ddim isio marw", "I'm not suicidal, just lonely", "my brother took his own life years ago",
]


@pytest.mark.parametrize("category,text", [(c, t) for c, texts in RISK.items() for t in texts])
def test_a_disclosure_is_clear_and_in_its_category(category, text):
    finding = PHRASES.assess(text)
    assert finding.clear, f"missed risk: {text!r} ({finding})"
    assert category in finding.clear + finding.possible, f"{text!r} found as {finding}, expected {category}"


@pytest.mark.parametrize("text", POSSIBLE)
def test_ambiguous_wording_gets_the_gentle_check_not_the_crisis_reply(text):
    finding = PHRASES.assess(text)
    assert finding.possible and not finding.clear, finding


@pytest.mark.parametrize("text", SAFE)
def test_everyday_words_sorrow_and_idioms_are_not_risk(text):
    assert not PHRASES.assess(text), PHRASES.readings(text)


def test_an_idiom_does_not_hide_a_disclosure_in_the_same_message():
    assert clear("my feet are killing me and I want to kill myself") == ("suicide",)
    assert clear("mae'r tywydd yn fy lladd i a dw i isio marw") == ("suicide",)
    finding = PHRASES.assess("my feet are killing me")
    assert finding.idiom and not finding


def test_someone_elses_death_by_overdose_in_welsh_is_loss_not_a_disclosure():
    # "wedi marw o overdose" (English word inside Welsh) is read as English too: set aside in both
    for text in ("mae nghefnder i wedi marw o overdose, ma'r teulu mewn sioc", "mae fy mrawd di marw o orddos"):
        assert not PHRASES.assess(text).clear, PHRASES.readings(text)
    assert clear("mae fy mrawd wedi marw o orddos a dw i isio marw hefyd") == ("suicide",)
    assert clear("dw i wedi cymryd overdose") == ("suicide",)
    assert PHRASES.assess("bron wedi marw o orddos neithiwr").clear, "nearly died is not set aside"


def test_will_murder_me_if_i_forget_is_a_scolding_but_a_threat_to_silence_is_not():
    assert not PHRASES.assess("my wife will murder me if I forget our anniversary").clear
    assert not PHRASES.assess("my son will strangle me if I miss his match").clear
    assert PHRASES.assess("he will murder me if I tell anyone").clear


@pytest.mark.parametrize("verb,template", [
    ("lladd", "dw i isio {} fy hun"), ("brifo", "dw i wedi {} fy hun eto"), ("torri", "dw i'n {} fy hun"),
    ("crogi", "dw i'n meddwl am {} fy hun"), ("taro", "mae o'n fy {} i"), ("curo", "mae fy mhartner yn fy {}"),
    ("bywyd", "dw i isio rhoi diwedd ar fy {}"), ("marw", "dw i isio {}"),
])
def test_every_mutated_form_of_a_welsh_word_is_read_as_its_radical(verb, template):
    """Mutations are generated from the radical, not listed: soft, nasal, aspirate."""
    for form in {verb, *mutated_forms(verb)}:
        assert clear(template.format(form)), f"missed the mutated form {form!r}: {template.format(form)!r}"


SUBJECTS = ["dw i", "dwi", "dw i'n", "rydw i", "rwy", "wi", "dwi'n", "dwin", "rwy'n", "fi'n"]
WANT = ["isio", "eisiau", "moyn", "ishe", "isho", "isie", "eisie", "mo'yn"]
NEGATED = ["dw i ddim", "dwi ddim", "dydw i ddim", "sai", "sa i", "smo fi", "so i", "dwim", "sai'n"]


@pytest.mark.parametrize("want", WANT)
def test_north_and_south_forms_of_i_want_to_die(want):
    for subject in SUBJECTS:
        assert clear(f"{subject} {want} marw"), f"{subject} {want} marw"


@pytest.mark.parametrize("negation", NEGATED)
def test_negation_i_dont_want_to_live_is_risk_i_dont_want_to_die_is_not(negation):
    for want in WANT:
        assert clear(f"{negation} {want} byw rhagor"), f"{negation} {want} byw rhagor"
        assert not PHRASES.assess(f"{negation} {want} marw"), f"{negation} {want} marw"
    assert clear("I don't want to live anymore") and clear("i dont want to be alive")
    assert not PHRASES.assess("I don't want to die alone in this house")


@pytest.mark.parametrize("text", [
    "dwi'n casáu fy hun", "dwin casau fy hun", "DWI'N CASÁU FY HUN", "dwi’n casáu fy hun", "dwi n casau fy hun",
    "does neb yn malio amdana i", "sneb yn malio amdana i", "dyw neb yn malio amdanaf i",
])
def test_diacritics_apostrophes_and_case_do_not_matter(text):
    assert clear(text)


def test_english_mixed_into_welsh_is_read():
    assert clear("dwi jyst isio kill myself")
    assert clear("honestly dwi'n feeling suicidal")
    assert clear("mae e'n controlling iawn ac yn fy nharo weithiau")


def test_folding_keeps_words_and_drops_accents_for_matching_only():
    assert fold("Dw i'n ŵyr i Siân!") == "dw in wyr i sian"
    assert fold("Dw i'n", apostrophe=" ") == "dw i n"


def test_long_and_odd_messages_are_read_without_failing():
    assert not PHRASES.assess("la " * 2000)
    assert clear("x" * 5000 + " I want to kill myself") == ("suicide",)
    assert clear("I want to die" + " blah" * 5000)


def test_a_missing_or_broken_phrase_file_names_itself(tmp_path):
    with pytest.raises(PhraseListError, match="safeguarding.phrases_file"):
        RiskPhrases.load(tmp_path / "missing.yml")
    broken = tmp_path / "broken.yml"
    broken.write_text("categories:\n  x:\n    clear:\n      en: ['(unclosed']\n", encoding="utf-8")
    with pytest.raises(PhraseListError, match="broken.yml"):
        RiskPhrases.load(broken)
    unknown = tmp_path / "unknown.yml"
    unknown.write_text("categories:\n  x:\n    clear:\n      en: ['{NOPE} me']\n", encoding="utf-8")
    with pytest.raises(PhraseListError, match="unknown.yml"):
        RiskPhrases.load(unknown)


# Some phrases are clear only at the end of a sentence ("mae gen i ofn o", I'm afraid of him, but
# "ofn o gŵn" is a fear of dogs; "I can't breathe", but "I can't breathe when I climb the stairs"):
# the phrase is put in a sentence of its own.
ALL_RISK = [text for texts in RISK.values() for text in texts]
# Words around the phrase: letters, digits, punctuation, emoji; a space on both sides of the phrase.
AROUND = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)


@hypothesis_settings(max_examples=300, deadline=None)
@given(before=AROUND, phrase=st.sampled_from(ALL_RISK), after=AROUND, shout=st.booleans())
def test_a_clear_phrase_is_found_whatever_surrounds_it(before, phrase, after, shout):
    text = f"{before}. {phrase.upper() if shout else phrase}. {after}"
    assert clear(text), f"missed: {text!r}"


@hypothesis_settings(max_examples=60, deadline=None)
@given(filler=st.lists(st.sampled_from(SAFE[:30] + ["what matters to me is my garden", "dw i'n hoffi canu"]),
                       min_size=5, max_size=300),
       phrase=st.sampled_from(ALL_RISK), where=st.floats(0, 1))
def test_a_clear_phrase_anywhere_in_a_long_message_is_found(filler, phrase, where):
    at = int(where * len(filler))
    text = ". ".join([*filler[:at], phrase, *filler[at:]])
    assert clear(text), f"missed {phrase!r} at {at} of {len(filler)}"


@hypothesis_settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=400))  # any code point, lone surrogates included
def test_no_message_crashes_the_screen(text):
    PHRASES.assess(text)


def test_a_huge_message_does_not_crash_the_screen():
    PHRASES.assess("\ud800" * 1000 + "🙂" * 20000 + "I want to die")
    assert clear("a" * 50000 + " I want to die")


PROBES = __import__("yaml").safe_load((PROJECT_ROOT / "tests/safeguarding/probes.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("text", PROBES["risk"])
def test_probe_phrases_written_after_the_lexicon_are_clear(text):
    assert clear(text), PHRASES.readings(text)


@pytest.mark.parametrize("text", PROBES["none"])
def test_probe_everyday_phrases_written_after_the_lexicon_are_not_risk(text):
    assert not PHRASES.assess(text), PHRASES.readings(text)


@pytest.mark.parametrize("text", PROBES["possible"])
def test_probe_ambiguous_phrases_get_the_gentle_check(text):
    finding = PHRASES.assess(text)
    assert finding.possible and not finding.clear, finding
