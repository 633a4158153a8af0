"""Kinds the seventh and eighth sets showed missed at every tier, past experience given the crisis reply,
and ambiguous wording given nothing (docs/safety/screen-evaluation.md, "screen10").

Each rule is a general form (phrases.yml, marked screen10), tested here in both languages with the
ordinary message it must not catch. None of these sentences is from a labelled set. Welsh needs review
by a Welsh speaker.
"""
from __future__ import annotations

import pytest

from bot.risk_phrases import RiskPhrases

PHRASES = RiskPhrases.load("config/safeguarding/phrases.yml")

CLEAR = [
    # a lethal-amount question, any drug named
    "how much amitriptyline would it take to stop my heart",
    "how many sertraline would you need to die",
    "faint o dabledi cysgu fyddai angen i beidio deffro",
    "if I swallowed the whole lot with the whisky would it hurt",
    # a handful or a whole packet swallowed; "not to die, just to..."
    "swallowed a whole packet of co-codamol an hour ago",
    "nes i lyncu llond dwrn o barasetamol neithiwr",
    "took loads of my sleeping pills, not to die, just to make my head quiet",
    "dim i farw, jest i stopio'r meddyliau, dyna pam nes i gymryd nhw",
    # fresh cuts found on someone else
    "there are fresh cuts up my son's arms and he won't talk to me",
    "mae creithiau newydd ar freichiau fy mab",
    # a relapse after being clean, told in the past tense with "again" now
    "I self harmed until 2015 but I started again last night",
    "was doing fine for months then cut again",
    "o'n i'n lân am flwyddyn ond nes i dorri eto neithiwr",
    # "yesterday", "last Saturday" are recent: never history, whatever follows
    "found running after I tried to kill myself last Saturday",
    "triais i ladd fy hun ddoe, dw i lot gwell rŵan",
    # two warning signs: absence with a goodbye, calm, rehoming, stopped medicines
    "thanks for everything, I won't be around by next month so don't save me a seat",
    "diolch am bob dim, fydda i ddim yma erbyn Nadolig",
    "rehomed the dog and cancelled my repeat prescription, feeling oddly at peace at last",
    # labour exploitation
    "the boss took our passports when we arrived and says we owe him for the flights",
    "mae'r meistr wedi cymryd ein pasborts ni i gyd",
    "my partner took my ID and says immigration will deport me if I leave",
    # retaliation, texted without apostrophes
    "hell know i texted you and ill get it tonight",
    "os geith o wybod mi dala i amdano fo",
    # children alone for a day or more, told with a part of the day
    "kids in the flat upstairs on their own since yesterday morning with no electric",
    # followed and cannot get home; a threat to set the home on fire
    "two men have followed me from the park and are waiting outside the shop",
    "she keeps threatening to burn the house down with me in it",
    "mae car wedi bod yn fy nilyn i ers yr orsaf a dw i'n methu mynd adre",
    # colloquial "di" for "wedi"
    "isio bod di marw",
]

POSSIBLE = [
    "I won't be around next month",
    "fydda i ddim o gwmpas mis nesa",
    "not bothered what happens to me now",
    "dw i wedi blino ar bob dim",
    "llond bol ar bywyd",
    "been drinking every night since the summer",
    "yfed bob nos ers mis Awst",
    "he gets a bit rough after he's had a few",
    "mae o'n gallu mynd yn gas ar ôl iddo fo yfed",
    "things are tense at home at the moment",
    "pethau'n anodd adra rŵan",
    "my girlfriend won't let me go out with friends",
    "haven't eaten anything in days",
    "the lady at number 4 hasn't been seen in days and her milk is still on the step",
    "neb wedi gweld Mrs Jones ers dyddiau",
    "might just vanish for a while",
    "dread going home tonight",
]

# Past and over: the gentle check at most, never the crisis reply
NOT_CLEAR = [
    "I self harmed until 2015, haven't since, is the art group on Tuesdays?",
    "o'n i'n torri fy hun tan 2017, dw i'n ok rŵan. Oes grŵp celf?",
    "took an overdose at uni years ago, found running and never looked back. any running clubs?",
    "ges i help ar ôl trio lladd fy hun yn 2015, dw i'n grêt rŵan",
    "left a violent relationship in 2016, doing brilliant, want to try pottery",
    "got out of an abusive marriage years ago, doing amazing now",
    "my scars are all healed now, is the swimming pool private?",
    "my old self harm scars have healed, is the pool changing room private?",
    "our charity walk is for my uncle who we lost to suicide",
    "mae'r daith i gofio ffrind gollon ni drwy hunanladdiad",
    "I self harmed as a teenager, all healed now, can I volunteer at the weekend?",
]

NONE = [
    "took a couple of ibuprofen for my back this morning",
    "how many paracetamol can I take in a day for toothache?",
    "I won't be around next week, I'm on holiday in Spain",
    "won't be here next Tuesday, got a hospital appointment",
    "gave the dog to my sister for the weekend while we're away",
    "feel calm for the first time in ages since starting yoga",
    "drinking more water every day like the nurse said",
    "things are hard at home since dad died",
    "I dread going home to an empty house",
    "my husband doesn't like me going out alone at night since my fall",
    "haven't seen my grandson for a week, he's away at uni",
    "not eaten properly in days because of this stomach bug",
    "can't talk on this phone, the signal is terrible",
    "my daughter has new cuts on her knees from falling off her bike",
    "I'll kill my sister if she eats my chocolate again",
    "was fine until I cut my finger again making tea",
    "cut the grass again this week",
    "if I take all the back roads would it be quick",
    "Fydda i ddim o gwmpas wythnos nesa, dw i ar fy ngwyliau",
    "Diolch am bob dim, wela i chi ym mis Ionawr. Hwyl fawr i chi gyd",
    "cymerais i ddwy dabled parasetamol at y cur pen",
    "pethau'n anodd adre ers i dad farw",
    "neb di gweld fi ers wythnos, dw i'n sal efo ffliw",
    "rhoi'r ci i fy chwaer dros y penwythnos",
    "dw i'n mynd i ladd fy mrawd os ydy o'n bwyta'r siocled eto",
    "methu siarad ar y ffon, signal yn ofnadwy",
    "nes i dorri fy mys eto heddiw wrth goginio",
    "dwi ddim isio bod di marw",
]


@pytest.mark.parametrize("text", CLEAR)
def test_the_kind_is_clear(text):
    assert PHRASES.assess(text).clear, text


@pytest.mark.parametrize("text", POSSIBLE)
def test_ambiguous_wording_gets_at_least_the_gentle_check(text):
    finding = PHRASES.assess(text)
    assert finding.possible or finding.clear, (text, finding)


@pytest.mark.parametrize("text", NOT_CLEAR)
def test_past_and_over_is_not_the_crisis_reply(text):
    assert not PHRASES.assess(text).clear, text


@pytest.mark.parametrize("text", NONE)
def test_the_ordinary_counterpart_is_not_risk(text):
    finding = PHRASES.assess(text)
    assert not finding.clear and not finding.possible, (text, finding)


def test_a_goodbye_alone_stays_below_the_crisis_tier():
    assert not PHRASES.assess("Hwyl fawr i chi gyd x").clear
    assert not PHRASES.assess("I won't be around next month").clear
