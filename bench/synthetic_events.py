"""Plausible synthetic Core Data Set events, bulk-loaded (COPY on PostgreSQL), for benchmarks and demos."""
from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Iterator

from sqlalchemy import Engine

from storage.dataset.promoted import COLUMNS as PROMOTED, promote

# The promoted columns are filled here as the model's defaults fill them: COPY runs no Python defaults.
COLUMNS = ("statement", "subject_key", "value", "occurred_at", "channel", "language", "source", *PROMOTED)
START = datetime(2025, 4, 1, 8, 0)
ROUTES = ["self"] * 5 + ["gp"] * 4 + ["health", "social_care", "third_sector", "family", "other"]
AGES = ["16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+", "prefer_not_to_say"]
AREAS = ["CF", "SA", "LL", "NP", "LD", "SY", "CH"]
REASONS = ["physical", "mental", "social", "financial", "housing", "caring", "other"]
THEMES = ["reduce_isolation", "physical_activity", "mental_wellbeing", "money", "housing", "learning",
          "volunteering", "creativity", "nature", "confidence", "other"]
BARRIERS = ["transport", "cost", "confidence", "health", "caring", "timing", "language", "access", "other"]
CATEGORIES = ["green", "blue", "creative", "social", "physical_activity", "learning_skills", "money_advice",
              "carers", "children_families", "older_people", "volunteering", "mental_wellbeing"]
AUTHORITIES = ["Cardiff", "Swansea", "Gwynedd", "Newport", "Powys", "Wrexham", "Ceredigion"]


def journey(rng: random.Random, subject: str, days: int) -> list[tuple]:
    """One person's events from referral to 12-week check-in (about 20 events)."""
    at = START + timedelta(days=rng.uniform(0, days), hours=rng.uniform(0, 10))
    channel = rng.choice(("sms", "sms", "telegram"))
    language = "cy" if rng.random() < 0.3 else "en"
    events: list[tuple] = []

    def add(statement: int, value: dict, after_days: float = 0.0, source: str = "referral") -> None:
        events.append((statement, subject, json.dumps(value), at + timedelta(days=after_days), channel,
                       language, source, *promote(statement, value).values()))

    add(13, {"language": language, "how": "chose"}, 0, "language")
    add(41, {"route": rng.choice(ROUTES)}, 0.01)
    add(52, {"origin": rng.choice(("deep-link", "sms", "gp-letter"))}, 0.01)
    add(36, {"age_band": rng.choice(AGES), "postcode_area": rng.choice(AREAS), **_protected(rng)}, 0.02)
    add(51, {"reasons": rng.sample(REASONS, rng.randint(1, 3))}, 0.02)
    add(32, {"carer": rng.random() < 0.15}, 0.03)
    add(47, {"days": round(rng.gammavariate(2.0, 2.0), 1)}, 0.05, "practitioner")
    add(122, {"completed": True}, 3, "what_matters")
    add(108, {"themes": rng.sample(THEMES, rng.randint(1, 3))}, 3, "what_matters")
    base_wb, base_lonely = rng.uniform(14, 28), rng.randint(4, 9)
    life = [rng.randint(2, 8) for _ in range(4)]
    add(91, {"instrument": "swemwbs", "wave": "baseline", "score": round(base_wb, 2)}, 3, "checkin")
    add(87, {"instrument": "ucla3", "wave": "baseline", "score": base_lonely}, 3, "checkin")
    add(64, {"instrument": "ons4", "wave": "baseline", "life_satisfaction": life[0], "worthwhile": life[1],
             "happiness": life[2], "anxiety": life[3]}, 3, "checkin")
    base_social = rng.randint(3, 20)
    add(93, {"instrument": "mhc_sf_social", "wave": "baseline", "score": base_social}, 3, "checkin")
    service = f"asset-{rng.randint(1, 400)}"
    types = rng.sample(CATEGORIES, rng.choice((1, 1, 2)))
    add(112, {"service_id": service, "activity_types": types, "green_prescribing": bool({"green", "blue"} & set(types)),
              "local_authority": rng.choice(AUTHORITIES), "kind": rng.choice(("signposted", "referred"))},
        4, "asset_search")
    add(119, {"forms": [rng.choice(("physical", "mental", "social", "financial"))], "service_id": service},
        4, "asset_search")
    went = rng.random() < 0.7
    add(109, {"attended": went}, 18, "attendance")
    if not went:
        add(106, {}, 18, "attendance")
        add(80, {"barriers": rng.sample(BARRIERS, rng.randint(1, 2))}, 18, "attendance")
    elif rng.random() < 0.15:
        add(103, {}, 40, "attendance")
    if rng.random() < 0.05:
        add(102, {}, 30, "practitioner")
    if rng.random() < 0.03:
        add(27, {"level": "concern"}, rng.uniform(0, 60), "safeguarding")
    if rng.random() < 0.8:
        add(91, {"instrument": "swemwbs", "wave": "12w",
                 "score": round(min(35, max(7, base_wb + rng.gauss(1.5, 3))), 2)}, 84, "checkin")
        add(87, {"instrument": "ucla3", "wave": "12w",
                 "score": min(9, max(3, base_lonely + rng.choice((-2, -1, -1, 0, 0, 1))))}, 84, "checkin")
        # Anxiety is the one ONS-4 item where lower is better.
        steps = {"life_satisfaction": 1, "worthwhile": 1, "happiness": 1, "anxiety": -1}
        add(64, {"instrument": "ons4", "wave": "12w",
                 **{k: min(10, max(0, v + steps[k] * rng.choice((-1, 0, 1, 1, 2)))) for k, v in
                    zip(steps, life)}}, 84, "checkin")
        add(93, {"instrument": "mhc_sf_social", "wave": "12w",
                 "score": min(25, max(0, base_social + rng.choice((-3, 0, 2, 4, 6, 8))))}, 84, "checkin")
        _end_of_support(rng, add)
    return events


def _protected(rng: random.Random) -> dict:
    """Protected characteristics as people answer them: often, but not always, and some prefer not to say."""
    if rng.random() < 0.25:
        return {}
    out = {"sex": rng.choice(("female", "female", "male", "prefer_not_to_say")),
           "gender_same": rng.choice(("yes",) * 12 + ("no", "prefer_not_to_say")),
           "ethnic_group": rng.choice(("white",) * 18 + ("mixed", "asian", "black", "other", "prefer_not_to_say")),
           "disability": rng.choice(("limited_a_lot", "limited_a_little", "not_limited", "no_condition",
                                     "no_condition", "prefer_not_to_say")),
           "welsh": rng.choice((["none"], ["none"], ["understand"], ["understand", "speak", "read", "write"],
                                ["understand", "speak"], ["prefer_not_to_say"]))}
    return {k: v for k, v in out.items() if rng.random() < 0.9}


def _end_of_support(rng: random.Random, add) -> None:
    """The practitioner's closing and the person's end-of-support answers (issue 17)."""
    add(82, {"rater": "practitioner", "met": rng.choice(("fully", "partly", "partly", "not"))}, 84, "case_closing")
    add(121, {"onward": rng.choice((0, 0, 1, 1, 2, 3))}, 84, "case_closing")
    add(98, {"action_plan": rng.random() < 0.7}, 84, "case_closing")
    if rng.random() < 0.6:
        add(94, {"scale": "fft", "rating": rng.choice(("very_good",) * 5 + ("good",) * 3 + ("neither", "poor"))},
            85, "end_of_support")
        agree = ("strongly_agree", "agree", "agree", "neither", "disagree")
        add(72, {"agreement": rng.choice(agree)}, 85, "end_of_support")
        add(70, {"agreement": rng.choice(agree)}, 85, "end_of_support")
        add(82, {"rater": "person", "theme": rng.choice(THEMES), "score": rng.randint(2, 10)}, 85, "end_of_support")
        add(1, {"learnt_skills": rng.random() < 0.4}, 85, "end_of_support")
        add(97, {"answered": rng.random() < 0.5}, 85, "end_of_support")


def events(people: int, total: int, seed: int = 8, days: int = 365) -> Iterator[tuple]:
    """Exactly `total` events spread over `people` journeys (journeys repeat or are cut to fit)."""
    rng = random.Random(seed)
    subjects = [f"{rng.getrandbits(128):032x}" for _ in range(people)]
    made = 0
    while made < total:
        for subject in subjects:
            for event in journey(rng, subject, days):
                if made == total:
                    return
                yield event
                made += 1


def load(engine: Engine, rows: Iterator[tuple], batch: int = 50_000) -> int:
    """Bulk-insert event rows: COPY on PostgreSQL, executemany in big transactions on SQLite."""
    count = 0
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            cursor = connection.connection.driver_connection.cursor()
            with cursor.copy(f"COPY dataset_event ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO dataset_event ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
        chunk: list[tuple] = []
        for statement, subject, value, at, *rest in rows:
            chunk.append((statement, subject, value, at.strftime("%Y-%m-%d %H:%M:%S.%f"), *rest))
            if len(chunk) >= batch:
                connection.exec_driver_sql(sql, chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            connection.exec_driver_sql(sql, chunk)
            count += len(chunk)
    return count
