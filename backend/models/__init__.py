"""All models imported here so Base.metadata is complete for Alembic and create_all."""

from backend.models.auth import SessionToken, UsageCounter, VerificationChallenge, VerificationGuard
from backend.models.base import (
    AccessLevel,
    Base,
    Channel,
    DeliveryChannel,
    Energy,
    InvoiceKind,
    ReadingType,
    SubscriptionKind,
)
from backend.models.campaign import Campaign, CampaignAmendment, CampaignEnrolment
from backend.models.customer import (
    AccountAccess,
    Brand,
    Contract,
    Customer,
    MeteringPoint,
    PortalAccount,
)
from backend.models.invoice import Invoice
from backend.models.notification import Notification, ReminderGrant, Subscription
from backend.models.reading import MeterReading
from backend.models.support import FaqFeedback, HandoffTicket, OutboxMessage

__all__ = [
    "AccessLevel", "AccountAccess", "Base", "Brand", "Campaign", "CampaignAmendment",
    "CampaignEnrolment", "Channel", "Contract", "Customer", "DeliveryChannel", "Energy", "FaqFeedback",
    "HandoffTicket", "Invoice", "InvoiceKind", "MeterReading", "MeteringPoint", "Notification",
    "OutboxMessage", "PortalAccount", "ReadingType", "ReminderGrant", "SessionToken", "Subscription",
    "SubscriptionKind", "UsageCounter", "VerificationChallenge", "VerificationGuard",
]
