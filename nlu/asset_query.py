"""What someone is looking for in the asset directory, as far as their words say: the value the
search flow reads from a message (flows/asset_query.py) and storage searches with, kept here so
storage/ need not import flows/."""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, Mapping

AGE_RANGES = {"children": (0, 15), "young_people": (11, 25), "adults": (18, 64), "older_people": (60, 120)}


@dataclass(frozen=True)
class AssetQuery:
    """What someone is looking for, as far as their words say."""

    text: str = ""
    categories: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()          # directory words to look for (folded stems)
    words: tuple[str, ...] = ()          # other words: maybe a bare place name, else looked for too
    places: tuple[str, ...] = ()         # phrases after "in", "near", "ger", "yng"...
    maybe_places: tuple[str, ...] = ()   # phrases after "yn", "i", "o": places only if known
    postcode: str = ""
    radius_km: float | None = None
    welsh: bool = False
    free: bool = False
    wheelchair: bool = False
    age_group: str = ""
    days: tuple[str, ...] = ()
    setting: str = ""
    anywhere: bool = False               # "anywhere"/"unrhyw le": no place wanted
    generic: bool = False                # "activities", "anything", "gweithgareddau": any kind

    def has_subject(self) -> bool:
        """Whether it says what to look for (not only where)."""
        return bool(self.categories or self.terms or self.words)

    def has_place(self) -> bool:
        return bool(self.places or self.maybe_places or self.postcode or self.anywhere)

    def has_filters(self) -> bool:
        return bool(self.welsh or self.free or self.wheelchair or self.age_group or self.days or self.setting
                    or self.radius_km)

    def is_search(self) -> bool:
        """Whether these words look like someone asking for an activity."""
        if self.categories or self.terms:
            return True
        # "anything in Cardiff", "outdoors in Llandudno", "free things for children".
        return (self.generic or self.has_filters()) and (self.has_place() or self.has_filters()) and (
            self.generic or self.has_place())

    def merged(self, newer: "AssetQuery") -> "AssetQuery":
        """A refinement ("free ones in Welsh") applied to this search: new words win, filters add up."""
        return replace(
            self,
            text=f"{self.text} / {newer.text}".strip(" /"),
            categories=newer.categories or self.categories,
            terms=newer.terms if newer.has_subject() else self.terms,
            words=newer.words if newer.has_subject() else self.words,
            places=newer.places if newer.has_place() else self.places,
            maybe_places=newer.maybe_places if newer.has_place() else self.maybe_places,
            postcode=newer.postcode if newer.has_place() else self.postcode,
            anywhere=newer.anywhere if newer.has_place() else self.anywhere,
            radius_km=newer.radius_km or self.radius_km,
            welsh=self.welsh or newer.welsh, free=self.free or newer.free,
            wheelchair=self.wheelchair or newer.wheelchair, age_group=newer.age_group or self.age_group,
            days=newer.days or self.days, setting=newer.setting or self.setting,
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> "AssetQuery":
        if not data:
            return cls()
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()
                  if k in cls.__dataclass_fields__}
        return cls(**values)
