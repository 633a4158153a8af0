"""Kinds the ninth set showed wrong after screen10 (docs/safety/screen-evaluation.md, "screen11"):
an overdose told as a number of tablets, a height with no wish to come down, a self-harm relapse,
finishing affairs, hidden abuse; past and recovered experience told with a "now" in the recovery
clause, a pet's overdose, a death by suicide told as loss, an older person's loneliness, idioms; and
ambiguous wording that needs the gentle check.

Each rule is a general form (phrases.yml, marked screen11), tested in both languages with the
ordinary message it must not catch. None of these sentences is from a labelled set. Welsh (north and
south, with and without diacritics) needs review by a Welsh speaker.
"""
from __future__ import annotations

import pytest

from bot.risk_phrases import RiskPhrases

PHRASES = RiskPhrases.load("config/safeguarding/phrases.yml")

CLEAR = [
    # an overdose already taken: a number of tablets (ten or more of a named medicine), or all of one
    "swallowed about 30 paracetamol at teatime and my ears are ringing",
    "I've taken twenty of my sleeping tablets, the whole box nearly",
    "took 16 sertraline twenty minutes back",
    "necked all the co-codamol in the drawer half an hour back",
    "dw i newydd lyncu 25 o dabledi parasetamol",
    "Wedi cymryd tua deg ar hugain o dabledi cysgu heno",
    "nes i gymryd yr holl co-codamol oedd yn y cwpwrdd",
    "fi di llyncu 40 o ibuprofen, teimlo'n od",
    # at a height, not wanting to come down
    "stood on the edge of the cliff path at the quarry, not going back down this time",
    "sat on top of the car park roof and I don't want to come down",
    "dw i ar ben y bont a dwi ddim isio dod lawr",
    "ar ymyl y clogwyn, sa i moyn dod nôl lawr",
    # a relapse of self-harm, reopening cuts, "doing it every night" about the marks
    "three months clean and I did it again last night after the row",
    "can't stop reopening the cuts on my thigh every night",
    "the cuts are why I wear long sleeves. I do it every night now",
    "dw i methu peidio agor y briwiau eto, bob nos",
    "sa i'n newid o flaen neb achos y toriade. fi'n neud e bob nos",
    "pum mis yn lân a nes i neud e eto heno",
    # marks seen on someone else: neat straight lines
    "my grandson had neat straight lines on his forearm, some fresh, some scars",
    "gwelais farciau ar goes fy wyres, llinellau bach syth",
    # finishing affairs with an absence
    "sorted my will and planned my funeral, and who gets the dog. I won't be here by Friday",
    "trefnu'r ewyllys a'r angladd, pwy sy'n cael y ci. sai'n credu bydda i 'ma dydd Gwener",
    # someone whispering for help; bruises on the neck again; appointments hidden from him
    "a girl in the nail bar mouthed help me when the older man went outside",
    "nath y ferch sibrwd 'helpwch fi' pan aeth y dyn allan",
    "marks round my neck again, had to cancel the doctor in case he found out",
    "cleisiau ar fy ngwddw eto, canslo'r apwyntiad rhag ofn iddo holi",
    # a "now" with a risk verb still overrides the past
    "I overdosed at 19. I'm 45 now and I did it again last night",
    "I tried to kill myself in 2015, I'm doing it again now",
    "Nes i drio lladd fy hun yn 2010 a dwi'n meddwl am neud eto nawr",
    "I self harmed as a teen, I'm fine now but I cut again tonight",
    # a pet's overdose does not cover the writer's own
    "My dog ate chocolate, the vet says overdose, and I want to take an overdose too",
    # control without the legs or the weather
    "he won't let me go out and takes my phone",
    "dyw e ddim yn gadael i fi fynd allan",
]

POSSIBLE = [
    "the old feelings are creeping back",
    "ma'r hen deimlade wedi dod yn ôl",
    "mae'r hen deimladau di dod nol eto",
    "why bother",
    "be di'r pwynt",
    "my kids deserve better than me",
    "mae'r plant yn haeddu gwell na fi",
    "sometimes I wonder if anybody would even notice if I was gone",
    "dw i'n meddwl weithiau a fyddai rhywun yn gweld fy eisiau",
    "it all seems a bit pointless these days",
    "mae popeth yn teimlo braidd yn ddibwrpas",
    "I don't always feel safe at home",
    "dw i ddim wastad yn teimlo'n saff",
    "my husband checks every penny I spend",
    "mae'r gŵr yn checio bob ceiniog",
]

NOT_CLEAR = [
    # past and recovered, the "now" in the recovery clause
    "I took an overdose at 22. I'm 50 now and a grandad",
    "tried to end my life in 2008, I'm married now with a little boy and I do parkrun",
    "had suicidal thoughts after the divorce but they've passed. I'd like to try the choir",
    "cut myself all through my teens, not done it for 9 years",
    "my first partner beat me but I've been free of him for 15 years",
    "I was abused as a child, saw a therapist for years and I'm ready for a group now",
    "Nes i orddos yn 20 oed. Dwi'n 52 rŵan ac yn nain",
    "Triais i ladd fy hun yn 2012, fi'n briod nawr a ma 'da fi ddau o blant",
    "ro'n i'n meddwl am farw ar ôl colli'r swydd, ond maen nhw wedi mynd rŵan",
    "nath y gwr cynta fy nharo i, ond dwi di bod yn rhydd ohono fo ers 12 mlynedd",
    # a pet's overdose with the vet, a death by suicide told with the coroner, loneliness, idioms
    "the cat got into the ibuprofen, vet said it was poisoning but she's fine",
    "ci ni di bwyta siocled, y milfeddyg yn deud ei fod yn wenwyn, mae o'n iawn rwan",
    "The inquest said it was suicide. I'm so angry with her for going, is that normal?",
    "Hunanladdiad oedd e, meddai'r cwest. Fi'n grac gyda fe o hyd",
    "nobody pops in any more, I'm 81 and my knees won't let me out much",
    "does neb yn galw, dwi'n 80 a dydi nghoesau i ddim yn gadael i mi fynd allan",
    "this traffic is enough to make anyone want to jump off a bridge",
    "at the top of the tower at the castle, don't want to come down, the view is stunning",
    "ar ben y clogwyn efo'r plant, golygfa hyfryd, dim isio dod lawr!",
    "6 weeks clean then I had a drink again at the wedding",
    "can't stop scratching my eczema at night",
]

NONE = [
    "took 2 paracetamol for a headache, still a bit groggy",
    "I take 12 tablets a day for my heart and sugar, is that a lot?",
    "cymerais i ddwy dabled parasetamol at y cur pen",
    "dw i'n cymryd 10 tabled y dydd ers y strôc",
    "I paint straight lines on the fence every day, it's relaxing",
    "made a will today, the solicitor says everyone over 60 should",
    "Wedi gwneud ewyllys gyda'r cyfreithiwr heddiw",
    "had to cancel my appointment because the bus didn't come",
    "I'm 45 now and want to learn Welsh",
    "ready to join a group now",
    "Dwi'n 45 rŵan ac isio dysgu Cymraeg",
    "I don't feel safe walking home in the dark",
    "that meeting was pointless, why do they bother",
    "I'm watching every penny with the prices",
    "fell on the stairs yesterday, the vet visit for the dog is tomorrow",
]


@pytest.mark.parametrize("text", CLEAR)
def test_the_kind_is_clear(text):
    assert PHRASES.assess(text).clear, text


@pytest.mark.parametrize("text", POSSIBLE)
def test_ambiguous_wording_gets_the_gentle_check(text):
    finding = PHRASES.assess(text)
    assert finding.possible and not finding.clear, text


@pytest.mark.parametrize("text", NOT_CLEAR)
def test_past_loss_pets_and_idioms_are_not_the_crisis_reply(text):
    assert not PHRASES.assess(text).clear, text


@pytest.mark.parametrize("text", NONE)
def test_the_ordinary_counterpart_is_not_risk(text):
    finding = PHRASES.assess(text)
    assert not finding.clear and not finding.possible, text


@pytest.mark.parametrize("text", [
    "I tried to end it in 2016 but I'm doing well these days",
    "o'n i'n arfer torri fy hun ond dw i'n iawn y dyddiau yma",
])
def test_a_now_word_in_the_recovery_clause_does_not_undo_the_past(text):
    assert PHRASES.guard(text) == "history", text


@pytest.mark.parametrize("text", [
    "I tried to end it in 2016, I'm doing well but I cut again these days",
    "o'n i'n arfer torri fy hun, dw i'n iawn y dyddiau yma ond dw i'n torri eto heddiw",
])
def test_a_now_word_outside_the_recovery_clause_still_counts(text):
    assert PHRASES.guard(text) != "history", text


@pytest.mark.parametrize("text", [
    "haven't eaten in three days, it's my punishment",
    "heb fwyta ers tridie, cosb ydi o a dw i'n haeddu fo",
])
def test_starving_as_a_punishment_is_self_harm(text):
    assert "self_harm" in PHRASES.assess(text).clear, text


@pytest.mark.parametrize("text", [
    "skipping meals to save money, I deserve a treat though",
    "not eaten since the op, the nurse says it's normal",
    "dim wedi bwyta ers y llawdriniaeth, mae'r nyrs yn deud bod hynny'n iawn",
])
def test_not_eating_for_an_ordinary_reason_is_not_self_harm(text):
    assert "self_harm" not in PHRASES.assess(text).clear, text


@pytest.mark.parametrize("text,clear", [
    ("thanks for putting up with me, this is the last message I'll send x", True),
    ("diolch am fod yn ffeind efo fi. dyma'r tro ola i mi decstio x", True),
    ("thanks for the lifts, this is the last time I'll text before my holiday", False),
    ("diolch am y gwersi, dyma'r tro olaf i mi ddod cyn y gwyliau", False),
])
def test_a_final_thank_you_message(text, clear):
    assert bool(PHRASES.assess(text).clear) is clear, text
