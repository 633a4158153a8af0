"""All tables. Each feature keeps its models in its own module; importing them here registers them."""
from storage.models.base import Base
from storage.models.practitioners import Consent, Practitioner, Team
from storage.models.referral import AlertEvent, Referral, SafeguardingAlert, TeamRotation
from storage.models.core import (
    Conversation,
    DataSetEvent,
    InboundMessage,
    OutboundMessage,
    Person,
    PersonAddress,
)

__all__ = [
    "AlertEvent", "Referral", "SafeguardingAlert", "TeamRotation",
    "Base", "Consent", "Practitioner", "Team", "Conversation", "DataSetEvent", "InboundMessage", "OutboundMessage", "Person",
    "PersonAddress",
]
