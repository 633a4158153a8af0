"""screen8 rules: past and recovered experience, another's death told as loss, a set-aside that
covers only its own clause, and abuse told without an abuse verb (docs/safety/screen-evaluation.md).

Every rule is tested both ways: the messages it must read, and the near ones it must leave alone.
"""
from __future__ import annotations

import pytest

from bot.risk_phrases import RiskPhrases

PHRASES = RiskPhrases.load("config/safeguarding/phrases.yml")


def tier(text: str) -> str:
    finding = PHRASES.assess(text)
    return "clear" if finding.clear else "possible" if finding.possible else "none"


def reader_may_not_escalate(text: str) -> bool:
    """The learned tier reader is asked only when no idiom was set aside, and never past a guard."""
    return PHRASES.assess(text).idiom or bool(PHRASES.guard(text))


# Past, recovered experience: at most the gentle check, and the tier reader is guarded.
PAST_RECOVERED = [
    "I tried to kill myself in 2017 but I'm so much better now and I'd like to help at the centre",
    "Years ago I used to cut myself, I've been fine for years now",
    "as a teenager I self harmed, therapy really helped and I'm doing great",
    "When I was at uni I took an overdose. I've been well for a long time since",
    "I attempted suicide a long while ago, I'm a survivor and I'm in a good place",
    "I had suicidal thoughts in my twenties but I'm much better now",
    "Triais i ladd fy hun yn 2016 ond dw i lot gwell rŵan",
    "Driais i ladd fy hun pan o'n i'n iau, dw i'n oroeswr erbyn hyn",
    "Drïes i gymryd gorddos flynyddoedd yn ôl, ond dw i'n well o lawer nawr",
    "yn fy arddegau o'n i'n arfer torri fy hun, ma'r therapi di helpu",
    "O'n i'n cael meddyliau hunanladdol pan o'n i'n fengach, dw i'n iawn ers blynyddoedd",
    "o'n i'n hunan-niweidio gynt ond dw i mewn lle da nawr",
    "triais i ladd fy hun unwaith, amser maith yn ôl, a dw i'n gryfach o lawer",
]

# A past attempt WITH present risk stays clear.
PAST_WITH_NOW = [
    "I tried to kill myself in 2017 and I feel like that again now",
    "I used to self harm years ago, I was better but last night I cut again",
    "since I tried last year I've been thinking about it again",
    "I'm a survivor of an attempt but I want to die again",
    "Ers i mi drio llynedd dw i'n meddwl am y peth eto",
    "Triais i ladd fy hun yn 2016 a dw i'n teimlo fel 'na eto",
    "o'n i'n arfer torri fy hun, o'n i'n well ond dechreuais i dorri eto neithiwr",
    "I wish I was dead. Can I join the walking group?",
]


@pytest.mark.parametrize("text", PAST_RECOVERED)
def test_past_recovered_experience_is_never_the_crisis_reply(text):
    assert tier(text) != "clear", text
    assert reader_may_not_escalate(text), text


@pytest.mark.parametrize("text", PAST_WITH_NOW)
def test_a_past_attempt_with_present_risk_stays_clear(text):
    assert tier(text) == "clear", text


# Someone else's death told as loss (Welsh forms mutated and varied), and its English.
LOSS = [
    "Buodd fy ffrind farw o orddos flynyddoedd yn ôl a dw i'n dal i hiraethu amdano",
    "Nath fy nghymydog ladd ei hun llynedd",
    "Wnaeth fy mrawd ladd ei hunan yn 2015, dw i'n dal i feddwl amdano bob dydd",
    "Laddodd fy ffrind gorau ei hun pan oedden ni'n ugain",
    "Fi ffeindiodd e, y cymydog, wedi marw o orddos",
    "Ffeindiais i'r dyn drws nesa yn farw ar ôl gorddos",
    "Mi wnaeth fy nhad ladd ei hun pan o'n i'n fach",
    "My friend killed himself years ago and I still miss him",
    "I found my neighbour dead from an overdose last winter",
]


@pytest.mark.parametrize("text", LOSS)
def test_another_persons_death_told_as_loss_is_not_the_crisis_reply(text):
    assert tier(text) == "none", text
    assert reader_may_not_escalate(text), text


@pytest.mark.parametrize("text", [
    "Buodd fy mam farw llynedd", "nath Taid farw yn yr hydref", "ffeindiais i Nain yn farw yn ei gwely",
])
def test_the_welsh_loss_guard_reads_mutated_deaths(text):
    assert PHRASES.guard(text) == "loss", text


@pytest.mark.parametrize("text", [
    "Dw i'n mynd i ladd fy hun",  # "fy hun" is myself: never a loss
    "Mae fy ffrind yn mynd i ladd ei hun heno",  # a third party's risk now
    "bu bron i fi farw neithiwr, cymerais i'r tabledi i gyd",
])
def test_first_person_and_present_third_person_risk_stay_clear(text):
    assert tier(text) == "clear", text


# A set-aside covers only its own clause: the writer doing the same is a disclosure.
ECHO = [
    "my brother died of an overdose and I took one last night",
    "my brother died of an overdose in 2019 and I want to do the same",
    "Dad killed himself when I was 12 and I keep thinking about doing the same thing",
    "Buodd fy mrawd farw o orddos a cymerais i un neithiwr",
    "Nath fy mrawd ladd ei hun a dw i isio neud yr un peth",
]


@pytest.mark.parametrize("text", ECHO)
def test_a_disclosure_in_another_clause_than_a_set_aside_death_is_clear(text):
    assert tier(text) == "clear", text


@pytest.mark.parametrize("text", [
    "my brother died of an overdose and I took it very hard",
    "my mum died of an overdose and I did the same course she did, nursing",
    "Buodd fy mrawd farw o orddos a cymerais i amser i ffwrdd o'r gwaith",
])
def test_a_death_and_an_everyday_clause_stay_clear_of_the_crisis_reply(text):
    assert tier(text) != "clear", text


# Abuse told without an abuse verb: third parties at risk, coercive control.
ABUSE = [
    "the children across the road have been on their own since Friday",
    "the kids next door are home alone with no heating or lights, nobody's been there for days",
    "the little ones upstairs have been alone since last night",
    "the carers leave my dad in bed all day without a drink",
    "Mum hasn't been fed since yesterday, she's got pressure sores and nobody turns her",
    "a grown man keeps buying my 13 year old daughter vodka",
    "he bought her a secret phone and told her to keep it secret from her mum",
    "some older lads are making my son carry packages on the train to other towns",
    "I think my nephew is doing county lines",
    "if I go he'll find out and I'll pay for it when I get home",
    "I told the nurse I walked into a door but that's not what happened",
    "he makes me tell the doctor I fell",
    "mae'r plant drws nesa ar ben eu hunain ers ddoe heb wres na golau",
    "mae'r rhai bach ar eu pennau eu hunain ers dau ddiwrnod",
    "maen nhw'n gadael Dad yn y gwely drwy'r dydd heb ddiod",
    "mae Mam heb gael bwyd ers ddoe ac mae ganddi friwiau gwely",
    "mae dyn yn rhoi fodca i fy merch 13 oed",
    "wedi rhoi ffôn cyfrinachol iddi a deud wrthi am gadw'r peth yn gyfrinach rhag ei mam",
    "mae bechgyn hŷn yn gwneud i fy mab gario pecynnau ar y trên",
    "os a i mi ffeindith o allan a mi dala i amdano fo pan dw i adra",
    "dw i'n gorfod deud wrth y doctor mod i wedi syrthio",
]


@pytest.mark.parametrize("text", ABUSE)
def test_abuse_told_without_an_abuse_verb_is_clear(text):
    assert "abuse" in PHRASES.assess(text).clear, text


@pytest.mark.parametrize("text", [
    "the kids are home alone for ten minutes while I pop to the shop",
    "I left the kids on their own for five minutes while I nipped next door",
    "mae'r plant adre ar eu pennau eu hunain am ddeg munud tra dw i'n picio i'r siop",
    "my nan likes a lie-in, she stays in bed till eleven",
    "mae Nain yn hoffi aros yn y gwely tan un ar ddeg",
    "Mum has a pressure sore, the district nurse comes every day and it's healing",
    "my son carries packages for the post office on the train, he's a courier",
    "I'll pay for it when I get home, I forgot my purse",
    "talaf amdano fo pan dw i adra, anghofiais fy mhwrs",
    "my dad bought my son a phone for his birthday",
    "I told the doctor I fell on the ice and she sent me for an x-ray",
    "the kids have no heating since the boiler broke, the engineer comes Monday",
])
def test_everyday_near_misses_of_the_abuse_families_are_not_clear(text):
    assert tier(text) != "clear", text


def test_a_past_overdose_placed_long_ago_is_history_but_one_told_only_in_the_past_tense_is_not():
    # Immediate danger is history only when the clause is placed long ago, not merely past tense.
    assert tier("in my thirties I took a load of tablets, I'm much stronger now") == "possible"
    assert tier("I took a load of tablets an hour ago, I'm fine now") == "clear"
    assert tier("cymerais i'r tabledi i gyd gynnau ond dw i'n iawn nawr") == "clear"


def test_recovery_words_taken_by_an_older_set_aside_still_say_it_is_over():
    # "o'n i'n ... ond dw i'n iawn" is set aside by an older rule; the history reading still sees it.
    text = "Cymerais i orddos pan o'n i'n ddeunaw, ond dw i'n iawn ers blynyddoedd"
    assert tier(text) != "clear"
    assert PHRASES.guard(text) == "history"


@pytest.mark.parametrize("text", ["wnaeth o drio lladd ei hun neithiwr", "nath hi fygwth lladd ei hun"])
def test_a_third_persons_attempt_or_threat_is_not_read_as_loss(text):
    assert PHRASES.guard(text) != "loss", text
