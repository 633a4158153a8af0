"""All tables. Each feature keeps its models in its own module; importing them here registers them."""
from storage.models.base import Base
from storage.models.channels import DeliveryStatus
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
from storage.models.referral import AlertEvent, Referral, SafeguardingAlert, TeamRotation
from storage.models.checkins import Booking, Checkin, CheckinAnswer, CheckinScore, ContactPreference
from storage.models.core import (
    Conversation,
    DataSetEvent,
    InboundMessage,
    OutboundMessage,
    Person,
    PersonAddress,
)
from storage.models.dataset import DataSetScore
from storage.models.rights import ErasureRequest, OutboundSubject
from storage.models.end_of_support import CaseClosure, EndOfSupport

__all__ = [
    "AlertEvent", "AssetAccessibility", "AssetContact", "AssetCostOption", "AssetLanguage", "AssetLocation",
    "AssetOrganization", "AssetSchedule", "AssetService", "AssetServiceAtLocation",
    "AssetServiceTaxonomy", "AssetSignpost", "AssetTaxonomyTerm",
    "Base", "Booking", "CaseClosure", "EndOfSupport", "Checkin", "CheckinAnswer", "CheckinScore", "ContactPreference",
    "Consent", "Practitioner", "Team", "Conversation", "DataSetEvent", "DataSetScore", "DeliveryStatus",
    "ErasureRequest", "InboundMessage", "OutboundMessage", "OutboundSubject", "Person", "PersonAddress",
    "Referral", "SafeguardingAlert", "TeamRotation",
]
