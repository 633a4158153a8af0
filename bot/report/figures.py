"""The report's figures, folded from data set events one at a time (a million fit in little memory).

Definitions (the report prints them too):
- a referral is a statement 41 event (referral route) in the period;
- people counts are distinct pseudonymous subjects; a person's demographics and language are
  their latest statement 36 / 13 event in the period;
- paired change: for each person with a follow-up (any wave but "baseline") in the period, their
  latest follow-up minus their earliest baseline before it (which may predate the period).
"""
from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

from bot.report import suppression
from bot.report.reliable_change import classify, load_thresholds
from bot.report.suppression import THRESHOLD
from storage.dataset.catalogue import Catalogue
from storage.dataset.period import Period

# Statements whose baselines are read from before the period too, in the order the report shows them.
INSTRUMENTS = {91: ("score",), 87: ("score",), 93: ("score",),
               64: ("life_satisfaction", "worthwhile", "happiness", "anxiety"), 88: ("score",), 84: ("score",)}
# The end of support's answers (issue 17): counted per value of one field, one answer per person.
END_OF_SUPPORT = {94: "rating", 72: "agreement", 70: "agreement", 83: "agreement"}
# Yes/no answers, as the share of people answering who said yes.
YES_NO = {1: "learnt_skills", 79: "started_volunteering", 74: "knows_more", 98: "action_plan", 97: "answered"}
PROTECTED = ("sex", "gender_same", "ethnic_group", "disability", "welsh")
USED = ({13, 27, 32, 36, 41, 44, 47, 49, 51, 80, 81, 82, 102, 103, 106, 108, 109, 112, 121, 122}
        | set(INSTRUMENTS) | set(END_OF_SUPPORT) | set(YES_NO))
GREEN_BLUE = ("green", "blue")
THRESHOLDS = load_thresholds()


@dataclass
class Paired:
    baseline: dict[str, tuple[datetime, float]] = field(default_factory=dict)
    follow_up: dict[str, tuple[datetime, float]] = field(default_factory=dict)


class Figures:
    """Feed it events with `add`; `result()` gives the report's figures, suppressed, as plain data."""

    def __init__(self, period: Period, catalogue: Catalogue, zone: str = "Europe/London",
                 threshold: int = THRESHOLD):
        self.period = period
        self.catalogue = catalogue
        self.zone = ZoneInfo(zone)
        self.threshold = threshold
        self.people: set[str] = set()
        self.referrals_by_week: Counter[date] = Counter()
        self.routes: Counter[str] = Counter()
        self.referred: set[str] = set()
        self.what_matters: set[str] = set()
        self.latest: dict[int, dict[str, tuple[datetime, Mapping[str, Any]]]] = defaultdict(dict)
        self.mentions: dict[tuple[int, str], set[str]] = defaultdict(set)   # (statement, list field) -> people
        self.people_with: dict[int, set[str]] = defaultdict(set)
        self.days_to_contact: list[float] = []
        self.attended: set[str] = set()
        self.not_attended: set[str] = set()
        self.activity_events = 0
        self.activity_by_category: Counter[str] = Counter()
        self.activity_by_area: Counter[tuple[str, str]] = Counter()
        self.settings: Counter[str] = Counter()
        self.green_blue = 0
        self.paired: dict[tuple[int, str, str], Paired] = defaultdict(Paired)
        self.carers: set[str] = set()
        self.answers: dict[int, dict[str, str]] = defaultdict(dict)       # statement -> person -> value
        self.yes_no: dict[int, dict[str, bool]] = defaultdict(dict)
        self.goals_met: dict[str, str] = {}
        self.goal_scores: list[float] = []
        self.onward: list[int] = []
        self.outcomes: dict[str, set[str]] = defaultdict(set)              # accepted, not_appropriate

    # ------------------------------------------------------------ folding

    def add(self, statement: int, subject: str, occurred_at: datetime, value: Mapping[str, Any]) -> None:
        in_period = self.period.start <= occurred_at < self.period.end
        if statement in INSTRUMENTS:
            self._instrument(statement, subject, occurred_at, value, in_period)
        if not in_period:
            return
        self.people.add(subject)
        self.people_with[statement].add(subject)
        if statement == 41:
            self.referred.add(subject)
            self.routes[str(value.get("route", "other"))] += 1
            self.referrals_by_week[self._week(occurred_at)] += 1
        elif statement == 122 and value.get("completed", True):
            self.what_matters.add(subject)
        elif statement in (36, 13):
            previous = self.latest[statement].get(subject)
            if previous is None or previous[0] <= occurred_at:
                self.latest[statement][subject] = (occurred_at, value)
        elif statement in (51, 108, 80, 81):
            name = {51: "reasons", 108: "themes", 80: "barriers", 81: "barriers"}[statement]
            for item in value.get(name) or ():
                self.mentions[(statement, str(item))].add(subject)
        elif statement == 47 and _number(value.get("days")) is not None:
            self.days_to_contact.append(float(value["days"]))
        elif statement == 109:
            (self.attended if value.get("attended") else self.not_attended).add(subject)
        elif statement == 112:
            self.activity_events += 1
            types = sorted({str(t) for t in value.get("activity_types") or ()}) or ["?"]
            area = str(value.get("local_authority") or value.get("region") or "?")
            for kind in types:
                self.activity_by_category[kind] += 1
                self.activity_by_area[(kind, area)] += 1
            nature = [t for t in GREEN_BLUE if t in types]
            for setting in nature or ["other"]:
                self.settings[setting] += 1
            if nature or value.get("green_prescribing"):
                self.green_blue += 1
        elif statement == 32 and value.get("carer"):
            self.carers.add(subject)
        elif statement in END_OF_SUPPORT and value.get(END_OF_SUPPORT[statement]) is not None:
            self.answers[statement][subject] = str(value[END_OF_SUPPORT[statement]])
        elif statement in YES_NO and isinstance(value.get(YES_NO[statement]), bool):
            self.yes_no[statement][subject] = value[YES_NO[statement]]
        elif statement == 82:
            if value.get("rater") == "practitioner" and value.get("met"):
                self.goals_met[subject] = str(value["met"])
            elif _number(value.get("score")) is not None:
                self.goal_scores.append(float(value["score"]))
        elif statement == 121 and _number(value.get("onward")) is not None:
            self.onward.append(int(value["onward"]))
        elif statement == 44:
            self.outcomes["accepted"].add(subject)
        elif statement == 49:
            self.outcomes["not_appropriate"].add(subject)

    def add_all(self, events: Iterable[tuple[int, str, datetime, Mapping[str, Any]]]) -> "Figures":
        for event in events:
            self.add(*event)
        return self

    def _instrument(self, statement: int, subject: str, occurred_at: datetime,
                    value: Mapping[str, Any], in_period: bool) -> None:
        instrument = str(value.get("instrument", ""))
        wave = value.get("wave")
        for item in INSTRUMENTS[statement]:
            score = _number(value.get(item))
            if score is None:
                continue
            paired = self.paired[(statement, instrument, item)]
            if wave == "baseline":
                if occurred_at < self.period.end:
                    earlier = paired.baseline.get(subject)
                    if earlier is None or occurred_at < earlier[0]:
                        paired.baseline[subject] = (occurred_at, score)
            elif in_period:
                later = paired.follow_up.get(subject)
                if later is None or occurred_at > later[0]:
                    paired.follow_up[subject] = (occurred_at, score)

    def _week(self, moment: datetime) -> date:
        day = moment.astimezone(self.zone).date()
        return day - timedelta(days=day.weekday())

    # ------------------------------------------------------------ results

    def result(self) -> dict[str, Any]:
        n = self._count
        referred, activity_people = len(self.referred), len(self.people_with[112])
        asked = self.attended | self.not_attended
        dropped = self.people_with[103]
        withdrew = self.people_with[102]
        accessed = self.attended & self.people_with[112]
        return {
            "period": {"from": self.period.first_day.isoformat(), "to": self.period.last_day.isoformat()},
            "threshold": self.threshold,
            "people": n(len(self.people)),
            "how_much": {
                "referrals": {
                    "total": n(sum(self.routes.values())),
                    "people": n(referred),
                    "by_week": self._weeks(),
                    "by_route": self._breakdown(41, "route", self.routes),
                },
                "what_matters": {"people": n(len(self.what_matters)), "referred_people": n(referred),
                                 "share": self._share(len(self.what_matters & self.referred), referred)},
                "accessed_prescribed": {"referred_to_activity": n(activity_people), "attended": n(len(accessed)),
                                        "share": self._share(len(accessed), activity_people)},
                "demographics": self._demographics(),
                "reasons": self._mentions(51, "reasons"),
                "activity_types": {
                    "people": n(activity_people),
                    "referrals": n(self.activity_events),
                    "by_category": suppression.breakdown(
                        self._ordered(112, "activity_types", self.activity_by_category),
                        total=self.activity_events, threshold=self.threshold),
                    "by_area": self._area_table(),
                },
                "carers": {"people": n(len(self.carers))},
            },
            "how_well": {
                "time_to_first_contact": self._days(),
                "attendance": {
                    # Of the people asked: attended at least once, or never (the two add up to asked).
                    "asked": n(len(asked)), "attended": n(len(self.attended)),
                    "did_not_attend": n(len(asked - self.attended)),
                    "attendance_rate": self._share(len(self.attended), len(asked)),
                    "disengaged": n(len(dropped)), "disengaged_share": self._share(len(dropped), activity_people),
                    "withdrew": n(len(withdrew)), "withdrew_share": self._share(len(withdrew), referred),
                },
                "themes": self._mentions(108, "themes"),
                "barriers": self._mentions(80, "barriers"),
                "barriers_practitioner": self._mentions(81, "barriers"),
                "language": self._latest_breakdown(13, "language"),
                "safeguarding": {"people": n(len(self.people_with[27]))},
            },
            "better_off": {
                "measures": self._paired_all(),
                "green_blue": {
                    "referrals": n(self.activity_events),
                    "by_setting": suppression.breakdown(
                        [(k, self.settings.get(k, 0)) for k in (*GREEN_BLUE, "other")],
                        total=self.activity_events, threshold=self.threshold),
                    "share": self._share(self.green_blue, self.activity_events),
                },
            },
            "end_of_support": self._end_of_support(),
            "protected": self._protected(),
            "referral_outcomes": {
                "referred": n(referred),
                "accepted": n(len(self.outcomes["accepted"])),
                "accepted_share": self._share(len(self.outcomes["accepted"]), referred),
                "not_appropriate": n(len(self.outcomes["not_appropriate"])),
                "not_appropriate_share": self._share(len(self.outcomes["not_appropriate"]), referred),
            },
            "table2_not_collected": [
                {"statement": number, "question": question}
                for question, numbers in self.catalogue.table2.items() for number in numbers
                if not self.catalogue[number].collected
            ],
        }

    def by_language(self, served: Mapping[str, bool] | None = None) -> list[dict[str, Any]]:
        """Outcomes by language of choice (13): attended, rated good, reliably better on SWEMWBS, served in it.

        `served` maps a person to whether their practitioner's language was the one they chose.
        """
        language_of = {subject: str(value.get("language")) for subject, (_, value) in self.latest[13].items()}
        asked = self.attended | self.not_attended
        swemwbs = self.paired.get((91, "swemwbs", "score"))
        threshold = THRESHOLDS.get((91, "swemwbs", "score"))
        rows = []
        for language in ("cy", "en"):
            people = {s for s, chosen in language_of.items() if chosen == language}
            asked_here, attended_here = asked & people, self.attended & people
            rated = {s: v for s, v in self.answers[94].items() if s in people}
            good = sum(v in ("very_good", "good") for v in rated.values())
            better = pairs = 0
            if swemwbs is not None and threshold is not None:
                changes = [score - swemwbs.baseline[s][1] for s, (when, score) in swemwbs.follow_up.items()
                           if s in people and s in swemwbs.baseline and swemwbs.baseline[s][0] <= when]
                better, pairs = classify(changes, threshold.value, "higher")[0], len(changes)
            known = {s: ok for s, ok in (served or {}).items() if s in people}
            rows.append({
                "language": language, "people": self._count(len(people)),
                "attended_share": self._share(len(attended_here), len(asked_here)),
                "rated_good_share": self._share(good, len(rated)),
                "reliably_better_share": self._share(better, pairs),
                "served_share": self._share(sum(known.values()), len(known)),
            })
        return rows

    def _end_of_support(self) -> dict[str, Any]:
        """The end-of-support answers (94, 72, 70, 83), goals (82), onward referrals (121), yes/no shares."""
        out: dict[str, Any] = {}
        for statement, name in END_OF_SUPPORT.items():
            counts = Counter(self.answers[statement].values())
            out[str(statement)] = {"people": self._count(len(self.answers[statement])),
                                   "rows": self._breakdown(statement, name, counts)}
        out["goals_met"] = {"people": self._count(len(self.goals_met)),
                            "rows": self._breakdown(82, "met", Counter(self.goals_met.values()))}
        scores = self.goal_scores
        out["goal_scores"] = {"answers": self._count(len(scores)),
                              "mean": statistics.fmean(scores) if len(scores) >= self.threshold else None}
        out["onward"] = {"cases": self._count(len(self.onward)),
                         "total": self._count(sum(self.onward)) if len(self.onward) >= self.threshold else None}
        out["yes_no"] = {str(statement): {"people": self._count(len(answers)),
                                          "yes": self._count(sum(answers.values())),
                                          "share": self._share(sum(answers.values()), len(answers))}
                         for statement, answers in self.yes_no.items()}
        return out

    def _protected(self) -> dict[str, Any]:
        """Protected characteristics from each person's latest statement 36, suppressed per field."""
        latest = [v for _, v in self.latest[36].values()]
        out = {}
        for name in PROTECTED:
            counts: Counter[str] = Counter()
            answered = 0
            for value in latest:
                given = value.get(name)
                if given in (None, "", []):
                    continue
                answered += 1
                for item in (given if isinstance(given, list) else [given]):
                    counts[str(item)] += 1
            out[name] = {"people": self._count(answered),
                         "rows": suppression.breakdown(self._ordered(36, name, counts), total=answered,
                                                       threshold=self.threshold)}
        return out

    def _count(self, value: int) -> int | None:
        return suppression.count(value, self.threshold)

    def _share(self, numerator: int, denominator: int) -> float | None:
        return suppression.share(numerator, denominator, self.threshold)

    def _ordered(self, statement: int, name: str, counts: Mapping[str, int]) -> list[tuple[str, int]]:
        """The catalogue's values in its order (zeros included), then any others seen."""
        spec = self.catalogue[statement].fields.get(name)
        known = list(spec.values) if spec else []
        return [(key, counts.get(key, 0)) for key in known] + \
               [(key, c) for key, c in sorted(counts.items()) if key not in known]

    def _breakdown(self, statement: int, name: str, counts: Mapping[str, int]) -> list[dict[str, Any]]:
        return suppression.breakdown(self._ordered(statement, name, counts), threshold=self.threshold)

    def _weeks(self) -> list[dict[str, Any]]:
        first = self.period.first_day - timedelta(days=self.period.first_day.weekday())
        weeks, week = [], first
        while week <= self.period.last_day:
            weeks.append((week.isoformat(), self.referrals_by_week.get(week, 0)))
            week += timedelta(days=7)
        return suppression.breakdown(weeks, threshold=self.threshold)

    def _mentions(self, statement: int, name: str) -> dict[str, Any]:
        people = len(self.people_with[statement])
        counts = {item: len(subjects) for (s, item), subjects in self.mentions.items() if s == statement}
        # People may give several answers, so rows are shares of the people who answered.
        rows = suppression.breakdown(self._ordered(statement, name, counts), total=people,
                                     threshold=self.threshold)
        return {"people": self._count(people), "rows": rows}

    def _latest_breakdown(self, statement: int, name: str) -> dict[str, Any]:
        counts = Counter(str(value.get(name, "?")) for _, value in self.latest[statement].values())
        return {"people": self._count(len(self.latest[statement])),
                "rows": self._breakdown(statement, name, counts)}

    def _demographics(self) -> dict[str, Any]:
        latest = self.latest[36].values()
        ages = Counter(str(v.get("age_band", "prefer_not_to_say")) for _, v in latest if v.get("age_band"))
        areas = Counter(str(v["postcode_area"]).upper() for _, v in latest if v.get("postcode_area"))
        return {"people": self._count(len(self.latest[36])),
                "age_bands": self._breakdown(36, "age_band", ages),
                "postcode_areas": suppression.breakdown(sorted(areas.items()), threshold=self.threshold)}

    def _area_table(self) -> dict[str, Any]:
        """Activity type by postcode area; each type's row is suppressed against its own total."""
        areas = sorted({area for _, area in self.activity_by_area})
        rows = []
        for category, _ in self._ordered(112, "activity_types", self.activity_by_category):
            if not self.activity_by_category.get(category):
                continue
            cells = suppression.breakdown([(a, self.activity_by_area.get((category, a), 0)) for a in areas],
                                          total=self.activity_by_category[category], threshold=self.threshold)
            rows.append({"category": category, "cells": [
                {"area": c["key"], "count": c["count"], "suppressed": c["suppressed"]} for c in cells]})
        return {"areas": areas, "rows": rows}

    def _days(self) -> dict[str, Any]:
        values = sorted(self.days_to_contact)
        if len(values) < self.threshold:
            return {"n": self._count(len(values)), "median": None, "mean": None, "q1": None, "q3": None}
        q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
        return {"n": len(values), "median": median, "mean": statistics.fmean(values), "q1": q1, "q3": q3}

    def _paired_all(self) -> list[dict[str, Any]]:
        rows = []
        shown = [(s, item) for s, items in INSTRUMENTS.items() for item in items]
        order = {key: i for i, key in enumerate(shown)}
        for (statement, instrument, item), paired in sorted(
                self.paired.items(), key=lambda kv: (order.get((kv[0][0], kv[0][2]), 99), kv[0][1])):
            spec = self.catalogue[statement].fields.get(item)
            better = spec.better if spec else None
            rows.append({"statement": statement, "instrument": instrument, "item": item,
                         "better": better, "range": list(spec.range) if spec and spec.range else None,
                         **paired_change(paired, self.threshold),
                         **self._reliable(paired, (statement, instrument, item), better)})
        return rows

    def _reliable(self, paired: Paired, key: tuple[int, str, str], better: str | None) -> dict[str, Any]:
        """Shares of people whose change exceeds the measure's reliable-change threshold, each way."""
        found = THRESHOLDS.get(key)
        if found is None:
            return {"reliable_threshold": None, "reliably_better": None, "reliably_worse": None,
                    "reliably_better_share": None, "reliably_worse_share": None}
        changes = [score - paired.baseline[s][1] for s, (when, score) in paired.follow_up.items()
                   if s in paired.baseline and paired.baseline[s][0] <= when]
        improved, _, worse = classify(changes, found.value, better)
        return {"reliable_threshold": round(found.value, 2),
                "reliably_better": self._count(improved), "reliably_worse": self._count(worse),
                "reliably_better_share": self._share(improved, len(changes)),
                "reliably_worse_share": self._share(worse, len(changes))}


def paired_change(paired: Paired, threshold: int = THRESHOLD) -> dict[str, Any]:
    """Mean change from baseline to follow-up with a 95% t confidence interval, if enough pairs."""
    pairs = [(paired.baseline[s][1], score) for s, (when, score) in paired.follow_up.items()
             if s in paired.baseline and paired.baseline[s][0] <= when]
    n = len(pairs)
    empty = {"pairs": suppression.count(n, threshold), "baseline_mean": None, "follow_up_mean": None,
             "change": None, "ci_low": None, "ci_high": None}
    if n < max(threshold, 2):
        return empty
    from scipy.stats import t

    changes = [after - before for before, after in pairs]
    mean = statistics.fmean(changes)
    spread = statistics.stdev(changes) / math.sqrt(n)
    margin = float(t.ppf(0.975, n - 1)) * spread
    return {"pairs": n, "baseline_mean": statistics.fmean(b for b, _ in pairs),
            "follow_up_mean": statistics.fmean(a for _, a in pairs),
            "change": mean, "ci_low": mean - margin, "ci_high": mean + margin}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None
