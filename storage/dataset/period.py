"""A reporting period: whole local days, --from and --to both included."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date
    start: datetime   # UTC, included
    end: datetime     # UTC, excluded
    zone: str = "Europe/London"   # whose days they are

    @classmethod
    def of_days(cls, first_day: date, last_day: date, zone: str = "Europe/London") -> "Period":
        """From the start of `first_day` to the end of `last_day`, as the service's clocks show them."""
        if last_day < first_day:
            raise ValueError(f"--to {last_day} is before --from {first_day}")
        tz = ZoneInfo(zone)
        start = datetime.combine(first_day, time(0), tz).astimezone(timezone.utc)
        end = datetime.combine(last_day + timedelta(days=1), time(0), tz).astimezone(timezone.utc)
        return cls(first_day, last_day, start, end, zone)

    def label(self) -> str:
        return f"{self.first_day.isoformat()} – {self.last_day.isoformat()}"
