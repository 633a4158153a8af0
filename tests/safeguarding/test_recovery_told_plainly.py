"""Past experience told with a plain word that it is over (the tenth set's kinds, session 26):
well, sober, clean or free for years ("iach a sobr ers deng mlynedd"), free or in work now ("dwi'n
rhydd nawr", "dwi'n nyrs rŵan"), help had ("ges i help"), "never felt better", something that "saved
me"; southern "odd" and an ex-partner as past; "o'n i isio marw" (I wanted to die) as past, not a
present wish. Such a message gets the gentle check, not the crisis reply; the same words beside a
present harm leave it clear. Also "cut myself some slack", and learning first aid for an overdose,
which are not risk. Sentences are the lead's own, not a labelled set's; Welsh needs review.
"""
from __future__ import annotations

import pytest

from bot.risk_phrases import RiskPhrases

PHRASES = RiskPhrases.load("config/safeguarding/phrases.yml")


@pytest.mark.parametrize("text", [
    "took an overdose when I was at college, never felt happier than I do now",
    "I used to hurt myself but running honestly saved me",
    "ro'n i'n arfer torri fy hun, ond ges i help a dwi'n nyrs rŵan",
    "odd fy nghyn-bartner yn fy nharo i, ond dwi'n rhydd nawr",
    "roeddwn i eisiau marw ar ôl yr ysgariad, ond mae hynny flynyddoedd yn ôl a dw i'n hapus nawr",
    "nes i drio lladd fy hun yn fy arddegau, dwi'n iach a sobr ers deng mlynedd",
])
def test_past_harm_told_as_over_is_a_gentle_check_at_most(text):
    finding = PHRASES.assess(text)
    assert not finding.clear, (text, finding)


@pytest.mark.parametrize("text", [
    "o'n i'n lân ers 3 blynedd ond dwi wedi torri eto neithiwr",
    "the group saved me before but now I want to die again",
    "dwi'n athrawes ond dwi isio marw heno",
    "odd e'n fy nharo i ddoe",
    "o'n i isio marw neithiwr",
    "I tried to kill myself last month, nobody saved me, I'm going to try again",
    "dwi di bod yn sobr ers 3 blynedd ond dwi'n meddwl am ladd fy hun heno",
    "fy nghyn-wr yn fy mygwth i neithiwr, mae e tu allan i'r tŷ nawr",
])
def test_the_same_words_beside_a_present_harm_stay_clear(text):
    assert PHRASES.assess(text).clear, text


@pytest.mark.parametrize("text", [
    "I've never felt better, want to join the walking group",
    "the group saved me a seat, see you thursday",
    "dwi'n athrawes rŵan, isio ymuno a'r côr",
    "odd e'n bwrw glaw trwy'r dydd",
    "ges i help gan y meddyg am fy nghefn",
])
def test_the_words_alone_are_not_risk(text):
    finding = PHRASES.assess(text)
    assert not finding.clear and not finding.possible, (text, finding)


@pytest.mark.parametrize("text", [
    "going to cut myself some slack and skip the gym tonight",
    "our mental health first aid workshop covered how to respond to an overdose",
    "nes i gwrs cymorth cyntaf yn y gwaith, dysgu beth i wneud efo gorddos",
])
def test_an_idiom_or_first_aid_learning_is_not_risk(text):
    assert not PHRASES.assess(text).clear, text


@pytest.mark.parametrize("text", [
    "cut myself some slack and then cut myself with a razor",
    "did a first aid course last year but tonight I took an overdose",
    "nes i gwrs cymorth cyntaf llynedd ond dwi newydd gymryd gorddos heno",
])
def test_a_harm_beside_the_idiom_or_the_course_stays_clear(text):
    assert PHRASES.assess(text).clear, text
