"""Constants of the SMSGateway24 integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "smsgateway24"
LOGGER = logging.getLogger(__package__)

CONF_ADVANCED: Final = "advanced"
CONF_DEVICE_ID: Final = "device_id"
CONF_SIM: Final = "sim"
CONF_SCAN_INTERVAL: Final = "scan_interval"
CONF_ONLINE_TIMEOUT: Final = "online_timeout"
CONF_CATCH_UP_HOURS: Final = "catch_up_hours"

# A recipient subentry: one notify entity that sends to one address.
SUBENTRY_RECIPIENT: Final = "recipient"
CONF_CHANNEL: Final = "channel"
CONF_ADDRESS: Final = "address"
CHANNEL_SMS: Final = "sms"
CHANNEL_WHATSAPP_BUSINESS: Final = "whatsapp_business"
CHANNEL_WHATSAPP: Final = "whatsapp"
CHANNEL_RCS: Final = "rcs"
CHANNEL_TELEGRAM: Final = "telegram"
# The channels of send_sms; a recipient may also use Telegram.
MESSAGE_CHANNELS: Final = (
    CHANNEL_SMS,
    CHANNEL_WHATSAPP_BUSINESS,
    CHANNEL_WHATSAPP,
    CHANNEL_RCS,
)
RECIPIENT_CHANNELS: Final = (*MESSAGE_CHANNELS, CHANNEL_TELEGRAM)
# A backup route subentry: a cloud SMS API that sends when the phone cannot.
SUBENTRY_ROUTE: Final = "route"
CONF_PROVIDER: Final = "provider"
PROVIDER_SEVEN: Final = "seven"
PROVIDER_UBILL: Final = "ubill"
PROVIDERS: Final = (PROVIDER_SEVEN, PROVIDER_UBILL)
# The providers' own names, as they write them (names are not translated).
PROVIDER_NAMES: Final = {PROVIDER_SEVEN: "seven.io", PROVIDER_UBILL: "UBill"}
# A route's sender is CONF_SENDER (seven's name or number); seven signs its
# webhooks with a secret; UBill sends under a brand (sender name) of the account.
CONF_SIGNING_SECRET: Final = "signing_secret"  # noqa: S105  # a field's name
CONF_BRAND_ID: Final = "brand_id"
# Options of failover: the route that sends when the phone cannot, and the
# minutes without a "sent" status before an alert goes out through it again
# (0: only when the phone is offline or the provider refuses).
CONF_FALLBACK_ROUTE: Final = "fallback_route"
CONF_FAILOVER_AFTER: Final = "failover_after"
DEFAULT_FAILOVER_AFTER: Final = 0
# An alert a day late is news, no longer an alert.
MAX_FAILOVER_AFTER: Final = 1440
# A route's balance changes when it sends (which refreshes it at once) or when
# its account is topped up, which can wait: an hourly request keeps a backup
# route that may never send nearly free.
ROUTE_BALANCE_INTERVAL: Final = timedelta(hours=1)
# What one SMS costs through seven until a send says: its list price of an SMS
# to a German number, in euros. A balance below it raises a repair issue.
DEFAULT_SEVEN_SMS_PRICE: Final = 0.075
# The route of a message: the phone's, or a backup route's provider.
ROUTE_PHONE: Final = "phone"
CONF_WEBHOOK: Final = "webhook"
CONF_WEBHOOK_ID: Final = "webhook_id"

DEFAULT_SCAN_INTERVAL: Final = 60
MIN_SCAN_INTERVAL: Final = 15
MAX_SCAN_INTERVAL: Final = 3600
DEFAULT_ONLINE_TIMEOUT: Final = 10
MIN_ONLINE_TIMEOUT: Final = 1
MAX_ONLINE_TIMEOUT: Final = 1440
DEFAULT_SIM: Final = 0
DEFAULT_CATCH_UP_HOURS: Final = 24
MIN_CATCH_UP_HOURS: Final = 1
MAX_CATCH_UP_HOURS: Final = 720

# Setup must never wait long on the provider.
REQUEST_TIMEOUT: Final = 15.0

# Incoming messages are fetched from a little before the newest one seen, so
# that a message uploaded late by the phone (its clock, or a slow network) is
# not missed; ids already seen are skipped.
MESSAGE_OVERLAP: Final = timedelta(minutes=10)
# How far back the very first poll of an account looks for incoming messages.
FIRST_POLL_WINDOW: Final = timedelta(minutes=5)
# How far back a new Last message sensor looks for the phone's newest message,
# window after window until every phone has one.
NEWEST_RECEIVED_WINDOWS: Final = (
    timedelta(days=1),
    timedelta(days=7),
    timedelta(days=30),
)
# A pushed message's id is kept until a poll sees it, but no longer than this
# (Home Assistant's clock): its date is the phone's, not the provider's.
PUSHED_ID_LIFETIME: Final = 2 * MESSAGE_OVERLAP
# The ids of incoming messages are kept while they can come back in a poll;
# this bounds their memory whatever happens.
SEEN_IDS_LIMIT: Final = 50_000

# What was taken, and what of it is still to fire, survive restarts and power
# cuts, so that each message and each status change fires once.
# Version 2 of the incoming store keeps the date of each seen id; minor
# version 2, the messages not fired yet.
INCOMING_STORAGE_VERSION: Final = 2
INCOMING_STORAGE_MINOR_VERSION: Final = 2
# Version 2 of the store of tracked messages keeps the changes not fired yet;
# minor version 2, the messages of backup routes, failover deadlines and the
# failovers being sent.
SENT_STORAGE_VERSION: Final = 2
SENT_STORAGE_MINOR_VERSION: Final = 2

EVENT_SMS_RECEIVED: Final = "smsgateway24_sms_received"
ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_DEVICE_ID: Final = "device_id"
ATTR_GATEWAY_DEVICE_ID: Final = "gateway_device_id"
ATTR_SMS_ID: Final = "sms_id"
ATTR_PHONE: Final = "phone"
ATTR_TEXT: Final = "text"
ATTR_SIM: Final = "sim"
ATTR_RECEIVED_AT: Final = "received_at"
ATTR_CATCH_UP: Final = "catch_up"

# The device triggers of a phone and their optional filters.
TRIGGER_SMS_RECEIVED: Final = "sms_received"
TRIGGER_SMS_DELIVERED: Final = "sms_delivered"
TRIGGER_SMS_FAILED: Final = "sms_failed"
CONF_SENDER: Final = "sender"
CONF_CONTAINS: Final = "contains"
CONF_TO: Final = "to"

EVENT_SMS_STATUS: Final = "smsgateway24_sms_status"
ATTR_STATUS: Final = "status"
ATTR_STATUS_CODE: Final = "status_code"
ATTR_FINAL: Final = "final"
ATTR_ROUTE: Final = "route"
ATTR_FAILOVER_OF: Final = "failover_of"
# A message sent is followed until its status is final, but no longer than this:
# a phone that stays offline must not keep the extra request of each poll going.
TRACKING_LIMIT: Final = timedelta(hours=48)
# How far back the phone's messages are looked up for the ids of a send the
# provider answered without them: wide enough for a phone or server clock a
# little off.
ID_LOOKUP_WINDOW: Final = timedelta(minutes=5)
# A poll follows a seven route's messages in one journal request of at most
# this many entries (seven's own limit), one more for each further page while
# some are not found (the account may send more than a page a day), at most
# this many pages; and a UBill route's in at most this many reports (one per
# send), the sends asked least recently first.
SEVEN_JOURNAL_LIMIT: Final = 100
SEVEN_JOURNAL_PAGES: Final = 5
UBILL_REPORTS_PER_POLL: Final = 3


# Assist by SMS: a recipient with ``assist`` may text the house in their own
# words; its optional PIN must lead each message, and its optional Home
# Assistant user is the one the conversation acts as.
CONF_ASSIST: Final = "assist"
CONF_PIN: Final = "pin"
CONF_USER_ID: Final = "user_id"
# The entry's options of Assist by SMS, kept together under CONF_ASSIST.
CONF_AGENT_ID: Final = "agent_id"
CONF_LANGUAGE: Final = "language"
CONF_ANSWERS_PER_HOUR: Final = "answers_per_hour"
CONF_MAX_PARTS: Final = "max_parts"
CONF_MAX_AGE: Final = "max_age"
DEFAULT_ANSWERS_PER_HOUR: Final = 10
MAX_ANSWERS_PER_HOUR: Final = 100
DEFAULT_MAX_PARTS: Final = 3
MAX_MAX_PARTS: Final = 10
DEFAULT_MAX_AGE: Final = 5
MAX_MAX_AGE: Final = 60
# A follow-up within this time goes on with the same conversation; it is
# Home Assistant's own lifetime of an idle conversation.
ASSIST_CONVERSATION_TIMEOUT: Final = timedelta(minutes=5)
# Every answer ends with this line, and a message that holds it is never taken
# to Assist: two houses that answer by SMS cannot keep answering each other.
ASSIST_SIGNATURE: Final = "\n-- Assist"

EVENT_ASSIST: Final = "smsgateway24_assist"
ATTR_RECIPIENT: Final = "recipient"
ATTR_ANSWER: Final = "answer"
ATTR_AGENT_ID: Final = "agent_id"
ATTR_ACTED: Final = "acted"
