"""The community asset directory, modelled on Open Referral UK 3.0 (HSDS 3.0 UK profile).

Tables follow the ORUK objects (organization, service, location, service_at_location,
taxonomy_term, schedule, language, cost_option, accessibility, contact). Welsh text sits beside
the English in `*_cy` columns (ORUK has one text per field; we export Welsh as extension
properties). A few facts the search filters on (Welsh-medium, free, wheelchair access, setting,
categories, the first location's coordinates) are copied onto the service row when it is
imported, so one query can filter and rank without joining nine tables.

Services, organisations, locations and taxonomy terms keep their ORUK ids (imports upsert by
them); the rows inside a service keep theirs in `oruk_id` beside a surrogate key, so two feeds
that reuse a schedule id cannot collide.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, JSONValue, UTCDateTime

# The categories people ask for; "green" and "blue" are tagged for green prescribing reports.
CATEGORIES = (
    "green", "blue", "creative", "social", "physical_activity", "learning_skills",
    "money_advice", "carers", "children_families", "older_people", "volunteering",
    "mental_wellbeing",
)
# What Core Data Set statement 119 calls the form of support each category gives.
SUPPORT_FORM = {
    "green": "physical", "blue": "physical", "physical_activity": "physical",
    "creative": "mental", "mental_wellbeing": "mental", "learning_skills": "social",
    "social": "social", "older_people": "social", "children_families": "social",
    "volunteering": "social", "carers": "social", "money_advice": "financial",
}
SERVICE_TYPES = ("statutory", "community_group", "voluntary_sector")
SETTINGS = ("indoors", "outdoors", "both", "online")


class AssetOrganization(Base):
    """ORUK organization: who runs the service."""

    __tablename__ = "asset_organization"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    name_cy: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    description_cy: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(255))
    website: Mapped[str | None] = mapped_column(String(500))
    phone: Mapped[str | None] = mapped_column(String(64))
    # statutory / community_group / voluntary_sector (Core Data Set statement 120).
    service_type: Mapped[str] = mapped_column(String(32), nullable=False, default="community_group")


class AssetService(Base):
    """ORUK service: the activity a person can go to, with the facts search filters on."""

    __tablename__ = "asset_service"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("asset_organization.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    name_cy: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    description_cy: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32), nullable=False, default="active")
    fees: Mapped[str | None] = mapped_column(Text)
    minimum_age: Mapped[int | None] = mapped_column(Integer)
    maximum_age: Mapped[int | None] = mapped_column(Integer)
    last_modified: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where the record came from: "sample" for the shipped sample directory, else the import's name.
    source: Mapped[str] = mapped_column(String(64), nullable=False, default="import")
    # The whole ORUK record as imported, so export gives back what we were given.
    raw: Mapped[dict] = mapped_column(JSONValue, nullable=False, default=dict)

    # ---- copied from the related rows at import, for filtering and ranking in one query
    categories: Mapped[str] = mapped_column(String(255), nullable=False, default="")  # " green blue "
    welsh_medium: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    bilingual: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    free: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    wheelchair: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    setting: Mapped[str] = mapped_column(String(16), nullable=False, default="indoors")
    days: Mapped[str] = mapped_column(String(32), nullable=False, default="")  # " MO TH "
    latitude: Mapped[float | None] = mapped_column(Float, index=True)
    longitude: Mapped[float | None] = mapped_column(Float)
    town: Mapped[str | None] = mapped_column(String(128))
    town_cy: Mapped[str | None] = mapped_column(String(128))
    search_document: Mapped[str] = mapped_column(Text, nullable=False, default="")

    organization: Mapped[AssetOrganization | None] = relationship(lazy="joined")
    schedules: Mapped[list[AssetSchedule]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="AssetSchedule.id")
    languages: Mapped[list[AssetLanguage]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="AssetLanguage.id")
    cost_options: Mapped[list[AssetCostOption]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="AssetCostOption.id")
    contacts: Mapped[list[AssetContact]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="AssetContact.id")
    service_at_locations: Mapped[list[AssetServiceAtLocation]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="AssetServiceAtLocation.id")
    taxonomy_links: Mapped[list[AssetServiceTaxonomy]] = relationship(
        cascade="all, delete-orphan", lazy="selectin")

    def category_list(self) -> list[str]:
        return self.categories.split()


class AssetLocation(Base):
    """ORUK location with its (first) address and accessibility."""

    __tablename__ = "asset_location"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(255))
    name_cy: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    description_cy: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    address_1: Mapped[str | None] = mapped_column(String(255))
    city: Mapped[str | None] = mapped_column(String(128))
    region: Mapped[str | None] = mapped_column(String(128))
    postal_code: Mapped[str | None] = mapped_column(String(16))
    # How to get there (bus routes, parking): Cyswllt extension, in both languages.
    transport: Mapped[str | None] = mapped_column(Text)
    transport_cy: Mapped[str | None] = mapped_column(Text)

    accessibility: Mapped[list[AssetAccessibility]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="AssetAccessibility.id")


class AssetServiceAtLocation(Base):
    """ORUK service_at_location: a service delivered at a location."""

    __tablename__ = "asset_service_at_location"

    id: Mapped[int] = mapped_column(primary_key=True)
    oruk_id: Mapped[str | None] = mapped_column(String(64))
    service_id: Mapped[str] = mapped_column(ForeignKey("asset_service.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[str] = mapped_column(ForeignKey("asset_location.id", ondelete="CASCADE"), index=True)

    location: Mapped[AssetLocation] = relationship(lazy="selectin")


class AssetTaxonomyTerm(Base):
    """ORUK taxonomy_term: a category (ours, or another taxonomy's term kept as given)."""

    __tablename__ = "asset_taxonomy_term"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    code: Mapped[str | None] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    name_cy: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    taxonomy: Mapped[str | None] = mapped_column(String(128))
    parent_id: Mapped[str | None] = mapped_column(String(64))


class AssetServiceTaxonomy(Base):
    """ORUK attribute linking a service to a taxonomy term."""

    __tablename__ = "asset_service_taxonomy"
    __table_args__ = (UniqueConstraint("service_id", "taxonomy_term_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("asset_service.id", ondelete="CASCADE"), index=True)
    taxonomy_term_id: Mapped[str] = mapped_column(
        ForeignKey("asset_taxonomy_term.id", ondelete="CASCADE"), index=True)

    term: Mapped[AssetTaxonomyTerm] = relationship(lazy="selectin")


class AssetSchedule(Base):
    """ORUK schedule (iCal-like): which days and hours."""

    __tablename__ = "asset_schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    oruk_id: Mapped[str | None] = mapped_column(String(64))
    service_id: Mapped[str] = mapped_column(ForeignKey("asset_service.id", ondelete="CASCADE"), index=True)
    freq: Mapped[str | None] = mapped_column(String(16))
    interval: Mapped[int | None] = mapped_column(Integer)
    byday: Mapped[str | None] = mapped_column(String(64))
    opens_at: Mapped[str | None] = mapped_column(String(8))
    closes_at: Mapped[str | None] = mapped_column(String(8))
    description: Mapped[str | None] = mapped_column(Text)
    description_cy: Mapped[str | None] = mapped_column(Text)


class AssetLanguage(Base):
    """ORUK language: a language the service is delivered in (ISO 639 code)."""

    __tablename__ = "asset_language"

    id: Mapped[int] = mapped_column(primary_key=True)
    oruk_id: Mapped[str | None] = mapped_column(String(64))
    service_id: Mapped[str] = mapped_column(ForeignKey("asset_service.id", ondelete="CASCADE"), index=True)
    code: Mapped[str | None] = mapped_column(String(8))
    name: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)


class AssetCostOption(Base):
    """ORUK cost_option: what it costs (amount 0 means free)."""

    __tablename__ = "asset_cost_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    oruk_id: Mapped[str | None] = mapped_column(String(64))
    service_id: Mapped[str] = mapped_column(ForeignKey("asset_service.id", ondelete="CASCADE"), index=True)
    option: Mapped[str | None] = mapped_column(Text)
    option_cy: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[float | None] = mapped_column(Numeric(10, 2, asdecimal=False))
    amount_description: Mapped[str | None] = mapped_column(Text)
    amount_description_cy: Mapped[str | None] = mapped_column(Text)


class AssetAccessibility(Base):
    """ORUK accessibility of a location."""

    __tablename__ = "asset_accessibility"

    id: Mapped[int] = mapped_column(primary_key=True)
    oruk_id: Mapped[str | None] = mapped_column(String(64))
    location_id: Mapped[str] = mapped_column(ForeignKey("asset_location.id", ondelete="CASCADE"), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    description_cy: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)
    wheelchair: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class AssetContact(Base):
    """ORUK contact for a service."""

    __tablename__ = "asset_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    oruk_id: Mapped[str | None] = mapped_column(String(64))
    service_id: Mapped[str] = mapped_column(ForeignKey("asset_service.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(255))


class AssetSignpost(Base):
    """A person chose an asset: signposted (going themselves) or referred via their practitioner."""

    __tablename__ = "asset_signpost"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    # Kept when the service is later removed from the directory, so reports still add up.
    service_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    service_name: Mapped[str] = mapped_column(String(255), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # "signposted" or "referred"
    practitioner_told: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
