"""The report's figures, from aggregates the database works out (bot/report/query.py), suppressed.

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
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any, Mapping, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from bot.report import suppression
from bot.report.query import E, Pair, Reader
from bot.report.reliable_change import classify, load_thresholds
from bot.report.suppression import THRESHOLD
from storage.dataset.catalogue import Catalogue
from storage.dataset.period import Period
from storage.dataset.promoted import END_OF_SUPPORT, INSTRUMENTS, YES_NO

PROTECTED = ("sex", "gender_same", "ethnic_group", "disability", "welsh")
USED = ({13, 27, 32, 36, 41, 44, 47, 49, 51, 80, 81, 82, 102, 103, 106, 108, 109, 112, 121, 122}
        | set(INSTRUMENTS) | set(END_OF_SUPPORT) | set(YES_NO))
GREEN_BLUE = ("green", "blue")
THRESHOLDS = load_thresholds()
Measure = tuple[int, str, str]          # (statement, instrument, item)


class Figures:
    """One period's figures: `result()` gives them all, suppressed, as plain data."""

    def __init__(self, connection: Connection, period: Period, catalogue: Catalogue, zone: str = "Europe/London",
                 threshold: int = THRESHOLD, measures_until: datetime | None = None):
        self.read = Reader(connection, period)
        self.period = period
        self.catalogue = catalogue
        self.zone = ZoneInfo(zone)
        self.threshold = threshold
        # Which measures are listed: those scored before the period ends (or before `measures_until`,
        # so that a previous period lists the same measures as the period it is compared with).
        self.measures_until = measures_until or period.end
        self._pairs: dict[Measure, list[Pair]] | None = None

    @property
    def paired(self) -> dict[Measure, list[Pair]]:
        if self._pairs is None:
            self._pairs = self.read.pairs(self.read.measures(self.measures_until))
        return self._pairs

    # ------------------------------------------------------------ results

    def result(self) -> dict[str, Any]:
        n, read = self._count, self.read
        each = read.people_each((112, 103, 102, 27))
        referred, activity_people = read.people(41), each[112]
        asked, attended = read.people(109), read.people(109, where=(E.c.flag.is_(True),))
        accessed = read.both(109, 112, where=(E.c.flag.is_(True),))
        dropped, withdrew = each[103], each[102]
        what_matters = (E.c.flag.is_(True),)
        activities = read.activities()
        activity_events = sum(count for *_, count in activities)
        by_category, by_area, settings, green_blue = _fold_activities(activities)
        # A referral closed as not appropriate (49) was redirected to another service, or not.
        outcomes = {"accepted": read.people(44), "not_appropriate": read.people(49, where=(E.c.flag.isnot(True),)),
                    "redirected": read.people(49, where=(E.c.flag.is_(True),))}
        latest36 = read.latest_fields(36)
        return {
            "period": {"from": self.period.first_day.isoformat(), "to": self.period.last_day.isoformat()},
            "threshold": self.threshold,
            "people": n(read.people(*sorted(USED))),
            "how_much": {
                "referrals": {
                    "total": n(read.events(41)),
                    "people": n(referred),
                    "by_week": self._weeks(),
                    "by_route": self._breakdown(41, "route", read.counts(41, "answer")),
                },
                "what_matters": {"people": n(read.people(122, where=what_matters)), "referred_people": n(referred),
                                 "share": self._share(read.both(122, 41, where=what_matters), referred)},
                "accessed_prescribed": {"referred_to_activity": n(activity_people), "attended": n(accessed),
                                        "share": self._share(accessed, activity_people)},
                "demographics": self._demographics(latest36),
                "reasons": self._mentions(51, "reasons"),
                "activity_types": {
                    "people": n(activity_people),
                    "referrals": n(activity_events),
                    "by_category": suppression.breakdown(
                        self._ordered(112, "activity_types", by_category),
                        total=activity_events, threshold=self.threshold),
                    "by_area": self._area_table(by_category, by_area),
                },
                "carers": {"people": n(read.people(32, where=(E.c.flag.is_(True),)))},
            },
            "how_well": {
                "time_to_first_contact": self._days(read.amounts(47)),
                "attendance": {
                    # Of the people asked: attended at least once, or never (the two add up to asked).
                    "asked": n(asked), "attended": n(attended),
                    "did_not_attend": n(asked - attended),
                    "attendance_rate": self._share(attended, asked),
                    "disengaged": n(dropped), "disengaged_share": self._share(dropped, activity_people),
                    "withdrew": n(withdrew), "withdrew_share": self._share(withdrew, referred),
                },
                "themes": self._mentions(108, "themes"),
                "barriers": self._mentions(80, "barriers"),
                "barriers_practitioner": self._mentions(81, "barriers"),
                "language": self._latest_breakdown(13, "language"),
                "safeguarding": {"people": n(each[27])},
            },
            "better_off": {
                "measures": self._paired_all(),
                "green_blue": {
                    "referrals": n(activity_events),
                    "by_setting": suppression.breakdown(
                        [(k, settings.get(k, 0)) for k in (*GREEN_BLUE, "other")],
                        total=activity_events, threshold=self.threshold),
                    "share": self._share(green_blue, activity_events),
                },
            },
            "end_of_support": self._end_of_support(),
            "protected": self._protected(latest36),
            "referral_outcomes": {
                "referred": n(referred),
                "accepted": n(outcomes["accepted"]),
                "accepted_share": self._share(outcomes["accepted"], referred),
                "not_appropriate": n(outcomes["not_appropriate"]),
                "not_appropriate_share": self._share(outcomes["not_appropriate"], referred),
                "redirected": n(outcomes["redirected"]),
                "redirected_share": self._share(outcomes["redirected"], referred),
            },
            "table2_not_collected": [
                {"statement": number, "question": question}
                for question, numbers in self.catalogue.table2.items() for number in numbers
                if not self.catalogue[number].collected
            ],
        }

    def headline(self) -> dict[str, Any]:
        """The few figures the summary compares with the previous period (only these are read)."""
        read = self.read
        asked, attended = read.people(109), read.people(109, where=(E.c.flag.is_(True),))
        reliable = {f"{s}:{i}:{item}": self._reliable(pairs, (s, i, item), self._better(s, item))
                    ["reliably_better_share"] for (s, i, item), pairs in self._sorted_pairs()}
        return {"period": {"from": self.period.first_day.isoformat(), "to": self.period.last_day.isoformat()},
                "referrals": self._count(read.events(41)), "people": self._count(read.people(41)),
                "attended": self._count(attended), "asked": self._count(asked),
                "attendance_rate": self._share(attended, asked), "reliably_better": reliable}

    def by_language(self, served: Mapping[str, bool] | None = None) -> list[dict[str, Any]]:
        """Outcomes by language of choice (13): attended, rated good, reliably better on SWEMWBS, served in it.

        `served` maps a person to whether their practitioner's language was the one they chose.
        """
        read = self.read
        language_of = read.languages()
        asked, attended = read.subjects_of(109), read.subjects_of(109, where=(E.c.flag.is_(True),))
        ratings = read.latest_answers(94)
        swemwbs = self.paired.get((91, "swemwbs", "score"))
        threshold = THRESHOLDS.get((91, "swemwbs", "score"))
        rows = []
        for language in ("cy", "en"):
            people = {s for s, chosen in language_of.items() if chosen == language}
            rated = [v for s, v in ratings.items() if s in people]
            good = sum(v in ("very_good", "good") for v in rated)
            better = pairs = 0
            if swemwbs is not None and threshold is not None:
                changes = [p.follow_up - p.baseline for p in swemwbs if p.subject in people]
                better, pairs = classify(changes, threshold.value, "higher")[0], len(changes)
            known = {s: ok for s, ok in (served or {}).items() if s in people}
            rows.append({
                "language": language, "people": self._count(len(people)),
                "attended_share": self._share(len(attended & people), len(asked & people)),
                "rated_good_share": self._share(good, len(rated)),
                "reliably_better_share": self._share(better, pairs),
                "served_share": self._share(sum(known.values()), len(known)),
            })
        return rows

    def _end_of_support(self) -> dict[str, Any]:
        """The end-of-support answers (94, 72, 70, 83), goals (82), onward referrals (121), yes/no shares."""
        read = self.read
        out: dict[str, Any] = {}
        for statement, name in END_OF_SUPPORT.items():
            counts = read.latest_counts(statement, "answer")
            out[str(statement)] = {"people": self._count(sum(counts.values())),
                                   "rows": self._breakdown(statement, name, counts)}
        met = read.latest_counts(82, "answer")
        out["goals_met"] = {"people": self._count(sum(met.values())), "rows": self._breakdown(82, "met", met)}
        scores = read.amounts(82)
        out["goal_scores"] = {"answers": self._count(len(scores)),
                              "mean": statistics.fmean(scores) if len(scores) >= self.threshold else None}
        onward = [int(a) for a in read.amounts(121)]
        out["onward"] = {"cases": self._count(len(onward)),
                         "total": self._count(sum(onward)) if len(onward) >= self.threshold else None}
        out["yes_no"] = {str(statement): {"people": self._count(people), "yes": self._count(yes),
                                          "share": self._share(yes, people)}
                         for statement, (people, yes) in read.yes_no(YES_NO).items()}
        return out

    def _protected(self, latest: tuple[int, list[tuple[str, Any, int]]]) -> dict[str, Any]:
        """Protected characteristics from each person's latest statement 36, suppressed per field."""
        _, fields = latest
        out = {}
        for name in PROTECTED:
            counts: Counter[str] = Counter()
            answered = 0
            for field, given, people in fields:
                if field != name or given in (None, "", []):
                    continue
                answered += people
                for item in (given if isinstance(given, list) else [given]):
                    counts[str(item)] += people
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
        by_week: Counter[date] = Counter()
        for hour, count in self.read.referral_hours():
            by_week[self._week(hour)] += count
        first = self.period.first_day - timedelta(days=self.period.first_day.weekday())
        weeks, week = [], first
        while week <= self.period.last_day:
            weeks.append((week.isoformat(), by_week.get(week, 0)))
            week += timedelta(days=7)
        return suppression.breakdown(weeks, threshold=self.threshold)

    def _week(self, moment: datetime) -> date:
        day = moment.astimezone(self.zone).date()
        return day - timedelta(days=day.weekday())

    def _mentions(self, statement: int, name: str) -> dict[str, Any]:
        people = self.read.people(statement)
        # People may give several answers, so rows are shares of the people who answered.
        rows = suppression.breakdown(self._ordered(statement, name, self.read.mentions(statement)), total=people,
                                     threshold=self.threshold)
        return {"people": self._count(people), "rows": rows}

    def _latest_breakdown(self, statement: int, name: str) -> dict[str, Any]:
        counts = self.read.latest_counts(statement, "answer")
        return {"people": self._count(sum(counts.values())), "rows": self._breakdown(statement, name, counts)}

    def _demographics(self, latest: tuple[int, list[tuple[str, Any, int]]]) -> dict[str, Any]:
        people, fields = latest
        ages: Counter[str] = Counter()
        areas: Counter[str] = Counter()
        for field, given, n in fields:
            if field == "age_band" and given:
                ages[str(given)] += n
            elif field == "postcode_area" and given:
                areas[str(given).upper()] += n
        return {"people": self._count(people),
                "age_bands": self._breakdown(36, "age_band", ages),
                "postcode_areas": suppression.breakdown(sorted(areas.items()), threshold=self.threshold)}

    def _area_table(self, by_category: Counter[str], by_area: Counter[tuple[str, str]]) -> dict[str, Any]:
        """Activity type by postcode area; each type's row is suppressed against its own total."""
        areas = sorted({area for _, area in by_area})
        rows = []
        for category, _ in self._ordered(112, "activity_types", by_category):
            if not by_category.get(category):
                continue
            cells = suppression.breakdown([(a, by_area.get((category, a), 0)) for a in areas],
                                          total=by_category[category], threshold=self.threshold)
            rows.append({"category": category, "cells": [
                {"area": c["key"], "count": c["count"], "suppressed": c["suppressed"]} for c in cells]})
        return {"areas": areas, "rows": rows}

    def _days(self, values: list[float]) -> dict[str, Any]:
        if len(values) < self.threshold:
            return {"n": self._count(len(values)), "median": None, "mean": None, "q1": None, "q3": None}
        q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
        return {"n": len(values), "median": median, "mean": statistics.fmean(values), "q1": q1, "q3": q3}

    def _sorted_pairs(self) -> list[tuple[Measure, list[Pair]]]:
        shown = [(s, item) for s, items in INSTRUMENTS.items() for item in items]
        order = {key: i for i, key in enumerate(shown)}
        return sorted(self.paired.items(), key=lambda kv: (order.get((kv[0][0], kv[0][2]), 99), kv[0][1]))

    def _better(self, statement: int, item: str) -> str | None:
        spec = self.catalogue[statement].fields.get(item)
        return spec.better if spec else None

    def _paired_all(self) -> list[dict[str, Any]]:
        rows = []
        for (statement, instrument, item), pairs in self._sorted_pairs():
            spec = self.catalogue[statement].fields.get(item)
            better = self._better(statement, item)
            rows.append({"statement": statement, "instrument": instrument, "item": item,
                         "better": better, "range": list(spec.range) if spec and spec.range else None,
                         **paired_change(pairs, self.threshold),
                         **self._reliable(pairs, (statement, instrument, item), better)})
        return rows

    def _reliable(self, pairs: Sequence[Pair], key: Measure, better: str | None) -> dict[str, Any]:
        """Shares of people whose change exceeds the measure's reliable-change threshold, each way."""
        found = THRESHOLDS.get(key)
        if found is None:
            return {"reliable_threshold": None, "reliably_better": None, "reliably_worse": None,
                    "reliably_better_share": None, "reliably_worse_share": None}
        changes = [p.follow_up - p.baseline for p in pairs]
        improved, _, worse = classify(changes, found.value, better)
        return {"reliable_threshold": round(found.value, 2),
                "reliably_better": self._count(improved), "reliably_worse": self._count(worse),
                "reliably_better_share": self._share(improved, len(changes)),
                "reliably_worse_share": self._share(worse, len(changes))}


def _fold_activities(groups: Sequence[tuple[list[str], str, bool, int]]):
    """Statement 112's groups folded into per-type, per-(type, area) and per-setting event counts."""
    by_category: Counter[str] = Counter()
    by_area: Counter[tuple[str, str]] = Counter()
    settings: Counter[str] = Counter()
    green_blue = 0
    for listed, area, green_prescribing, count in groups:
        types = sorted({str(t) for t in listed}) or ["?"]
        for kind in types:
            by_category[kind] += count
            by_area[(kind, area)] += count
        nature = [t for t in GREEN_BLUE if t in types]
        for setting in nature or ["other"]:
            settings[setting] += count
        if nature or green_prescribing:
            green_blue += count
    return by_category, by_area, settings, green_blue


def paired_change(pairs: Sequence[Pair], threshold: int = THRESHOLD) -> dict[str, Any]:
    """Mean change from baseline to follow-up with a 95% t confidence interval, if enough pairs."""
    n = len(pairs)
    empty = {"pairs": suppression.count(n, threshold), "baseline_mean": None, "follow_up_mean": None,
             "change": None, "ci_low": None, "ci_high": None}
    if n < max(threshold, 2):
        return empty
    # Student's t quantile from scipy.special (what scipy.stats' t.ppf calls): scipy.stats takes
    # seconds to import on a loaded machine, a third of the report's time.
    from scipy.special import stdtrit

    changes = [p.follow_up - p.baseline for p in pairs]
    mean = statistics.fmean(changes)
    spread = statistics.stdev(changes) / math.sqrt(n)
    margin = float(stdtrit(n - 1, 0.975)) * spread
    return {"pairs": n, "baseline_mean": statistics.fmean(p.baseline for p in pairs),
            "follow_up_mean": statistics.fmean(p.follow_up for p in pairs),
            "change": mean, "ci_low": mean - margin, "ci_high": mean + margin}
