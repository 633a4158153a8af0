"""All tables. Each feature keeps its models in its own module; importing them here registers them."""
from storage.models.base import Base
from storage.models.practitioners import Consent, Practitioner, Team
from storage.models.checkins import Booking, Checkin, CheckinAnswer, CheckinScore, ContactPreference
from storage.models.core import (
    Conversation,
    DataSetEvent,
    InboundMessage,
    OutboundMessage,
    Person,
    PersonAddress,
)

__all__ = [
    "Booking", "Checkin", "CheckinAnswer", "CheckinScore", "ContactPreference",
    "Base", "Consent", "Practitioner", "Team", "Conversation", "DataSetEvent", "InboundMessage", "OutboundMessage", "Person",
    "PersonAddress",
]
