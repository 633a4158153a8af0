"""All tables. Each feature keeps its models in its own module; importing them here registers them."""
from storage.models.base import Base
from storage.models.assets import (
    AssetAccessibility,
    AssetContact,
    AssetCostOption,
    AssetLanguage,
    AssetLocation,
    AssetOrganization,
    AssetSchedule,
    AssetService,
    AssetServiceAtLocation,
    AssetServiceTaxonomy,
    AssetSignpost,
    AssetTaxonomyTerm,
)
from storage.models.practitioners import Consent, Practitioner, Team
from storage.models.core import (
    Conversation,
    DataSetEvent,
    InboundMessage,
    OutboundMessage,
    Person,
    PersonAddress,
)

__all__ = [
    "AssetAccessibility", "AssetContact", "AssetCostOption", "AssetLanguage", "AssetLocation",
    "AssetOrganization", "AssetSchedule", "AssetService", "AssetServiceAtLocation",
    "AssetServiceTaxonomy", "AssetSignpost", "AssetTaxonomyTerm",
    "Base", "Consent", "Practitioner", "Team", "Conversation", "DataSetEvent", "InboundMessage", "OutboundMessage", "Person",
    "PersonAddress",
]
