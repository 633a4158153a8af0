"""When the practitioners' team works: told to a person in crisis, honestly (issue 14, item 4)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bot.catalog import Catalog

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {"mon": "service_hours.day_mon", "tue": "service_hours.day_tue", "wed": "service_hours.day_wed",
             "thu": "service_hours.day_thu", "fri": "service_hours.day_fri", "sat": "service_hours.day_sat",
             "sun": "service_hours.day_sun"}


@dataclass(frozen=True)
class ServiceHours:
    days: tuple[int, ...]          # 0 Monday .. 6 Sunday
    start: time
    end: time
    zone: ZoneInfo

    @classmethod
    def from_settings(cls, service: Any) -> "ServiceHours":
        return cls(tuple(sorted(DAYS.index(d) for d in set(service.hours_days))),
                   time.fromisoformat(service.hours_start), time.fromisoformat(service.hours_end),
                   ZoneInfo(service.timezone))

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(self.zone)
        return local.weekday() in self.days and self.start <= local.time() < self.end

    def describe(self, catalog: Catalog, language: str) -> str:
        """E.g. "Mon-Fri 09:00-17:00" / "Llun-Gwener 09:00-17:00": runs of days joined by a dash."""
        runs: list[list[int]] = []
        for day in self.days:
            if runs and day == runs[-1][-1] + 1:
                runs[-1].append(day)
            else:
                runs.append([day])
        name = lambda day: catalog.text(DAY_NAMES[DAYS[day]], language)  # noqa: E731
        days = ", ".join(name(r[0]) if len(r) == 1 else f"{name(r[0])}-{name(r[-1])}" for r in runs)
        return f"{days} {self.start:%H:%M}-{self.end:%H:%M}"
