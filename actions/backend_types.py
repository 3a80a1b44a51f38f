"""The shapes of the backend's JSON that the actions read (see the backend's OpenAPI at /docs).

TypedDicts, not classes: the data stays the plain JSON the backend sent, and mypy checks that
the actions only read fields the backend really has.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, TypedDict


class LastReading(TypedDict):
    value: int
    reading_date: str
    type: str


class MeteringPoint(TypedDict):
    number: str
    energy: str
    unit: str
    nickname: Optional[str]
    reading_window_start_day: int
    reading_window_end_day: int
    access_level: str
    last_reading: Optional[LastReading]
    window_open_today: bool


class Reading(TypedDict):
    id: Optional[int]
    metering_point: str
    value: int
    reading_date: str
    type: str


class ReadingSubmit(TypedDict):
    reading: Reading
    duplicate: bool
    stored: bool
    unit: str


class ConsumptionPeriod(TypedDict):
    month: str
    consumption: int


class Consumption(TypedDict):
    metering_point: str
    unit: str
    since: Optional[str]
    periods: List[ConsumptionPeriod]


class Invoice(TypedDict):
    number: str
    kind: str
    metering_point: str
    metering_point_nickname: Optional[str]
    energy: str
    period_start: str
    period_end: str
    due_date: str
    amount_gross: str
    status: str
    paid_on: Optional[str]


class InvoiceList(TypedDict):
    items: List[Invoice]
    total: int


class Balance(TypedDict):
    open_total: str
    open_count: int
    overdue_total: str
    overdue_count: int


class PdfLink(TypedDict):
    token: str
    expires_at: str


class Amendment(TypedDict):
    number: int
    adopted_on: Optional[str]
    title: str
    changes: List[Any]


class Campaign(TypedDict):
    code: str
    name: str
    brand: str
    energy: str
    description: str
    status: str
    household_only: bool
    join_from: str
    join_to: str
    prices_valid_from: Optional[str]
    prices_valid_to: Optional[str]
    prices_valid_note: Optional[str]
    prices: List[Dict[str, Any]]
    fees: List[Dict[str, Any]]
    discounts: List[Dict[str, Any]]
    conditions: List[Any]
    required_documents: List[Any]
    amendments: List[Amendment]


class Reason(TypedDict, total=False):
    code: str
    join_to: str
    join_from: str
    other_campaign: str


class Eligibility(TypedDict):
    eligible: bool
    reasons: List[Reason]
    required_documents: List[Any]
    price_start_date_if_conditions_met_today: str


class Enrolment(TypedDict):
    campaign: str
    metering_point: str
    status: str
    price_start_date: Optional[str]
    required_documents: List[Any]


class VerificationStarted(TypedDict, total=False):
    expires_in_seconds: int


class Verified(TypedDict, total=False):
    token: str
    account_email_masked: str


class Subscription(TypedDict):
    """A notice subscription (GET/POST/DELETE /me/subscriptions): what, where (masked), when."""

    id: int
    metering_point: str
    metering_point_nickname: Optional[str]
    brand: str
    kind: str  # reading_reminder | invoice_notice
    channel: str  # sms | email | telegram
    masked_contact: str
    status: str
    consent_at: str
    consent_source: str
    ended_at: Optional[str]
    end_reason: Optional[str]
    window_start_day: Optional[int]
    window_end_day: Optional[int]
    next_reminder_on: Optional[str]
    quiet_start_hour: int
    quiet_end_hour: int


class SubscriptionResult(TypedDict):
    result: str  # created | existing | ended | already_ended …
    subscription: Subscription
    replaced_id: Optional[int]


class SubscriptionsEnded(TypedDict):
    result: str  # ended | none
    ended: int
    items: List[Subscription]
