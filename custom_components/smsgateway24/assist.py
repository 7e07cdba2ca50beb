"""Assist by SMS: an allowed person texts the house; Assist acts and answers by SMS.

Built on the ``smsgateway24_sms_received`` event, so it inherits its
guarantees: each message reaches Assist at most once, in order, across
restarts too. The answer leaves through the one send path, from the phone and
SIM the message arrived on, and is tracked like any message sent.

Nothing here ever logs, fires or raises a PIN.
"""

from __future__ import annotations

import asyncio
from bisect import bisect_right
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
import hmac
import re
from typing import Any, Final, Self

from homeassistant.components import conversation
from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import Context, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.intent import IntentResponseType
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .clients.smsgateway24 import Channel, digits_of
from .clients.smsgateway24.encoding import Encoding, sms_length
from .const import (
    ASSIST_CONVERSATION_TIMEOUT,
    ASSIST_SIGNATURE,
    ATTR_ACTED,
    ATTR_AGENT_ID,
    ATTR_ANSWER,
    ATTR_CONFIG_ENTRY_ID,
    ATTR_GATEWAY_DEVICE_ID,
    ATTR_PHONE,
    ATTR_RECEIVED_AT,
    ATTR_RECIPIENT,
    ATTR_SIM,
    ATTR_TEXT,
    CONF_ADDRESS,
    CONF_AGENT_ID,
    CONF_ANSWERS_PER_HOUR,
    CONF_ASSIST,
    CONF_LANGUAGE,
    CONF_MAX_AGE,
    CONF_MAX_PARTS,
    CONF_PIN,
    CONF_USER_ID,
    DEFAULT_ANSWERS_PER_HOUR,
    DEFAULT_MAX_AGE,
    DEFAULT_MAX_PARTS,
    DOMAIN,
    EVENT_ASSIST,
    EVENT_SMS_RECEIVED,
    LOGGER,
    SUBENTRY_RECIPIENT,
)
from .coordinator import SmsGateway24ConfigEntry
from .device_trigger import same_sender
from .send import NUMBER_SEPARATORS, async_send_message

DATA_ASSIST: HassKey[dict[str, AssistState]] = HassKey(f"{DOMAIN}_assist")
RATE_WINDOW: Final = timedelta(hours=1)
# A number one can answer: international or national, not a short code.
ANSWERABLE_NUMBER: Final = re.compile(r"\+?\d{7,15}")
# What may stand between the PIN and the words: "1234 turn on", "1234: turn on".
AFTER_PIN: Final = " \t\r\n:,;.-"
SIGNATURE_MARK: Final = ASSIST_SIGNATURE.strip().casefold()
# A PIN as shown: always four dots, whatever its length.
PIN_MASK: Final = "••••"


class Refusal(StrEnum):
    """Why a received message did not go to Assist; diagnostics count each."""

    NOT_SMS = "not_sms"
    NOT_A_PHONE_NUMBER = "not_a_phone_number"
    OWN_NUMBER = "own_number"
    UNKNOWN_SENDER = "unknown_sender"
    ANSWER = "answer"
    WRONG_PIN = "wrong_pin"
    EMPTY = "empty"
    TOO_OLD = "too_old"
    UNKNOWN_USER = "unknown_user"
    AGENT_UNAVAILABLE = "agent_unavailable"
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True, slots=True, kw_only=True)
class AssistSettings:
    """The entry's options of Assist by SMS, with their defaults."""

    agent_id: str = conversation.HOME_ASSISTANT_AGENT
    # None: Home Assistant's language.
    language: str | None = None
    answers_per_hour: int = DEFAULT_ANSWERS_PER_HOUR
    max_parts: int = DEFAULT_MAX_PARTS
    # Minutes.
    max_age: int = DEFAULT_MAX_AGE

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Self:
        """The settings kept under the entry's ``assist`` option, if any."""
        chosen: Mapping[str, Any] = options.get(CONF_ASSIST, {})
        defaults = cls()
        return cls(
            agent_id=chosen.get(CONF_AGENT_ID, defaults.agent_id),
            language=chosen.get(CONF_LANGUAGE) or None,
            answers_per_hour=chosen.get(
                CONF_ANSWERS_PER_HOUR, defaults.answers_per_hour
            ),
            max_parts=chosen.get(CONF_MAX_PARTS, defaults.max_parts),
            max_age=chosen.get(CONF_MAX_AGE, defaults.max_age),
        )


@dataclass(slots=True)
class AssistState:
    """What Assist by SMS remembers of an entry: across reloads, not restarts.

    Only senders that are assist recipients get an entry in ``answered`` and
    ``conversations``: strangers cannot grow it.
    """

    # One exchange at a time: a follow-up needs the conversation of the one before.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    answered: dict[str, deque[datetime]] = field(default_factory=dict)
    silenced: set[str] = field(default_factory=set)
    conversations: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    exchanges: int = 0
    answers_not_sent: int = 0
    refusals: Counter[Refusal] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True, kw_only=True)
class Question:
    """A message admitted to Assist."""

    sender: str
    recipient: ConfigSubentry
    text: str


def is_phone_number(sender: str) -> bool:
    """Whether a sender can be answered: not a name ("Bank") or a short code."""
    return ANSWERABLE_NUMBER.fullmatch(NUMBER_SEPARATORS.sub("", sender)) is not None


def is_answer(text: str) -> bool:
    """Whether a text carries the signature of an answer by SMS."""
    return SIGNATURE_MARK in text.casefold()


def without_pin(text: str, pin: str) -> str | None:
    """The text after a leading PIN; None when it does not begin with the PIN."""
    text = text.lstrip()
    head, rest = text[: len(pin)], text[len(pin) :]
    if not hmac.compare_digest(head.encode(), pin.encode()) or rest[:1].isalnum():
        return None
    return rest.lstrip(AFTER_PIN)


def assist_recipients(entry: ConfigEntry) -> list[ConfigSubentry]:
    """The recipients that may talk to Assist by SMS; only they have a PIN."""
    return [
        subentry
        for subentry in entry.subentries.values()
        if subentry.subentry_type == SUBENTRY_RECIPIENT
        and subentry.data.get(CONF_ASSIST)
    ]


def assist_recipient(entry: ConfigEntry, sender: str) -> ConfigSubentry | None:
    """The recipient that may talk to Assist from this number (one at most)."""
    return next(
        (
            subentry
            for subentry in assist_recipients(entry)
            if same_sender(subentry.data[CONF_ADDRESS], sender)
        ),
        None,
    )


def pin_hidden(entry: ConfigEntry, sender: str, text: str) -> str:
    """The text as the logbook and sensors show it: a sender's leading PIN hidden.

    The message itself, in its event, stays as received; what is shown to
    everyone who can see the logbook must not give the PIN away.
    """
    if (
        (recipient := assist_recipient(entry, sender)) is not None
        and (pin := recipient.data.get(CONF_PIN))
        and (rest := without_pin(text, pin)) is not None
    ):
        return f"{PIN_MASK} {rest}".rstrip()
    return text


def capped(answer: str, max_parts: int) -> str:
    """The answer, cut with an ellipsis so that it and the signature fit ``max_parts`` SMS."""

    def parts(text: str) -> int:
        return sms_length(text + ASSIST_SIGNATURE).parts

    if parts(answer) <= max_parts:
        return answer
    ellipsis = "…" if sms_length(answer).encoding is Encoding.UCS_2 else "..."

    def cut(length: int) -> str:
        return answer[:length].rstrip() + ellipsis

    # Cutting shorter never takes more parts: find the first length too long.
    too_long = bisect_right(
        range(len(answer)), max_parts, key=lambda length: parts(cut(length))
    )
    return cut(too_long - 1)


@callback
def async_setup_assist(hass: HomeAssistant, entry: SmsGateway24ConfigEntry) -> None:
    """Take the entry's received messages to Assist until the entry unloads."""
    state = hass.data.setdefault(DATA_ASSIST, {}).setdefault(
        entry.entry_id, AssistState()
    )
    assist = SmsAssist(hass, entry, state)
    entry_id = entry.entry_id

    @callback
    def for_this_entry(data: Mapping[str, Any]) -> bool:
        return bool(data[ATTR_CONFIG_ENTRY_ID] == entry_id)

    @callback
    def received(event: Event[Mapping[str, Any]]) -> None:
        entry.async_create_background_task(
            hass, assist.async_handle(event.data), f"{DOMAIN} assist {entry_id}"
        )

    entry.async_on_unload(
        hass.bus.async_listen(EVENT_SMS_RECEIVED, received, event_filter=for_this_entry)
    )


@callback
def async_forget_assist(hass: HomeAssistant, entry_id: str) -> None:
    """Drop what Assist by SMS remembers of a removed entry."""
    hass.data.get(DATA_ASSIST, {}).pop(entry_id, None)


def assist_diagnostics(
    hass: HomeAssistant, entry: SmsGateway24ConfigEntry
) -> dict[str, Any]:
    """How many exchanges and refusals there were, without numbers or texts."""
    state = hass.data.get(DATA_ASSIST, {}).get(entry.entry_id, AssistState())
    return {
        "recipients": len(assist_recipients(entry)),
        "exchanges": state.exchanges,
        "answers_not_sent": state.answers_not_sent,
        "refusals": {str(reason): count for reason, count in state.refusals.items()},
    }


class SmsAssist:
    """Admit a received message, ask Assist, send the answer back."""

    def __init__(
        self, hass: HomeAssistant, entry: SmsGateway24ConfigEntry, state: AssistState
    ) -> None:
        """Answer with the entry's options of the time it was set up."""
        self._hass = hass
        self._entry = entry
        self._state = state
        self._settings = AssistSettings.from_options(entry.options)

    async def async_handle(self, data: Mapping[str, Any]) -> None:
        """Take one received message to Assist, or refuse it silently."""
        async with self._state.lock:
            admitted = await self._async_admit(data)
            if isinstance(admitted, Refusal):
                self._state.refusals[admitted] += 1
                LOGGER.debug(
                    "Not taken to Assist: a message from %s (%s)",
                    data[ATTR_PHONE],
                    admitted,
                )
                return
            await self._async_converse(admitted, data)

    async def _async_admit(self, data: Mapping[str, Any]) -> Question | Refusal:
        """The question a message asks, or why it may not ask one."""
        sender = str(data[ATTR_PHONE] or "")
        recipient = self._recipient_of(sender, data[ATTR_SIM])
        if isinstance(recipient, Refusal):
            return recipient
        text = self._question_of(recipient, data)
        if isinstance(text, Refusal):
            return text
        if refusal := await self._async_refuse_turn(sender, recipient):
            return refusal
        return Question(sender=sender, recipient=recipient, text=text)

    def _recipient_of(self, sender: str, sim: int) -> ConfigSubentry | Refusal:
        """The recipient that may talk to Assist from this number by SMS."""
        if sim not in (Channel.SIM_1, Channel.SIM_2):
            return Refusal.NOT_SMS
        if not is_phone_number(sender):
            return Refusal.NOT_A_PHONE_NUMBER
        if self._is_own_number(sender):
            return Refusal.OWN_NUMBER
        return assist_recipient(self._entry, sender) or Refusal.UNKNOWN_SENDER

    def _question_of(
        self, recipient: ConfigSubentry, data: Mapping[str, Any]
    ) -> str | Refusal:
        """The words for Assist: after the PIN, from a message fresh enough."""
        text = str(data[ATTR_TEXT] or "")
        if is_answer(text):
            return Refusal.ANSWER
        if pin := recipient.data.get(CONF_PIN):
            if (after_pin := without_pin(text, pin)) is None:
                return Refusal.WRONG_PIN
            text = after_pin
        if not (text := text.strip()):
            return Refusal.EMPTY
        received_at = datetime.fromisoformat(data[ATTR_RECEIVED_AT])
        if dt_util.utcnow() - received_at > timedelta(minutes=self._settings.max_age):
            return Refusal.TOO_OLD
        return text

    async def _async_refuse_turn(
        self, sender: str, recipient: ConfigSubentry
    ) -> Refusal | None:
        """Why Assist may not answer now, if it may not."""
        if user_id := recipient.data.get(CONF_USER_ID):
            user = await self._hass.auth.async_get_user(user_id)
            if user is None or not user.is_active:
                return Refusal.UNKNOWN_USER
        agent_id = self._settings.agent_id
        if conversation.async_get_agent_info(self._hass, agent_id) is None:
            LOGGER.warning(
                "Assist by SMS cannot answer: there is no conversation agent %s",
                agent_id,
            )
            return Refusal.AGENT_UNAVAILABLE
        if not self._within_rate(sender, recipient):
            return Refusal.RATE_LIMITED
        return None

    def _is_own_number(self, sender: str) -> bool:
        """Whether a phone of this account sent it: an answer must not come back."""
        return any(
            same_sender(sim.number, sender)
            for phone in self._entry.runtime_data.data.phones.values()
            for sim in phone.sims
            if sim.number and digits_of(sim.number)
        )

    def _within_rate(self, sender: str, recipient: ConfigSubentry) -> bool:
        """Whether the sender had fewer answers than allowed in the last hour.

        The log says it once when a sender is silenced, not for every message.
        """
        key = digits_of(sender)
        now = dt_util.utcnow()
        times = self._state.answered.setdefault(key, deque())
        while times and now - times[0] >= RATE_WINDOW:
            times.popleft()
        if len(times) < self._settings.answers_per_hour:
            self._state.silenced.discard(key)
            return True
        if key not in self._state.silenced:
            self._state.silenced.add(key)
            LOGGER.warning(
                "%s (%s) had %d answers from Assist by SMS within an hour; "
                "their messages are ignored until the hour is over",
                recipient.title,
                sender,
                self._settings.answers_per_hour,
            )
        return False

    def _conversation_id(self, key: str, now: datetime) -> str | None:
        """The sender's conversation, unless it has been idle too long."""
        kept = self._state.conversations.get(key)
        if kept is None or now - kept[1] > ASSIST_CONVERSATION_TIMEOUT:
            return None
        return kept[0]

    async def _async_converse(
        self, question: Question, data: Mapping[str, Any]
    ) -> None:
        """Ask Assist, send its answer, and tell the bus and the logbook."""
        settings = self._settings
        key = digits_of(question.sender)
        now = dt_util.utcnow()
        context = Context(user_id=question.recipient.data.get(CONF_USER_ID))
        result = await conversation.async_converse(
            self._hass,
            question.text,
            self._conversation_id(key, now),
            context,
            language=settings.language,
            agent_id=settings.agent_id,
        )
        self._state.exchanges += 1
        self._state.answered[key].append(now)
        if result.conversation_id is not None:
            self._state.conversations[key] = (result.conversation_id, now)
        speech: str = result.response.speech.get("plain", {}).get("speech", "")
        answer = capped(speech.strip(), settings.max_parts)
        if answer:
            await self._async_send(question.sender, answer, data)
        self._hass.bus.async_fire(
            EVENT_ASSIST,
            {
                ATTR_CONFIG_ENTRY_ID: self._entry.entry_id,
                ATTR_PHONE: question.sender,
                ATTR_RECIPIENT: question.recipient.title,
                ATTR_TEXT: question.text,
                ATTR_ANSWER: answer,
                ATTR_AGENT_ID: settings.agent_id,
                ATTR_ACTED: result.response.response_type
                is IntentResponseType.ACTION_DONE,
            },
            context=context,
        )

    async def _async_send(
        self, sender: str, answer: str, data: Mapping[str, Any]
    ) -> None:
        """Send the answer from the phone and SIM the question arrived on."""
        try:
            await async_send_message(
                self._hass,
                self._entry,
                [sender],
                answer + ASSIST_SIGNATURE,
                phone_id=data[ATTR_GATEWAY_DEVICE_ID],
                sim=data[ATTR_SIM],
            )
        except HomeAssistantError as err:
            self._state.answers_not_sent += 1
            LOGGER.warning("Could not send the answer of Assist to %s: %s", sender, err)
