"""Scenes of danger to someone else, suicide means, plans and goodbyes, and hidden self-harm.

A blind set found these kinds weak (docs/safety/screen-evaluation.md, "Scenes, means and hidden
harm"): a fall and no answer, gas and no answer, smoke with someone inside, a young child missing
after dark, dementia and wandering at night, someone on a bridge railing; tablets from several shops,
"so I don't wake up", a hose to the exhaust, settling affairs before a day, a final goodbye; marks
hidden under sleeves, a sharpener blade, a relapse, cuts getting deeper. Each rule is a general form
(phrases.yml, marked screen9), tested here in both languages with the ordinary message it must not
catch. Welsh needs review by a Welsh speaker.
"""
from __future__ import annotations

import pytest

from bot.risk_phrases import RiskPhrases

PHRASES = RiskPhrases.load("config/safeguarding/phrases.yml")

CLEAR = {
    "immediate_danger": [
        "my nan has fallen in the kitchen and she isn't moving",
        "Dad fell in the bathroom an hour ago and he's not answering me through the door",
        "the old man next door is lying at the bottom of his stairs and won't answer",
        "grandad had a fall in the garden, he's not talking and won't open his eyes",
        "I can smell gas from next door and she isn't answering the door",
        "strong smell of gas in the flats and the old lady on the ground floor won't answer",
        "there's smoke coming out of my neighbour's bedroom window and he's still inside",
        "the house opposite is on fire and the man upstairs can't get out",
        "my little boy went out on his bike and it's dark now and he's not home",
        "can't find my 4 year old anywhere, we've looked everywhere",
        "there's a toddler on his own by the main road and it's getting dark",
        "mum has dementia and she's gone out in her nightie, it's midnight and we can't find her",
        "my husband has alzheimers and he's wandered off in the dark",
        "there's a man standing on the railing of the bridge",
        'a lad is sitting on the edge of the roof of the multi storey',
        'someone has climbed over the barrier on the flyover',
        'mae nain wedi syrthio yn y gegin a dydy hi ddim yn symud',
        'mae mam-gu wedi cwympo ac mae hi ddim yn ateb',
        'mae Dad ar y llawr yn y bathrwm a dydy o ddim yn deffro',
        'ma ogla nwy drws nesa a dydy hi ddim yn ateb y drws',
        'mae gwynt nwy cryf yn y fflat lan stâr a does neb yn ateb',
        "mae mwg yn dod o dŷ'r cymydog ac mae e dal i mewn",
        "mae'r tŷ ar dân a mae'r hen ddyn methu dod allan",
        "mae'r hogyn bach heb ddod adra ac mae'n dywyll",
        'dwi methu ffeindio fy merch fach yn unman',
        "mae plentyn bach ar ei ben ei hun ar ochr y ffordd ac mae'n dywyll",
        'mae gan Mam dementia ac mae hi wedi crwydro allan yn ei gŵn nos ganol nos',
        "mae dyn yn sefyll ar reiliau'r bont",
        'mae hogyn yn eistedd ar ymyl y to',
        "there's smoke coming out of next door and the old man is still in bed",
        "mae mwg yn llenwi'r fflat ac mae Nain dal yn y gwely",
        'my 5 year old has gone missing at the beach',
        "dad's got dementia and he's walking along the bypass in the dark",
    ],
    "suicide": [
        "I've been buying paracetamol from different chemists all week so nobody notices",
        'got a packet of tablets from each shop in town',
        "I'm going to take all my sleeping tablets so I don't wake up",
        'took extra of my medicine tonight so as not to wake up',
        "I've got a hose for the car exhaust in the boot",
        "handed my notice in and cancelled the gym, I won't need any of it after Friday",
        "if I'm not at the group next week it's because I've gone",
        "thank you all for everything, this is goodbye, you won't see me again",
        "I've given my guitar and my books away, I won't be needing them after tonight",
        "dwi wedi bod yn prynu tabledi o siopau gwahanol drwy'r wythnos",
        'prynais i barasetamol mewn sawl fferyllfa heddiw',
        "dw i am gymryd fy nhabledi i gyd fel na fydda i'n deffro",
        "mae gen i beipen i'r egsost yn y garej",
        'dwi wedi rhoi fy notis i mewn a chanslo popeth, fydd dim angen dim byd ar ôl dydd Gwener',
        'os dw i ddim yn y grŵp wythnos nesa, mae achos dw i wedi mynd',
        'diolch i chi gyd am bopeth, hwyl fawr am byth',
        'bought a pack from every chemist in town',
        "I'll take them tonight and hopefully never wake up",
        'cancelled my direct debits, none of it matters after Sunday',
        "rhois i'r gitâr i ffwrdd a chanslo'r aelodaeth, fydd dim angen ar ôl nos Wener",
    ],
    "self_harm": [
        'I wear my hoodie all the time so nobody sees the marks on my arms',
        'hiding the cuts under long sleeves at school',
        'I took the blade out of a pencil sharpener',
        'I relapsed last night, cut again after 3 months clean',
        'the cuts are getting deeper every night',
        'I took a load of tablets not to die just to hurt myself',
        "dwi'n gwisgo hwdi trwy'r amser i guddio'r marciau ar fy mreichiau",
        "dw i'n cuddio'r creithiau o dan fy llewys",
        "tynnais i'r llafn allan o'r miniwr pensil",
        'dw i wedi ailddechrau torri ar ôl tri mis',
        "mae'r toriadau yn mynd yn ddyfnach bob nos",
        'cymerais i dabledi jyst i frifo fy hun',
        'I keep my jumper on at work so nobody sees the scars',
        'more cuts every night this week',
        "dw i'n cadw'r cardigan ymlaen rhag i neb weld y creithiau",
    ],
}

NOT_RISK = [
    "Mum had a fall yesterday but she's fine now, resting on the sofa",
    'we got a massive gas bill this month',
    'going to the bonfire on saturday with the grandkids',
    'my daughter is at a sleepover tonight',
    'the kids are out playing till tea',
    "I'm buying paracetamol for my cold",
    "I'm leaving my job for a new one, last day is Friday",
    'it was the last session of the course today so we all said goodbye and thanks',
    'I cut my finger chopping onions',
    "I wear a hoodie because it's cold in the flat",
    "mae'r gwynt yn oer heno",
    "cafodd Mam godwm ddoe ond mae hi'n iawn nawr, yn gorffwys",
    'cawson ni fil nwy mawr',
    "dan ni'n mynd i'r goelcerth nos Sadwrn",
    "mae'r plant yn chwarae tu allan tan amser te",
    "mae'r ferch yn aros dros nos efo ffrind",
    'prynais i barasetamol at annwyd',
    "dw i'n gadael fy swydd am swydd newydd ar ôl dydd Gwener",
    'diolch i bawb am y cwrs, hwyl fawr a welwn ni chi eto',
    'torrais i fy mys yn torri nionod',
    "dw i'n gwisgo hwdi achos mae'n oer",
    'my mum has dementia, we go for a walk in the park most afternoons',
    "the traffic on the bridge wasn't moving at all",
    'I love watching the smoke from the chimneys on a winter night',
    "I fell out with my sister and she's not answering my texts",
    'syrthiodd o i gysgu yn y gadair a dydy o ddim yn ateb y ffôn',
    "I'm starting a new job so I've cancelled the gym, won't need it after Friday",
    'rhoi fy notis i mewn, swydd newydd, fydd dim angen y car ar ôl dydd Gwener',
    'goodbye and thanks everyone, see you next term',
    'hwyl fawr a diolch, welwn ni chi tymor nesa',
    'sat on the bridge wall eating chips with the grandkids',
    "my son lost his phone and it's dark so he can't find it",
    "my daughter's phone went missing at school",
    'I wear long sleeves because of my eczema',
]


@pytest.mark.parametrize("category,text", [(c, t) for c, texts in CLEAR.items() for t in texts])
def test_the_scene_or_sign_is_clear_in_its_category(category, text):
    assert category in PHRASES.assess(text).clear, PHRASES.readings(text)


@pytest.mark.parametrize("text", NOT_RISK)
def test_the_ordinary_counterpart_is_not_risk(text):
    assert not PHRASES.assess(text), PHRASES.readings(text)


def test_one_sign_alone_stays_below_the_crisis_tier():
    # Settling affairs, or a day after which something is not needed, are each ordinary alone;
    # together (or with another warning sign) they are a plan.
    for text in ("I've cancelled the gym membership", "I won't need the car after Friday",
                 "dw i wedi canslo'r aelodaeth", "fydd dim angen y car ar ôl dydd Gwener"):
        assert "suicide" not in PHRASES.assess(text).clear, text


def test_not_waking_at_a_set_time_is_about_sleep():
    assert not PHRASES.assess("dw i'n cymryd tabled cysgu fel na fydda i'n deffro am bedwar bob bore")
    assert "suicide" in PHRASES.assess("dw i am gymryd y cwbl fel na fydda i'n deffro am byth").clear
