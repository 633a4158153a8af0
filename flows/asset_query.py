"""Reading a search as a person texts it ("walking group in Wrexham", "oes côr ger Llandudno?").

Pure: words in, an AssetQuery out. It finds activity words (in Welsh, English, and mutated
Welsh), filters (in Welsh, free, wheelchair, age group, day, indoors/outdoors, distance), a
postcode, and the words after "in/near/ger/yng..." that should name a place. Whether a place
exists is decided later against the gazetteer (storage/places.py), outside the flow.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Mapping

from nlu.asset_query import AGE_RANGES, AssetQuery  # noqa: F401 - the flows' names for them
from nlu.mutations import radical_forms
from nlu.text import key as fold

# Activity words -> (categories, words to look for in the directory's text, folded stems).
LEXICON: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "walk": (("physical_activity", "green"), ("walk", "cerdded", "cerddwyr", "taith", "teithiau", "stroll", "crwydr")),
    "cerdded": (("physical_activity", "green"), ("walk", "cerdded", "cerddwyr", "taith", "teithiau", "crwydr")),
    "stroll": (("physical_activity", "green"), ("walk", "stroll", "crwydr", "cerdded")),
    "ramble": (("physical_activity", "green"), ("walk", "cerdded", "cerddwyr", "ramble")),
    "hike": (("physical_activity", "green"), ("walk", "hill", "cerdded")),
    "choir": (("creative",), ("choir", "cor", "sing", "canu")),
    "cor": (("creative",), ("choir", "cor", "sing", "canu")),
    "sing": (("creative",), ("sing", "choir", "cor", "canu")),
    "canu": (("creative",), ("sing", "choir", "cor", "canu")),
    "swim": (("blue",), ("swim", "nofio", "dip", "troch")),
    "nofio": (("blue",), ("swim", "nofio", "dip", "troch")),
    "dip": (("blue",), ("dip", "dipper", "dippers", "troch", "swim", "nofio")),
    "trochi": (("blue",), ("dip", "dipper", "dippers", "troch", "swim", "nofio")),
    "sea": (("blue",), ("sea", "mor", "swim", "nofio")),
    "beach": (("blue",), ("beach", "traeth")),
    "traeth": (("blue",), ("beach", "traeth")),
    "paddle": (("blue",), ("paddl", "padlo", "canoe", "canw")),
    "surf": (("blue",), ("surf", "syrff")),
    "garden": (("green",), ("garden", "gardd", "grow", "tyfu", "allotment", "rhandir")),
    "gardd": (("green",), ("garden", "gardd", "grow", "tyfu", "rhandir")),
    "garddio": (("green",), ("garden", "gardd", "grow", "tyfu", "rhandir")),
    "allotment": (("green",), ("allotment", "rhandir", "garden", "gardd")),
    "rhandir": (("green",), ("allotment", "rhandir", "garden", "gardd")),
    "grow": (("green",), ("grow", "tyfu", "garden", "gardd")),
    "tyfu": (("green",), ("grow", "tyfu", "garden", "gardd")),
    "nature": (("green",), ("nature", "natur", "tree", "coed", "woodland")),
    "natur": (("green",), ("nature", "natur", "coed")),
    "tree": (("green",), ("tree", "coed", "woodland", "coetir")),
    "shed": (("social",), ("shed", "sied")),
    "sied": (("social",), ("shed", "sied")),
    "coffee": (("social",), ("coffee", "coffi", "cafe", "caffi", "paned")),
    "coffi": (("social",), ("coffee", "coffi", "cafe", "caffi", "paned")),
    "paned": (("social",), ("coffee", "coffi", "paned", "cuppa")),
    "cafe": (("social",), ("cafe", "caffi", "coffee", "coffi")),
    "caffi": (("social",), ("cafe", "caffi", "coffee", "coffi")),
    "lonely": (("social",), ("lonely", "unig", "friend", "cyfeill", "chat", "sgwrs")),
    "unig": (("social",), ("lonely", "unig", "friend", "cyfeill", "sgwrs")),
    "friends": (("social",), ("friend", "cyfeill", "company", "cwmni")),
    "chat": (("social",), ("chat", "sgwrs", "natter")),
    "sgwrs": (("social",), ("chat", "sgwrs")),
    "lunch": (("social",), ("lunch", "cinio")),
    "money": (("money_advice",), ("money", "arian", "debt", "dyled", "benefit", "budd")),
    "arian": (("money_advice",), ("money", "arian", "debt", "dyled", "budd")),
    "debt": (("money_advice",), ("debt", "dyled", "money", "arian")),
    "dyled": (("money_advice",), ("debt", "dyled")),
    "benefits": (("money_advice",), ("benefit", "budd")),
    "budd daliadau": (("money_advice",), ("benefit", "budd")),
    "bills": (("money_advice",), ("bill", "bil", "energy", "ynni")),
    "carer": (("carers",), ("carer", "gofalwr", "gofalwyr")),
    "carers": (("carers",), ("carer", "gofalwr", "gofalwyr")),
    "gofalwr": (("carers",), ("carer", "gofalwr", "gofalwyr")),
    "gofalwyr": (("carers",), ("carer", "gofalwr", "gofalwyr")),
    "play": (("children_families",), ("play", "chwarae")),
    "chwarae": (("children_families",), ("play", "chwarae")),
    "toddler": (("children_families",), ("toddler", "plant bach", "baby", "baban")),
    "baby": (("children_families",), ("baby", "baban", "toddler")),
    "art": (("creative",), ("art", "celf", "paint", "paent", "draw", "darlun")),
    "celf": (("creative",), ("art", "celf", "paent", "darlun")),
    "paint": (("creative",), ("paint", "paent", "art", "celf")),
    "craft": (("creative",), ("craft", "crefft", "knit", "gwau", "sew", "gwni")),
    "crefft": (("creative",), ("craft", "crefft", "gwau", "gwni")),
    "knit": (("creative",), ("knit", "gwau", "crochet", "crosio")),
    "gwau": (("creative",), ("knit", "gwau", "crosio")),
    "writing": (("creative",), ("writ", "ysgrifenn", "poem", "cerddi")),
    "music": (("creative",), ("music", "cerddoriaeth", "sing", "canu")),
    "dance": (("physical_activity", "creative"), ("danc", "dawns")),
    "dawns": (("physical_activity", "creative"), ("danc", "dawns")),
    "yoga": (("physical_activity",), ("yoga", "ioga")),
    "ioga": (("physical_activity",), ("yoga", "ioga")),
    "tai chi": (("physical_activity",), ("tai chi",)),
    "football": (("physical_activity",), ("football", "pel droed")),
    "pel droed": (("physical_activity",), ("football", "pel droed")),
    "bowls": (("physical_activity",), ("bowl",)),
    "bowlio": (("physical_activity",), ("bowl",)),
    "cycle": (("physical_activity",), ("cycl", "bike", "beic")),
    "cycling": (("physical_activity",), ("cycl", "bike", "beic")),
    "bike": (("physical_activity",), ("bike", "beic", "cycl")),
    "beic": (("physical_activity",), ("bike", "beic", "cycl")),
    "exercise": (("physical_activity",), ("exercis", "ymarfer", "activ")),
    "ymarfer": (("physical_activity",), ("exercis", "ymarfer")),
    "learn": (("learning_skills",), ("learn", "dysgu", "skill", "sgil")),
    "dysgu": (("learning_skills",), ("learn", "dysgu", "sgil")),
    "skills": (("learning_skills",), ("skill", "sgil")),
    "digital": (("learning_skills",), ("digital", "digidol", "computer", "phone", "ffon")),
    "volunteer": (("volunteering",), ("volunt", "gwirfodd")),
    "volunteering": (("volunteering",), ("volunt", "gwirfodd")),
    "gwirfoddoli": (("volunteering",), ("volunt", "gwirfodd")),
    "gwirfoddolwr": (("volunteering",), ("volunt", "gwirfodd")),
    "dementia": (("older_people",), ("dementia", "memory", "cof")),
    "wellbeing": (("mental_wellbeing",), ("wellbeing", "llesiant")),
    "llesiant": (("mental_wellbeing",), ("wellbeing", "llesiant")),
    "anxiety": (("mental_wellbeing",), ("anxiety", "gorbryder", "mood", "hwyliau")),
    "gorbryder": (("mental_wellbeing",), ("anxiety", "gorbryder")),
}
# Category names themselves (menu words, and the way people name a kind of activity).
CATEGORY_WORDS: dict[str, str] = {
    "green": "green", "gwyrdd": "green", "outdoor activities": "green",
    "blue": "blue", "glas": "blue", "water": "blue",
    "creative": "creative", "creadigol": "creative", "arts": "creative",
    "social": "social", "cymdeithasol": "social", "company": "social", "cwmni": "social",
    "sport": "physical_activity", "chwaraeon": "physical_activity", "physical": "physical_activity",
    "active": "physical_activity", "keep fit": "physical_activity", "cadw n heini": "physical_activity",
    "advice": "money_advice", "cyngor": "money_advice",
    "family": "children_families", "families": "children_families", "teulu": "children_families",
    "teuluoedd": "children_families",
    "older people": "older_people", "pobl hyn": "older_people", "elderly": "older_people",
}
AGE_WORDS = {
    "children": "children", "child": "children", "kids": "children", "plant": "children",
    "plentyn": "children", "young people": "young_people", "teenagers": "young_people",
    "pobl ifanc": "young_people", "older people": "older_people", "pobl hyn": "older_people",
    "pensioners": "older_people", "over 60s": "older_people", "elderly": "older_people",
    "adults": "adults", "oedolion": "adults",
}
DAY_WORDS = {
    "monday": "MO", "mondays": "MO", "dydd llun": "MO", "nos lun": "MO",
    "tuesday": "TU", "tuesdays": "TU", "dydd mawrth": "TU", "nos fawrth": "TU",
    "wednesday": "WE", "wednesdays": "WE", "dydd mercher": "WE", "nos fercher": "WE",
    "thursday": "TH", "thursdays": "TH", "dydd iau": "TH", "nos iau": "TH",
    "friday": "FR", "fridays": "FR", "dydd gwener": "FR", "nos wener": "FR",
    "saturday": "SA", "saturdays": "SA", "dydd sadwrn": "SA", "nos sadwrn": "SA",
    "sunday": "SU", "sundays": "SU", "dydd sul": "SU", "nos sul": "SU",
    "weekend": "SA SU", "weekends": "SA SU", "penwythnos": "SA SU",
}
FILTER_PHRASES: dict[str, tuple[str, Any]] = {
    "in welsh": ("welsh", True), "welsh speaking": ("welsh", True), "welsh language": ("welsh", True),
    "welsh medium": ("welsh", True), "through welsh": ("welsh", True), "yn gymraeg": ("welsh", True),
    "cyfrwng cymraeg": ("welsh", True), "trwy r gymraeg": ("welsh", True), "drwy r gymraeg": ("welsh", True),
    "cymraeg": ("welsh", True),
    "free": ("free", True), "for free": ("free", True), "no cost": ("free", True), "am ddim": ("free", True),
    "rhad ac am ddim": ("free", True), "dim cost": ("free", True),
    "wheelchair": ("wheelchair", True), "wheelchair accessible": ("wheelchair", True),
    "accessible": ("wheelchair", True), "step free": ("wheelchair", True),
    "cadair olwyn": ("wheelchair", True), "hygyrch": ("wheelchair", True),
    "indoors": ("setting", "indoors"), "indoor": ("setting", "indoors"), "inside": ("setting", "indoors"),
    "dan do": ("setting", "indoors"), "tu mewn": ("setting", "indoors"),
    "outdoors": ("setting", "outdoors"), "outdoor": ("setting", "outdoors"), "outside": ("setting", "outdoors"),
    "awyr agored": ("setting", "outdoors"), "tu allan": ("setting", "outdoors"),
    "yn yr awyr agored": ("setting", "outdoors"),
}
# Words after which a place name is expected. "strong": an unknown name here is worth asking
# about; the others ("yn", "i", "o") are too common in Welsh to be sure.
STRONG_PREPOSITIONS = ("in", "near", "around", "nearby", "close to", "near to", "at", "ger", "yng", "ym",
                       "o gwmpas", "yn agos at", "yn agos i", "gerllaw", "yn ardal", "round")
WEAK_PREPOSITIONS = ("yn", "i", "o", "from", "by")
STOPWORDS = set("""
a an the and or of for to with me my i im i'd id want would like looking look find finding search any some
is are there there's theres anything something somewhere please can could you get go do does group groups
club clubs class classes session sessions activity activities thing things what where when which who near
around local nearby ones one other stuff help hi hello on at by
oes ydy yw mae sydd ar am y yr r a ac ag i o yn ym yng ger efo gyda hefyd eisiau isio moyn angen chwilio
grwp grwpiau clwb clybiau dosbarth sesiwn sesiynau gweithgaredd gweithgareddau rhywbeth rhywle unrhyw
plis os gwelwch dda helo shwmae sut beth ble pryd lle na neu addas suitable good nice da braf
w gwneud wneud trwy drwy cyfrwng gyfrwng year years old yr yo oed mlwydd mlwyddyn
""".split())
# An age in years: "my 8 year old", "8-year-old", "plentyn 8 oed", "8 mlwydd oed".
AGE_IN_YEARS = re.compile(r"\b(\d{1,3})\s*(?:-\s*)?(?:years?|yrs?|yo)(?:\s*-?\s*old)?\b|\b(\d{1,3})\s*(?:mlwydd\s*)?oed\b")
CHILD_UNDER, OLDER_FROM = 16, 65
KM_PER_MILE = 1.609344
DISTANCE = re.compile(r"(?:within|o fewn|up to|hyd at)?\s*(\d+(?:\.\d+)?)\s*(km|kms|kilometres|kilometers|cilomedr|"
                      r"miles|mile|mi|milltir)\b")
POSTCODE = re.compile(r"\b([a-z]{1,2}[0-9][0-9a-z]?)\s*([0-9][a-z]{2})?\b", re.IGNORECASE)
WELSH_POSTCODE_AREAS = ("cf", "sa", "ll", "np", "ld", "sy", "ch", "hr")
MAX_PLACE_WORDS = 5
# Words that ask for any kind of activity ("anything in Cardiff", "gweithgareddau yn Llandudno").
GENERIC_WORDS = {"anything", "activity", "activities", "things", "something", "events", "groups", "clubs",
                 "gweithgaredd", "gweithgareddau", "rhywbeth", "digwyddiadau", "grwpiau", "clybiau", "pethau",
                 "unrhyw beth", "whats on", "beth sy mlaen", "mynd", "fynd"}


def _tokens(text: str) -> list[str]:
    # Keep digits and letters; everything else separates words.
    return [t for t in re.split(r"[^0-9a-z]+", fold(text)) if t]


def _match_phrase(tokens: list[str], start: int, table: Mapping[str, Any], mutate: bool = True):
    """The longest phrase from `table` starting at tokens[start] (first word may be mutated)."""
    for length in (3, 2, 1):
        if start + length > len(tokens):
            continue
        words = tokens[start:start + length]
        firsts = radical_forms(words[0]) if mutate else [words[0]]
        for first in firsts:
            phrase = " ".join([first, *words[1:]])
            if phrase in table:
                return phrase, length
            # A plural or -ing form of a known word ("walks", "walking", "choirs").
            if length == 1:
                for suffix in ("ing", "s", "es", "ers", "ed"):
                    stem = phrase[: -len(suffix)]
                    if phrase.endswith(suffix) and stem in table:
                        return stem, 1
                    # "swimming", "shopping": a doubled last letter.
                    if phrase.endswith(suffix) and len(stem) > 2 and stem[-1] == stem[-2] and stem[:-1] in table:
                        return stem[:-1], 1
    return None, 0


def _preposition(tokens: list[str], i: int, options: tuple[str, ...]) -> int:
    for phrase in sorted(options, key=lambda p: -len(p.split())):
        words = phrase.split()
        if tokens[i:i + len(words)] == words:
            return len(words)
    return 0


def parse_query(text: str) -> AssetQuery:
    """Everything the words of a search say: activity, place, filters."""
    text = (text or "")[:500]
    found: dict[str, Any] = {"categories": [], "terms": [], "words": [], "places": [], "maybe_places": [],
                             "days": []}
    scalars: dict[str, Any] = {}
    lowered = fold(text)
    if match := DISTANCE.search(lowered):
        amount = float(match.group(1))
        scalars["radius_km"] = round(amount * (KM_PER_MILE if match.group(2).startswith(("mi", "mil")) else 1), 1)
        lowered = lowered[:match.start()] + " " + lowered[match.end():]
    for match in POSTCODE.finditer(lowered):
        outward, inward = match.group(1), match.group(2)
        if outward[:2].rstrip("0123456789") in WELSH_POSTCODE_AREAS and (inward or any(c.isdigit() for c in outward)):
            scalars["postcode"] = (outward + (" " + inward if inward else "")).upper()
            lowered = lowered[:match.start()] + " " + lowered[match.end():]
            break
    if match := AGE_IN_YEARS.search(lowered):
        # "something for my 8 year old": children's activities, not adults' far away.
        age = int(match.group(1) or match.group(2))
        if age < CHILD_UNDER:
            scalars["age_group"] = "children"
            found["categories"].append("children_families")
        elif age >= OLDER_FROM:
            scalars["age_group"] = "older_people"
            found["categories"].append("older_people")
        lowered = lowered[:match.start()] + " " + lowered[match.end():]
    tokens = _tokens(lowered)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in ("anywhere", "unrhyw") and (token == "anywhere" or tokens[i + 1:i + 2] == ["le"]):
            scalars["anywhere"] = True
            i += 1 if token == "anywhere" else 2
            continue
        phrase, length = _match_phrase(tokens, i, FILTER_PHRASES)
        if phrase:
            name, value = FILTER_PHRASES[phrase]
            scalars[name] = value
            i += length
            continue
        phrase, length = _match_phrase(tokens, i, DAY_WORDS)
        if phrase:
            found["days"].extend(DAY_WORDS[phrase].split())
            i += length
            continue
        phrase, length = _match_phrase(tokens, i, AGE_WORDS)
        if phrase:
            scalars["age_group"] = AGE_WORDS[phrase]
            if AGE_WORDS[phrase] == "children":
                found["categories"].append("children_families")
            elif AGE_WORDS[phrase] == "older_people":
                found["categories"].append("older_people")
            i += length
            continue
        strong = _preposition(tokens, i, STRONG_PREPOSITIONS)
        weak = 0 if strong else _preposition(tokens, i, WEAK_PREPOSITIONS)
        if strong or weak:
            start = i + (strong or weak)
            end = start
            while end < len(tokens) and end - start < MAX_PLACE_WORDS and not _is_signal(tokens, end) \
                    and not _preposition(tokens, end, STRONG_PREPOSITIONS):
                end += 1
            if end > start:
                found["places" if strong else "maybe_places"].append(" ".join(tokens[start:end]))
                # The words also stay available in case they were not a place after all.
                found["words"].extend(t for t in tokens[start:end] if t not in STOPWORDS)
                i = end
                continue
            i += strong or weak
            continue
        phrase, length = _match_phrase(tokens, i, LEXICON)
        if phrase:
            categories, terms = LEXICON[phrase]
            found["categories"].extend(categories)
            found["terms"].extend(terms)
            i += length
            continue
        phrase, length = _match_phrase(tokens, i, CATEGORY_WORDS)
        if phrase:
            found["categories"].append(CATEGORY_WORDS[phrase])
            i += length
            continue
        if token in GENERIC_WORDS:
            scalars["generic"] = True
        elif token not in STOPWORDS and not token.isdigit() and len(token) > 1:
            found["words"].append(token)
        i += 1
    if scalars.get("anywhere"):
        found["places"], found["maybe_places"] = [], []
    return AssetQuery(
        text=text.strip(),
        categories=tuple(dict.fromkeys(found["categories"])), terms=tuple(dict.fromkeys(found["terms"])),
        words=tuple(dict.fromkeys(found["words"])), places=tuple(found["places"]),
        maybe_places=tuple(found["maybe_places"]), days=tuple(dict.fromkeys(found["days"])),
        **scalars,
    )


def _is_signal(tokens: list[str], i: int) -> bool:
    """Whether a place phrase should stop here: a filter, a day, an activity, or a connecting word."""
    if tokens[i] in ("on", "for", "i", "that", "sy", "sydd", "with", "gyda", "efo", "and", "a", "ac",
                     "which", "who", "please", "plis", "within"):
        return True
    return any(_match_phrase(tokens, i, table)[0] for table in (FILTER_PHRASES, DAY_WORDS, AGE_WORDS)) or any(
        _match_phrase(tokens, i, table, mutate=False)[0] for table in (LEXICON, CATEGORY_WORDS))


def place_only(text: str) -> AssetQuery:
    """An answer to "where?": the whole text names the place (unless it is a postcode or "anywhere")."""
    query = parse_query(text)
    if query.postcode or query.anywhere or query.places:
        return query
    phrase = " ".join(_tokens(text)[:MAX_PLACE_WORDS])
    return replace(query, places=(phrase,) if phrase else (), maybe_places=())
