"""A small, hand-checked set of data set events for testing each Table 2 measure."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy.orm import Session

from storage.dataset.period import Period
from storage.models import DataSetEvent

A, B, C, D, E, F = (letter * 32 for letter in "abcdef")
PERIOD = Period.of_days(date(2026, 3, 2), date(2026, 3, 15), "Europe/London")


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=timezone.utc)


EVENTS = [
    # referrals: three in the week of 2 March, two in the week of 9 March, F's before the period
    (41, A, at(3, 2), {"route": "self"}), (41, B, at(3, 3), {"route": "self"}),
    (41, C, at(3, 4), {"route": "gp"}), (41, D, at(3, 10), {"route": "gp"}),
    (41, E, at(3, 11), {"route": "self"}), (41, F, at(2, 20), {"route": "gp"}),
    (122, A, at(3, 5), {"completed": True}), (122, B, at(3, 6), {"completed": True}),
    (122, D, at(3, 12), {"completed": True}), (122, F, at(3, 6), {"completed": True}),
    (36, A, at(3, 2), {"age_band": "25-34", "postcode_area": "CF"}),
    (36, A, at(3, 9), {"age_band": "35-44", "postcode_area": "CF"}),     # the later answer counts
    (36, B, at(3, 3), {"age_band": "25-34", "postcode_area": "SA"}),
    (36, C, at(3, 4), {"age_band": "75+", "postcode_area": "CF"}),
    (36, D, at(3, 10), {"age_band": "prefer_not_to_say", "postcode_area": "LL"}),
    (51, A, at(3, 2), {"reasons": ["mental", "social"]}), (51, B, at(3, 3), {"reasons": ["mental"]}),
    (51, C, at(3, 4), {"reasons": ["physical", "mental"]}),
    (108, A, at(3, 5), {"themes": ["reduce_isolation"]}),
    (108, B, at(3, 6), {"themes": ["reduce_isolation", "nature"]}),
    (47, A, at(3, 4), {"days": 2}), (47, B, at(3, 7), {"days": 4}),
    (47, C, at(3, 10), {"days": 6}), (47, D, at(3, 14), {"days": 10}),
    (112, A, at(3, 5), {"service_id": "s1", "activity_types": ["physical_activity", "green"],
                        "green_prescribing": True, "local_authority": "Cardiff", "kind": "referred"}),
    (112, B, at(3, 6), {"service_id": "s2", "activity_types": ["blue"], "green_prescribing": True,
                        "local_authority": "Swansea", "kind": "signposted"}),
    (112, C, at(3, 6), {"service_id": "s3", "activity_types": ["creative"], "green_prescribing": False,
                        "local_authority": "Cardiff", "kind": "referred"}),
    (112, D, at(3, 12), {"service_id": "s4", "activity_types": ["green"], "green_prescribing": True,
                         "local_authority": "Gwynedd", "kind": "referred"}),
    (109, A, at(3, 9), {"attended": True}), (109, B, at(3, 9), {"attended": False}),
    (109, B, at(3, 13), {"attended": True}), (109, C, at(3, 9), {"attended": False}),
    (106, C, at(3, 9), {}), (103, A, at(3, 14), {}), (102, E, at(3, 13), {}),
    (80, C, at(3, 9), {"barriers": ["transport", "cost"]}),
    (13, A, at(3, 2), {"language": "cy", "how": "chose"}), (13, B, at(3, 3), {"language": "en", "how": "chose"}),
    (13, C, at(3, 4), {"language": "cy", "how": "chose"}),
    (13, C, at(3, 8), {"language": "en", "how": "switched"}),
    (13, D, at(3, 10), {"language": "cy", "how": "wrote_in_welsh"}),
    (27, E, at(3, 11), {"level": "concern"}),
    (32, A, at(3, 2), {"carer": True}), (32, B, at(3, 3), {"carer": False}),
    # mental wellbeing: A's baseline predates the period; B's latest follow-up counts; C has none in
    # the period (only after it); D has no baseline
    (91, A, at(2, 25), {"instrument": "swemwbs", "wave": "baseline", "score": 20}),
    (91, A, at(3, 10), {"instrument": "swemwbs", "wave": "12w", "score": 25}),
    (91, B, at(3, 3), {"instrument": "swemwbs", "wave": "baseline", "score": 18}),
    (91, B, at(3, 8), {"instrument": "swemwbs", "wave": "6w", "score": 17}),
    (91, B, at(3, 14), {"instrument": "swemwbs", "wave": "12w", "score": 22}),
    (91, C, at(3, 4), {"instrument": "swemwbs", "wave": "baseline", "score": 15}),
    (91, C, at(3, 20), {"instrument": "swemwbs", "wave": "12w", "score": 27}),
    (91, D, at(3, 12), {"instrument": "swemwbs", "wave": "12w", "score": 30}),
    (64, A, at(3, 2), {"instrument": "ons4", "wave": "baseline", "life_satisfaction": 5, "worthwhile": 6,
                       "happiness": 4, "anxiety": 7}),
    (64, A, at(3, 12), {"instrument": "ons4", "wave": "12w", "life_satisfaction": 7, "worthwhile": 7,
                        "happiness": 6, "anxiety": 4}),
    (64, B, at(3, 3), {"instrument": "ons4", "wave": "baseline", "life_satisfaction": 3, "worthwhile": 4,
                       "happiness": 5, "anxiety": 6}),
    (64, B, at(3, 13), {"instrument": "ons4", "wave": "12w", "life_satisfaction": 4, "worthwhile": 4,
                        "happiness": 7, "anxiety": 5}),
    (87, A, at(3, 2), {"instrument": "ucla3", "wave": "baseline", "score": 7}),
    (87, A, at(3, 12), {"instrument": "ucla3", "wave": "12w", "score": 5}),
    (87, B, at(3, 3), {"instrument": "ucla3", "wave": "baseline", "score": 6}),
    (87, B, at(3, 13), {"instrument": "ucla3", "wave": "12w", "score": 5}),
    (87, C, at(3, 4), {"instrument": "ucla3", "wave": "baseline", "score": 9}),
    (87, C, at(3, 14), {"instrument": "ucla3", "wave": "6w", "score": 8}),
]


def insert(session: Session, events=EVENTS) -> None:
    session.add_all(DataSetEvent(statement=s, subject_key=subject, value=value, occurred_at=when,
                                 channel="sms", language="en", source="test")
                    for s, subject, when, value in events)
