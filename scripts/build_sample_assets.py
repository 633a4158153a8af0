"""Writes config/assets/sample_directory.json: the SAMPLE community asset directory (fictional groups).

Run `python scripts/build_sample_assets.py` after changing the table below. The groups are made up
for trying the bot; places and postcodes are real (OS Open Names, ONS postcode centroids).
"""
from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import config_path  # noqa: E402
from storage.places import POSTCODES_FILE, default_gazetteer  # noqa: E402

OUT = config_path("assets", "sample_directory.json")

REGION = {
    "Wrexham": "north", "Bangor": "north", "Llandudno": "north", "Caernarfon": "north", "Rhyl": "north",
    "Mold": "north", "Holyhead": "north", "Denbigh": "north", "Bala": "north", "Pwllheli": "north",
    "Aberystwyth": "mid", "Newtown": "mid", "Llandrindod Wells": "mid", "Welshpool": "mid",
    "Machynlleth": "mid", "Brecon": "mid", "Builth Wells": "mid",
    "Carmarthen": "west", "Haverfordwest": "west", "Cardigan": "west", "Lampeter": "west",
    "Fishguard": "west", "Tenby": "west",
    "Swansea": "south-west", "Llanelli": "south-west", "Neath": "south-west", "Port Talbot": "south-west",
    "Bridgend": "south-west",
    "Cardiff": "south-east", "Newport": "south-east", "Pontypridd": "south-east",
    "Merthyr Tydfil": "south-east", "Caerphilly": "south-east", "Abergavenny": "south-east", "Barry": "south-east",
}

DAY_CY = {"MO": "Dydd Llun", "TU": "Dydd Mawrth", "WE": "Dydd Mercher", "TH": "Dydd Iau", "FR": "Dydd Gwener",
          "SA": "Dydd Sadwrn", "SU": "Dydd Sul"}
DAY_EN = {"MO": "Mondays", "TU": "Tuesdays", "WE": "Wednesdays", "TH": "Thursdays", "FR": "Fridays",
          "SA": "Saturdays", "SU": "Sundays"}

# slug, town, categories, name (en, cy), description (en, cy), languages, cost £, days, opens, closes,
# setting, wheelchair, ages (min, max), organisation type
A = [
    ("wrexham-walking", "Wrexham", "physical_activity green older_people",
     "Wrexham Wellbeing Walks", "Teithiau Llesiant Wrecsam",
     "Gentle one-hour walks around Acton Park with a trained walk leader. All paces welcome.",
     "Teithiau cerdded hamddenol awr o hyd o gwmpas Parc Acton gydag arweinydd hyfforddedig. Croeso i bob cyflymder.",
     "en cy", 0, "TU", "10:00", "11:00", "outdoors", True, 18, None, "voluntary_sector"),
    ("wrexham-choir", "Wrexham", "creative social",
     "Wrexham Community Choir", "Côr Cymunedol Wrecsam",
     "A friendly choir for everyone, no auditions and no need to read music.",
     "Côr cyfeillgar i bawb, dim clyweliadau a dim angen darllen cerddoriaeth.",
     "en cy", 3, "WE", "19:00", "20:30", "indoors", True, 16, None, "community_group"),
    ("wrexham-money", "Wrexham", "money_advice",
     "Money Matters Drop-in", "Galw Heibio Materion Arian",
     "Free, confidential help with benefits, debts and energy bills.",
     "Cymorth am ddim a chyfrinachol gyda budd-daliadau, dyledion a biliau ynni.",
     "en cy", 0, "MO TH", "09:30", "12:30", "indoors", True, 18, None, "voluntary_sector"),
    ("bangor-cor", "Bangor", "creative social",
     "Bangor Welsh Singing Circle", "Cylch Canu Bangor",
     "Sing Welsh songs and hymns together over a cuppa. Learners welcome.",
     "Canu caneuon ac emynau Cymraeg gyda'n gilydd dros baned. Croeso i ddysgwyr.",
     "cy", 0, "TH", "14:00", "15:30", "indoors", True, 18, None, "community_group"),
    ("bangor-garden", "Bangor", "green volunteering",
     "Bangor Community Garden", "Gardd Gymunedol Bangor",
     "Grow vegetables and flowers with others on our community plot. Tools provided.",
     "Tyfu llysiau a blodau gydag eraill ar ein llain gymunedol. Offer ar gael.",
     "cy en", 0, "SA", "10:00", "13:00", "outdoors", False, 16, None, "voluntary_sector"),
    ("bangor-carers", "Bangor", "carers social",
     "Gwynedd Carers' Café", "Caffi Gofalwyr Gwynedd",
     "A relaxed café for unpaid carers to meet, share and get advice.",
     "Caffi hamddenol i ofalwyr di-dâl gwrdd, rhannu profiadau a chael cyngor.",
     "cy en", 0, "FR", "10:30", "12:00", "indoors", True, 18, None, "voluntary_sector"),
    ("llandudno-cor", "Llandudno", "creative social older_people",
     "Llandudno Male Voice Choir Open Practice", "Ymarfer Agored Côr Meibion Llandudno",
     "Come and sing with us on the promenade's community hall. Tenors especially welcome!",
     "Dewch i ganu gyda ni yn neuadd gymunedol y prom. Croeso arbennig i denoriaid!",
     "cy en", 0, "MO", "19:30", "21:00", "indoors", True, 16, None, "community_group"),
    ("llandudno-sea", "Llandudno", "blue physical_activity",
     "North Shore Sea Swimmers", "Nofwyr Môr y Traeth Gogleddol",
     "Year-round sea swimming and dipping in a supportive group. Safety briefing every session.",
     "Nofio a throchi yn y môr drwy'r flwyddyn mewn grŵp cefnogol. Sgwrs ddiogelwch bob tro.",
     "en", 0, "SA SU", "08:00", "09:00", "outdoors", False, 18, None, "community_group"),
    ("llandudno-coffee", "Llandudno", "social older_people",
     "Llandudno Coffee Morning", "Bore Coffi Llandudno",
     "Tea, coffee, cake and a chat every Wednesday morning at the church hall.",
     "Te, coffi, cacen a sgwrs bob bore Mercher yn neuadd yr eglwys.",
     "en cy", 1.5, "WE", "10:00", "12:00", "indoors", True, None, None, "community_group"),
    ("caernarfon-shed", "Caernarfon", "social learning_skills volunteering",
     "Caernarfon Men's Shed", "Sied Dynion Caernarfon",
     "Woodwork, repairs and good company. Open to all men (and women on Fridays).",
     "Gwaith coed, trwsio a chwmni da. Yn agored i bob dyn (a merched ar ddydd Gwener).",
     "cy", 0, "TU FR", "10:00", "15:00", "indoors", True, 18, None, "community_group"),
    ("caernarfon-paned", "Caernarfon", "social older_people",
     "Paned a Sgwrs Caernarfon", "Paned a Sgwrs Caernarfon",
     "A Welsh-language chat group for older people at the library.",
     "Grŵp sgwrsio Cymraeg i bobl hŷn yn y llyfrgell.",
     "cy", 0, "TH", "10:00", "11:30", "indoors", True, 60, None, "statutory"),
    ("rhyl-play", "Rhyl", "children_families",
     "Rhyl Family Play Sessions", "Sesiynau Chwarae Teulu y Rhyl",
     "Free messy play and stories for children under five and their grown-ups.",
     "Chwarae blêr a straeon am ddim i blant dan bump a'u hoedolion.",
     "en cy", 0, "MO WE", "09:30", "11:00", "indoors", True, 0, 5, "statutory"),
    ("rhyl-beach", "Rhyl", "blue volunteering green",
     "Rhyl Beach Clean", "Glanhau Traeth y Rhyl",
     "Help keep our beach clean. Litter pickers and gloves provided.",
     "Helpwch i gadw'n traeth yn lân. Codwyr sbwriel a menig ar gael.",
     "en", 0, "SU", "10:00", "12:00", "outdoors", False, 8, None, "voluntary_sector"),
    ("mold-art", "Mold", "creative mental_wellbeing",
     "Art for Wellbeing Mold", "Celf er Lles yr Wyddgrug",
     "Relaxed painting and drawing sessions led by a local artist. Materials included.",
     "Sesiynau paentio a darlunio hamddenol gydag artist lleol. Deunyddiau wedi'u cynnwys.",
     "en", 4, "TU", "13:30", "15:30", "indoors", True, 18, None, "voluntary_sector"),
    ("mold-walking-football", "Mold", "physical_activity older_people",
     "Walking Football Mold", "Pêl-droed Cerdded yr Wyddgrug",
     "Football at walking pace for over-50s. No running, lots of laughs.",
     "Pêl-droed ar gyflymder cerdded i bobl dros 50. Dim rhedeg, llawer o chwerthin.",
     "en cy", 2, "TH", "11:00", "12:00", "indoors", True, 50, None, "community_group"),
    ("holyhead-tai-chi", "Holyhead", "physical_activity older_people",
     "Tai Chi by the Harbour", "Tai Chi ger yr Harbwr",
     "Gentle tai chi for balance and calm, chairs available.",
     "Tai chi ysgafn ar gyfer cydbwysedd a thawelwch, cadeiriau ar gael.",
     "cy en", 0, "WE", "10:00", "11:00", "indoors", True, 18, None, "statutory"),
    ("holyhead-coast", "Holyhead", "green blue physical_activity",
     "Holy Island Coastal Walkers", "Cerddwyr Arfordir Ynys Cybi",
     "Guided walks along the Anglesey Coastal Path, about five miles.",
     "Teithiau tywys ar hyd Llwybr Arfordir Môn, tua phum milltir.",
     "cy en", 0, "SA", "09:30", "13:00", "outdoors", False, 16, None, "community_group"),
    ("denbigh-knit", "Denbigh", "creative social older_people",
     "Denbigh Knit and Natter", "Gwau a Sgwrs Dinbych",
     "Bring your knitting or crochet, or learn from scratch. Wool provided.",
     "Dewch â'ch gwau neu'ch crosio, neu dysgwch o'r dechrau. Gwlân ar gael.",
     "cy en", 0, "TU", "14:00", "16:00", "indoors", True, None, None, "community_group"),
    ("bala-lake", "Bala", "blue green physical_activity",
     "Llyn Tegid Paddle Club", "Clwb Padlo Llyn Tegid",
     "Try paddleboarding and canoeing on the lake with qualified instructors.",
     "Rhowch gynnig ar badlfyrddio a chanŵio ar y llyn gyda hyfforddwyr cymwys.",
     "cy", 8, "SA", "10:00", "12:00", "outdoors", False, 12, None, "community_group"),
    ("pwllheli-youth", "Pwllheli", "children_families learning_skills",
     "Pwllheli Homework and Games Club", "Clwb Gwaith Cartref a Gemau Pwllheli",
     "After-school club for 8 to 14 year olds with snacks, help and games.",
     "Clwb ar ôl ysgol i blant 8 i 14 oed gyda byrbrydau, cymorth a gemau.",
     "cy", 0, "TU TH", "15:30", "17:30", "indoors", True, 8, 14, "voluntary_sector"),
    ("aber-cor", "Aberystwyth", "creative social",
     "Aberystwyth Community Choir", "Côr Cymunedol Aberystwyth",
     "An open choir singing in Welsh and English. Everyone welcome, no experience needed.",
     "Côr agored sy'n canu yn Gymraeg ac yn Saesneg. Croeso i bawb, dim angen profiad.",
     "cy en", 0, "MO", "19:00", "20:30", "indoors", True, 16, None, "community_group"),
    ("aber-sea", "Aberystwyth", "blue physical_activity",
     "Aber Sea Dippers", "Trochwyr Môr Aber",
     "A short, sociable dip in Cardigan Bay at sunrise. Bring a warm drink.",
     "Trochiad byr, cymdeithasol ym Mae Ceredigion ar doriad gwawr. Dewch â diod gynnes.",
     "cy en", 0, "SA", "07:30", "08:30", "outdoors", False, 18, None, "community_group"),
    ("aber-learn", "Aberystwyth", "learning_skills",
     "Digital Skills Drop-in", "Sesiwn Galw Heibio Sgiliau Digidol",
     "Help with phones, tablets, email and online forms at the library.",
     "Help gyda ffonau, tabledi, e-bost a ffurflenni ar-lein yn y llyfrgell.",
     "cy en", 0, "WE", "14:00", "16:00", "indoors", True, 16, None, "statutory"),
    ("newtown-walk", "Newtown", "physical_activity green",
     "Newtown Riverside Walks", "Teithiau Glan yr Afon y Drenewydd",
     "Flat, easy walks along the Severn. Meet at the library.",
     "Teithiau gwastad, hawdd ar hyd afon Hafren. Cwrdd wrth y llyfrgell.",
     "en", 0, "TH", "10:30", "11:30", "outdoors", True, 18, None, "voluntary_sector"),
    ("newtown-money", "Newtown", "money_advice",
     "Powys Benefits Advice Clinic", "Clinig Cyngor Budd-daliadau Powys",
     "Book a free appointment for advice on benefits, grants and budgeting.",
     "Trefnwch apwyntiad am ddim am gyngor ar fudd-daliadau, grantiau a chyllidebu.",
     "en cy", 0, "TU", "09:00", "16:00", "indoors", True, 18, None, "voluntary_sector"),
    ("llandrindod-bowls", "Llandrindod Wells", "physical_activity older_people social",
     "Llandrindod Short Mat Bowls", "Bowlio Mat Byr Llandrindod",
     "Indoor short mat bowls, all equipment provided, beginners welcome.",
     "Bowlio mat byr dan do, yr holl offer ar gael, croeso i ddechreuwyr.",
     "en", 2, "FR", "14:00", "16:00", "indoors", True, None, None, "community_group"),
    ("welshpool-gardening", "Welshpool", "green mental_wellbeing",
     "Welshpool Therapeutic Gardening", "Garddio Therapiwtig y Trallwng",
     "Calm, supported gardening sessions in a walled garden, for people with low mood or anxiety.",
     "Sesiynau garddio tawel, â chefnogaeth, mewn gardd furiog, i bobl â hwyliau isel neu orbryder.",
     "en", 0, "WE", "10:00", "13:00", "outdoors", True, 18, None, "voluntary_sector"),
    ("mach-volunteer", "Machynlleth", "volunteering green",
     "Dyfi Tree Planting Volunteers", "Gwirfoddolwyr Plannu Coed Dyfi",
     "Plant and care for native woodland in the Dyfi valley. Lifts can be arranged.",
     "Plannu a gofalu am goetir brodorol yn Nyffryn Dyfi. Gellir trefnu lifftiau.",
     "cy en", 0, "SA", "10:00", "15:00", "outdoors", False, 16, None, "voluntary_sector"),
    ("brecon-walk", "Brecon", "green physical_activity",
     "Brecon Beacons Wellbeing Walks", "Teithiau Llesiant Bannau Brycheiniog",
     "Moderate hill walks in the Bannau with a ranger. Boots needed.",
     "Teithiau bryniog cymedrol yn y Bannau gyda warden. Angen esgidiau cerdded.",
     "en cy", 0, "SU", "10:00", "14:00", "outdoors", False, 16, None, "statutory"),
    ("brecon-carers", "Brecon", "carers",
     "Brecon Young Carers Club", "Clwb Gofalwyr Ifanc Aberhonddu",
     "A break and a bit of fun for young carers aged 8 to 17.",
     "Seibiant a thipyn o hwyl i ofalwyr ifanc 8 i 17 oed.",
     "en cy", 0, "WE", "16:00", "18:00", "indoors", True, 8, 17, "voluntary_sector"),
    ("builth-memory", "Builth Wells", "older_people social",
     "Builth Memory Café", "Caffi Cof Llanfair-ym-Muallt",
     "A welcoming café for people living with dementia and those who care for them.",
     "Caffi croesawgar i bobl sy'n byw gyda dementia a'r rhai sy'n gofalu amdanynt.",
     "en cy", 0, "MO", "14:00", "16:00", "indoors", True, None, None, "voluntary_sector"),
    ("carmarthen-cor", "Carmarthen", "creative social",
     "Côr Hwyl Caerfyrddin", "Côr Hwyl Caerfyrddin",
     "A fun Welsh-language choir, pop songs to hymns. Learners very welcome.",
     "Côr Cymraeg llawn hwyl, o ganeuon pop i emynau. Croeso mawr i ddysgwyr.",
     "cy", 2, "TH", "19:00", "20:30", "indoors", True, 16, None, "community_group"),
    ("carmarthen-park", "Carmarthen", "physical_activity social",
     "Carmarthen parkrun Walk Team", "Tîm Cerdded parkrun Caerfyrddin",
     "Walk the 5k with our friendly walk team every Saturday.",
     "Cerddwch y 5k gyda'n tîm cerdded cyfeillgar bob dydd Sadwrn.",
     "en cy", 0, "SA", "09:00", "10:00", "outdoors", True, 11, None, "community_group"),
    ("carmarthen-money", "Carmarthen", "money_advice carers",
     "Carers' Money Advice", "Cyngor Ariannol i Ofalwyr",
     "Help for carers with Carer's Allowance, grants and bills.",
     "Help i ofalwyr gyda Lwfans Gofalwr, grantiau a biliau.",
     "cy en", 0, "FR", "10:00", "13:00", "indoors", True, 18, None, "voluntary_sector"),
    ("haverfordwest-shed", "Haverfordwest", "social learning_skills",
     "Haverfordwest Men's Shed", "Sied Dynion Hwlffordd",
     "Make, mend and chat in a well-equipped workshop.",
     "Creu, trwsio a sgwrsio mewn gweithdy llawn offer.",
     "en", 0, "MO WE", "10:00", "14:00", "indoors", True, 18, None, "community_group"),
    ("haverfordwest-parents", "Haverfordwest", "children_families social",
     "Pembrokeshire Parent and Baby Group", "Grŵp Rhieni a Babanod Sir Benfro",
     "Meet other parents, with songs and rhymes for babies up to 18 months.",
     "Cwrdd â rhieni eraill, gyda chaneuon a rhigymau i fabanod hyd at 18 mis.",
     "en cy", 0, "TH", "10:00", "11:30", "indoors", True, 0, 2, "statutory"),
    ("cardigan-coast", "Cardigan", "blue green physical_activity",
     "Cardigan Bay Coastal Path Walks", "Teithiau Llwybr Arfordir Bae Ceredigion",
     "Coastal walks with dolphins if you are lucky. Moderate fitness needed.",
     "Teithiau arfordirol gyda dolffiniaid os ydych yn lwcus. Angen ffitrwydd cymedrol.",
     "cy en", 0, "WE", "10:00", "13:00", "outdoors", False, 16, None, "community_group"),
    ("cardigan-craft", "Cardigan", "creative older_people",
     "Teifi Crafts Circle", "Cylch Crefftau Teifi",
     "Weaving, felting and sewing together in Welsh.",
     "Gwehyddu, ffeltio a gwnïo gyda'n gilydd yn Gymraeg.",
     "cy", 1, "TU", "13:00", "15:00", "indoors", True, None, None, "community_group"),
    ("lampeter-learn", "Lampeter", "learning_skills",
     "Learn Welsh Over Coffee", "Dysgu Cymraeg dros Goffi",
     "An informal conversation group for Welsh learners of every level.",
     "Grŵp sgwrsio anffurfiol i ddysgwyr Cymraeg o bob lefel.",
     "cy en", 0, "MO", "11:00", "12:00", "indoors", True, 16, None, "community_group"),
    ("fishguard-swim", "Fishguard", "blue",
     "Fishguard Bluetits Chill Swimmers", "Nofwyr Oer Abergwaun",
     "A welcoming cold water swimming group at Goodwick beach.",
     "Grŵp nofio dŵr oer croesawgar ar draeth Wdig.",
     "en", 0, "SU", "09:00", "10:00", "outdoors", False, 18, None, "community_group"),
    ("tenby-volunteer", "Tenby", "volunteering social",
     "Tenby Lifeboat Shop Volunteers", "Gwirfoddolwyr Siop Bad Achub Dinbych-y-Pysgod",
     "Volunteer a few hours a week in our charity shop. Training given.",
     "Gwirfoddolwch ychydig oriau'r wythnos yn ein siop elusen. Hyfforddiant ar gael.",
     "en", 0, "MO TU WE TH FR", "10:00", "16:00", "indoors", True, 16, None, "voluntary_sector"),
    ("swansea-walk", "Swansea", "physical_activity green social",
     "Swansea Bay Walking Group", "Grŵp Cerdded Bae Abertawe",
     "Sociable walks along the seafront to Mumbles, then coffee.",
     "Teithiau cymdeithasol ar hyd glan y môr i'r Mwmbwls, wedyn coffi.",
     "en", 0, "TU", "10:00", "12:00", "outdoors", True, 18, None, "community_group"),
    ("swansea-cor", "Swansea", "creative social",
     "Côr Cymraeg Abertawe", "Côr Cymraeg Abertawe",
     "A Welsh-language community choir in the city centre.",
     "Côr cymunedol Cymraeg yng nghanol y ddinas.",
     "cy", 2, "TU", "19:00", "21:00", "indoors", True, 16, None, "community_group"),
    ("swansea-money", "Swansea", "money_advice",
     "Swansea Debt Advice Service", "Gwasanaeth Cyngor ar Ddyled Abertawe",
     "Free debt advice by appointment or drop in on Thursdays.",
     "Cyngor ar ddyled am ddim drwy apwyntiad, neu galwch heibio ar ddydd Iau.",
     "en cy", 0, "TH", "09:30", "15:30", "indoors", True, 18, None, "voluntary_sector"),
    ("swansea-surf", "Swansea", "blue children_families physical_activity",
     "Family Surf Therapy", "Therapi Syrffio i Deuluoedd",
     "Supported surf sessions for families, wetsuits and boards provided.",
     "Sesiynau syrffio â chefnogaeth i deuluoedd, siwtiau gwlyb a byrddau ar gael.",
     "en", 0, "SA", "10:00", "12:00", "outdoors", False, 7, None, "voluntary_sector"),
    ("llanelli-garden", "Llanelli", "green older_people",
     "Llanelli Allotment Friends", "Cyfeillion Rhandir Llanelli",
     "Shared allotment plots and raised beds, with help for beginners.",
     "Rhandiroedd a gwelyau uchel a rennir, gyda help i ddechreuwyr.",
     "cy en", 0, "WE SA", "10:00", "12:00", "outdoors", True, None, None, "community_group"),
    ("llanelli-dance", "Llanelli", "physical_activity creative older_people",
     "Seated Dance Llanelli", "Dawns ar Eistedd Llanelli",
     "Dance to music from the 50s to today, seated or standing.",
     "Dawnsio i gerddoriaeth o'r 50au hyd heddiw, ar eistedd neu ar sefyll.",
     "cy en", 1, "MO", "11:00", "12:00", "indoors", True, 50, None, "statutory"),
    ("neath-mind", "Neath", "mental_wellbeing social",
     "Neath Wellbeing Peer Group", "Grŵp Cymheiriaid Llesiant Castell-nedd",
     "A safe space to talk and share, facilitated by trained volunteers.",
     "Lle diogel i siarad a rhannu, wedi'i hwyluso gan wirfoddolwyr hyfforddedig.",
     "en", 0, "TH", "18:00", "19:30", "indoors", True, 18, None, "voluntary_sector"),
    ("port-talbot-cycle", "Port Talbot", "physical_activity green",
     "Afan Valley Bike Library", "Llyfrgell Feiciau Cwm Afan",
     "Borrow a bike for free and join a gentle group ride.",
     "Benthyg beic am ddim ac ymuno â thaith feicio hamddenol.",
     "en cy", 0, "SA", "10:00", "12:00", "outdoors", False, 12, None, "voluntary_sector"),
    ("bridgend-cafe", "Bridgend", "social older_people",
     "Bridgend Friendship Café", "Caffi Cyfeillgarwch Pen-y-bont",
     "Lunch club and friendly faces for anyone feeling lonely.",
     "Clwb cinio a wynebau cyfeillgar i unrhyw un sy'n teimlo'n unig.",
     "en cy", 3.5, "WE", "12:00", "14:00", "indoors", True, None, None, "voluntary_sector"),
    ("cardiff-walk", "Cardiff", "physical_activity green",
     "Bute Park Health Walks", "Teithiau Iechyd Parc Bute",
     "Free 45-minute health walks in Bute Park, every Monday and Friday.",
     "Teithiau iechyd 45 munud am ddim ym Mharc Bute, bob dydd Llun a dydd Gwener.",
     "en cy", 0, "MO FR", "10:30", "11:15", "outdoors", True, 18, None, "statutory"),
    ("cardiff-cor", "Cardiff", "creative social",
     "Côr Caerdydd Cymunedol", "Côr Caerdydd Cymunedol",
     "A relaxed Welsh-language community choir in Canton.",
     "Côr cymunedol Cymraeg hamddenol yn Nhreganna.",
     "cy", 3, "WE", "19:30", "21:00", "indoors", True, 16, None, "community_group"),
    ("cardiff-money", "Cardiff", "money_advice",
     "Cardiff Advice Hub", "Hyb Cyngor Caerdydd",
     "Help with money, housing and benefits in one place.",
     "Help gydag arian, tai a budd-daliadau mewn un lle.",
     "en cy", 0, "MO TU WE TH FR", "09:00", "17:00", "indoors", True, 18, None, "statutory"),
    ("cardiff-play", "Cardiff", "children_families creative",
     "Cardiff Family Arts Saturday", "Dydd Sadwrn Celf i Deuluoedd Caerdydd",
     "Free drop-in art activities for children and families at the museum.",
     "Gweithgareddau celf galw heibio am ddim i blant a theuluoedd yn yr amgueddfa.",
     "en cy", 0, "SA", "10:00", "13:00", "indoors", True, 3, 12, "statutory"),
    ("cardiff-volunteer", "Cardiff", "volunteering green",
     "Cardiff Community Orchard Volunteers", "Gwirfoddolwyr Perllan Gymunedol Caerdydd",
     "Prune, plant and pick fruit in our orchard in Splott.",
     "Tocio, plannu a chasglu ffrwythau yn ein perllan yn y Sblot.",
     "en", 0, "SU", "10:00", "13:00", "outdoors", True, 16, None, "community_group"),
    ("newport-shed", "Newport", "social learning_skills",
     "Newport Men's Shed", "Sied Dynion Casnewydd",
     "A workshop and a brew: woodwork, bike repairs and friendship.",
     "Gweithdy a phaned: gwaith coed, trwsio beiciau a chyfeillgarwch.",
     "en", 0, "TU TH", "10:00", "15:00", "indoors", True, 18, None, "community_group"),
    ("newport-yoga", "Newport", "physical_activity mental_wellbeing",
     "Chair Yoga Newport", "Ioga Cadair Casnewydd",
     "Gentle chair-based yoga for all abilities.",
     "Ioga ysgafn ar gadair i bob gallu.",
     "en", 2, "FR", "11:00", "12:00", "indoors", True, 18, None, "community_group"),
    ("pontypridd-lido", "Pontypridd", "blue physical_activity children_families",
     "Lido Family Swim", "Nofio Teuluol y Lido",
     "Family swim sessions at the heated lido in Ynysangharad Park.",
     "Sesiynau nofio teuluol yn y lido twym ym Mharc Ynysangharad.",
     "en cy", 2.5, "SA SU", "09:00", "12:00", "outdoors", True, 0, None, "statutory"),
    ("pontypridd-carers", "Pontypridd", "carers mental_wellbeing",
     "RCT Carers' Support Group", "Grŵp Cefnogi Gofalwyr RhCT",
     "Monthly support group and pampering for unpaid carers.",
     "Grŵp cefnogi misol a phampro i ofalwyr di-dâl.",
     "cy en", 0, "TU", "13:00", "15:00", "indoors", True, 18, None, "voluntary_sector"),
    ("merthyr-garden", "Merthyr Tydfil", "green social",
     "Merthyr Grow Together", "Tyfu Gyda'n Gilydd Merthyr",
     "A community growing project with polytunnels and a weekly shared lunch.",
     "Prosiect tyfu cymunedol gyda thwneli plastig a chinio wythnosol a rennir.",
     "en cy", 0, "TH", "10:00", "14:00", "both", True, 16, None, "voluntary_sector"),
    ("caerphilly-walk", "Caerphilly", "physical_activity green older_people",
     "Caerphilly Castle Strollers", "Crwydrwyr Castell Caerffili",
     "An easy stroll around the castle lakes followed by a cuppa.",
     "Tro hawdd o gwmpas llynnoedd y castell ac yna paned.",
     "en cy", 0, "WE", "10:30", "11:30", "outdoors", True, None, None, "community_group"),
    ("abergavenny-learn", "Abergavenny", "learning_skills creative",
     "Abergavenny Creative Writing Group", "Grŵp Ysgrifennu Creadigol y Fenni",
     "Write stories, poems and memories in a supportive group.",
     "Ysgrifennu straeon, cerddi ac atgofion mewn grŵp cefnogol.",
     "en", 0, "MO", "14:00", "16:00", "indoors", False, 18, None, "community_group"),
    ("barry-swim", "Barry", "blue social",
     "Barry Island Dippers", "Trochwyr Ynys y Barri",
     "A friendly early-morning dip at Whitmore Bay, all year round.",
     "Trochiad cyfeillgar yn gynnar yn y bore ym Mae Whitmore, drwy'r flwyddyn.",
     "en", 0, "SU", "08:00", "09:00", "outdoors", False, 18, None, "community_group"),
    ("barry-toddlers", "Barry", "children_families",
     "Barri Cylch Ti a Fi", "Cylch Ti a Fi y Barri",
     "Welsh-medium parent and toddler group: play, songs and snacks. Non-Welsh speakers welcome.",
     "Grŵp rhieni a phlant bach Cymraeg: chwarae, canu a byrbrydau. Croeso i'r di-Gymraeg.",
     "cy", 1, "TH", "09:30", "11:00", "indoors", True, 0, 4, "voluntary_sector"),
]


def first_postcode(district: str, table: dict[str, tuple[str, float, float]]) -> tuple[str, float, float]:
    return table[district]


def postcode_table() -> dict[str, tuple[str, float, float]]:
    """The first live-looking full postcode in each district, to give each sample a real postcode."""
    first: dict[str, tuple[str, float, float]] = {}
    with gzip.open(POSTCODES_FILE, "rt", encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            code, lat, lon = line.rstrip("\n").split(",")
            if not lat:
                continue
            compact = code.replace(" ", "")
            district = compact[:-3]
            if district not in first:
                first[district] = (f"{district} {compact[-3:]}", float(lat), float(lon))
    return first


def schedule_text(days: str, opens: str, closes: str) -> tuple[str, str]:
    codes = days.split()
    en = ", ".join(DAY_EN[d] for d in codes) + f" {opens}–{closes}"
    cy = ", ".join(DAY_CY[d] for d in codes) + f" {opens}–{closes}"
    return en, cy


def build() -> dict:
    gazetteer = default_gazetteer()
    postcodes = postcode_table()
    services = []
    for (slug, town, cats, name_en, name_cy, desc_en, desc_cy, langs, cost, days, opens, closes,
         setting, wheelchair, min_age, max_age, org_type) in A:
        place = gazetteer.lookup(town)
        assert place is not None, town
        postcode, _, _ = postcodes.get(place.district, (place.district, 0, 0))
        # Spread assets a little around the town centre so distances differ.
        offset = (sum(map(ord, slug)) % 17 - 8) / 1000
        en_when, cy_when = schedule_text(days, opens, closes)
        cost_en = "Free" if cost == 0 else f"£{cost:.2f} a session"
        cost_cy = "Am ddim" if cost == 0 else f"£{cost:.2f} y sesiwn"
        language_rows = [{"id": f"sample-{slug}-lang-{code}", "name": {"cy": "Welsh", "en": "English"}[code],
                          "code": code} for code in langs.split()]
        access_en = ("Step-free access and an accessible toilet." if wheelchair
                     else "Uneven ground: not suitable for wheelchairs.")
        access_cy = ("Mynediad heb risiau a thoiled hygyrch." if wheelchair
                     else "Tir anwastad: ddim yn addas i gadeiriau olwyn.")
        town_cy = place.name_cy or place.name_en
        services.append({
            "id": f"sample-{slug}",
            "name": name_en,
            "name_cy": name_cy,
            "description": desc_en,
            "description_cy": desc_cy,
            "status": "active",
            "email": f"{slug}@example.org",
            "url": f"https://example.org/{slug}",
            "minimum_age": min_age,
            "maximum_age": max_age,
            "setting": setting,
            "organization": {
                "id": f"sample-org-{slug}",
                "name": name_en,
                "name_cy": name_cy,
                "description": f"Sample organisation for {name_en}.",
                "service_type": org_type,
            },
            "schedules": [{
                "id": f"sample-{slug}-schedule", "freq": "WEEKLY", "interval": 1, "byday": ",".join(days.split()),
                "opens_at": opens, "closes_at": closes, "description": en_when, "description_cy": cy_when,
            }],
            "languages": language_rows,
            "cost_options": [{
                "id": f"sample-{slug}-cost", "amount": cost, "option": cost_en, "option_cy": cost_cy,
            }],
            "contacts": [{"id": f"sample-{slug}-contact", "name": "Sample contact",
                          "phones": [{"id": f"sample-{slug}-phone", "number": "01234 567890"}]}],
            "attributes": [{
                "id": f"sample-{slug}-cat-{code}",
                "taxonomy_term": {"id": f"cyswllt-{code}", "code": code, "taxonomy": "cyswllt-categories",
                                  "name": code},
            } for code in cats.split()],
            "service_at_locations": [{
                "id": f"sample-{slug}-sal",
                "location": {
                    "id": f"sample-{slug}-location",
                    "location_type": "physical",
                    "name": f"{place.name_en} community venue",
                    "name_cy": f"Lleoliad cymunedol {town_cy}",
                    "latitude": round(place.latitude + offset, 5),
                    "longitude": round(place.longitude - offset, 5),
                    "transport": f"Buses stop nearby in the centre of {place.name_en}.",
                    "transport_cy": f"Mae bysiau'n stopio gerllaw yng nghanol {town_cy}.",
                    "addresses": [{"id": f"sample-{slug}-address", "address_1": "Sample Street",
                                   "city": place.name_en, "region": REGION[town], "postal_code": postcode,
                                   "country": "GB", "address_type": "physical"}],
                    "accessibility": [{"id": f"sample-{slug}-access", "description": access_en,
                                       "description_cy": access_cy, "wheelchair": wheelchair}],
                },
            }],
        })
    return {
        "_comment": "SAMPLE DATA for trying Cyswllt: these groups are fictional; places and postcodes are "
                    "real. Replace with your own directory (cyswllt assets import).",
        "total_items": len(services), "total_pages": 1, "page_number": 1, "size": len(services),
        "first_page": True, "last_page": True, "empty": False,
        "contents": services,
    }


if __name__ == "__main__":
    data = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(data['contents'])} sample assets to {OUT}")
