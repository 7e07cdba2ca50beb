"""Config flow: sign in to an SMSGateway24 account and pick the default phone."""

from __future__ import annotations

from collections.abc import Mapping
import re
from typing import Any

from aiohttp import ClientSession
from homeassistant.auth.models import User
from homeassistant.components import conversation, webhook
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentry,
    ConfigSubentryFlow,
    OptionsFlowWithReload,
    SubentryFlowResult,
)
from homeassistant.const import (
    CONF_EMAIL,
    CONF_NAME,
    CONF_PASSWORD,
    CONF_TOKEN,
    CONF_URL,
    MATCH_ALL,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.helpers.selector import (
    BooleanSelector,
    ConversationAgentSelector,
    LanguageSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.util import language as language_util
import voluptuous as vol
from yarl import URL

from .assist import AssistSettings, is_phone_number
from .clients.smsgateway24 import (
    DEFAULT_URL,
    Phone,
    SmsGateway24,
    SmsGateway24AuthenticationError,
    SmsGateway24Error,
)
from .const import (
    CHANNEL_SMS,
    CHANNEL_TELEGRAM,
    CONF_ADDRESS,
    CONF_ADVANCED,
    CONF_AGENT_ID,
    CONF_ANSWERS_PER_HOUR,
    CONF_ASSIST,
    CONF_CATCH_UP_HOURS,
    CONF_CHANNEL,
    CONF_DEVICE_ID,
    CONF_LANGUAGE,
    CONF_MAX_AGE,
    CONF_MAX_PARTS,
    CONF_ONLINE_TIMEOUT,
    CONF_PIN,
    CONF_SCAN_INTERVAL,
    CONF_SIM,
    CONF_USER_ID,
    CONF_WEBHOOK,
    CONF_WEBHOOK_ID,
    DEFAULT_CATCH_UP_HOURS,
    DEFAULT_ONLINE_TIMEOUT,
    DEFAULT_SCAN_INTERVAL,
    DEFAULT_SIM,
    DOMAIN,
    LOGGER,
    MAX_ANSWERS_PER_HOUR,
    MAX_CATCH_UP_HOURS,
    MAX_MAX_AGE,
    MAX_MAX_PARTS,
    MIN_CATCH_UP_HOURS,
    MIN_ONLINE_TIMEOUT,
    MIN_SCAN_INTERVAL,
    RECIPIENT_CHANNELS,
    REQUEST_TIMEOUT,
    SUBENTRY_RECIPIENT,
)
from .coordinator import SmsGateway24ConfigEntry
from .device_trigger import same_sender
from .send import TELEGRAM_ID

EMAIL_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.EMAIL, autocomplete="username")
)
PASSWORD_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)
URL_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
SIM_SELECTOR = SelectSelector(
    SelectSelectorConfig(
        options=["0", "1"], translation_key="sim", mode=SelectSelectorMode.DROPDOWN
    )
)


def whole_number(minimum: float, maximum: float, unit: str) -> NumberSelector:
    """A box for a whole number from ``minimum`` to ``maximum``, in ``unit``."""
    return NumberSelector(
        NumberSelectorConfig(
            min=minimum,
            max=maximum,
            step=1,
            unit_of_measurement=unit,
            mode=NumberSelectorMode.BOX,
        )
    )


def credentials_schema(email: str | None = None, url: str = DEFAULT_URL) -> vol.Schema:
    """Ask e-mail and password, with the server URL in a collapsed section."""
    return vol.Schema(
        {
            vol.Required(CONF_EMAIL, default=email or vol.UNDEFINED): EMAIL_SELECTOR,
            vol.Required(CONF_PASSWORD): PASSWORD_SELECTOR,
            vol.Required(CONF_ADVANCED): section(
                vol.Schema({vol.Required(CONF_URL, default=url): URL_SELECTOR}),
                {"collapsed": True},
            ),
        }
    )


def phone_selector(phones: Mapping[int, Phone]) -> SelectSelector:
    """A list of the account's phones by name; the value is the provider's id."""
    options = [
        SelectOptionDict(value=str(phone.id), label=phone.title)
        for phone in sorted(phones.values(), key=lambda phone: phone.title.lower())
    ]
    return SelectSelector(
        SelectSelectorConfig(options=options, mode=SelectSelectorMode.DROPDOWN)
    )


def phone_schema(
    phones: Mapping[int, Phone], defaults: Mapping[str, Any]
) -> vol.Schema:
    """Pick the default sending phone and SIM."""
    first = min(phones.values(), key=lambda phone: phone.title.lower())
    device_default = str(defaults.get(CONF_DEVICE_ID, first.id))
    return vol.Schema(
        {
            vol.Required(CONF_DEVICE_ID, default=device_default): phone_selector(
                phones
            ),
            vol.Required(
                CONF_SIM, default=str(defaults.get(CONF_SIM, DEFAULT_SIM))
            ): SIM_SELECTOR,
        }
    )


def check_phone(
    phones: Mapping[int, Phone], user_input: Mapping[str, Any]
) -> str | None:
    """Return the error of a phone and SIM choice, if any."""
    phone = phones.get(int(user_input[CONF_DEVICE_ID]))
    if phone is None:
        return "unknown_device"
    slots = {sim.slot for sim in phone.sims}
    if slots and int(user_input[CONF_SIM]) not in slots:
        return "sim_not_available"
    return None


async def sign_in(
    session: ClientSession, url: str, email: str, password: str
) -> tuple[str, dict[int, Phone]]:
    """Get a token and the phone list, or raise the client's error."""
    client = SmsGateway24(url=url, session=session, request_timeout=REQUEST_TIMEOUT)
    token = await client.get_token(email, password)
    return token, await client.get_phones()


def normalise_url(url: str) -> str | None:
    """The URL without a trailing slash, or None when it is not http(s)."""
    try:
        parsed = URL(url.strip())
    except ValueError:
        return None
    host = parsed.host
    if parsed.scheme not in ("http", "https") or not host or " " in host:
        return None
    return str(parsed).rstrip("/")


class SmsGateway24ConfigFlow(ConfigFlow, domain=DOMAIN):
    """Sign in, then pick the default phone."""

    VERSION = 1

    def __init__(self) -> None:
        """Start with nothing known."""
        self._data: dict[str, str] = {}
        self._phones: dict[int, Phone] = {}

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> SmsGateway24OptionsFlow:
        """Options: polling, online timeout, catch-up limit, default phone and SIM."""
        return SmsGateway24OptionsFlow()

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Recipients: each one becomes a notify entity."""
        return {SUBENTRY_RECIPIENT: RecipientSubentryFlow}

    async def _async_sign_in(
        self,
        user_input: Mapping[str, Any],
        errors: dict[str, str],
        *,
        need_phones: bool = True,
    ) -> str | None:
        """Sign in with the form's values; return the token or fill errors.

        A new entry needs a phone to send from; signing in again does not, so
        that an account whose phones are gone can still renew its token.
        """
        url = normalise_url(user_input[CONF_ADVANCED][CONF_URL])
        if url is None:
            errors["base"] = "invalid_url"
            return None
        try:
            token, self._phones = await sign_in(
                async_get_clientsession(self.hass),
                url,
                user_input[CONF_EMAIL].strip(),
                user_input[CONF_PASSWORD],
            )
        except SmsGateway24AuthenticationError:
            errors["base"] = "invalid_auth"
        except SmsGateway24Error:
            errors["base"] = "cannot_connect"
        except Exception:  # noqa: BLE001  # the form must never crash; the log keeps the trace
            LOGGER.exception("Unexpected error while signing in")
            errors["base"] = "unknown"
        else:
            if need_phones and not self._phones:
                errors["base"] = "no_devices"
                return None
            self._data = {
                CONF_URL: url,
                CONF_EMAIL: user_input[CONF_EMAIL].strip(),
                CONF_TOKEN: token,
            }
            return token
        return None

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the account's e-mail and password."""
        errors: dict[str, str] = {}
        if user_input is not None:
            await self.async_set_unique_id(user_input[CONF_EMAIL].strip().lower())
            self._abort_if_unique_id_configured()
            if await self._async_sign_in(user_input, errors):
                return await self.async_step_device()
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                credentials_schema(), user_input
            ),
            errors=errors,
        )

    async def async_step_device(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick the phone and SIM that send by default."""
        errors: dict[str, str] = {}
        if user_input is not None:
            if error := check_phone(self._phones, user_input):
                errors["base"] = error
            else:
                return self.async_create_entry(
                    title=self._data[CONF_EMAIL],
                    data=self._data,
                    options={
                        CONF_DEVICE_ID: int(user_input[CONF_DEVICE_ID]),
                        CONF_SIM: int(user_input[CONF_SIM]),
                        CONF_SCAN_INTERVAL: DEFAULT_SCAN_INTERVAL,
                        CONF_ONLINE_TIMEOUT: DEFAULT_ONLINE_TIMEOUT,
                    },
                )
        return self.async_show_form(
            step_id="device",
            data_schema=phone_schema(self._phones, user_input or {}),
            errors=errors,
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """The token was refused: ask for the password again."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Get a new token with the password; keep everything else."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            form = {
                CONF_EMAIL: entry.data[CONF_EMAIL],
                CONF_PASSWORD: user_input[CONF_PASSWORD],
                CONF_ADVANCED: {CONF_URL: entry.data[CONF_URL]},
            }
            if token := await self._async_sign_in(form, errors, need_phones=False):
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_TOKEN: token}
                )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema({vol.Required(CONF_PASSWORD): PASSWORD_SELECTOR}),
            description_placeholders={CONF_EMAIL: entry.data[CONF_EMAIL]},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the password or the server URL of the same account."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            await self.async_set_unique_id(user_input[CONF_EMAIL].strip().lower())
            self._abort_if_unique_id_mismatch(reason="wrong_account")
            if await self._async_sign_in(user_input, errors):
                return self.async_update_reload_and_abort(entry, data=self._data)
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=credentials_schema(
                entry.data[CONF_EMAIL], entry.data[CONF_URL]
            ),
            errors=errors,
        )


def webhook_url(hass: HomeAssistant, webhook_id: str) -> str:
    """The address the phones push to, or its path when no address is known."""
    try:
        return webhook.async_generate_url(hass, webhook_id)
    except NoURLAvailableError:
        return webhook.async_generate_path(webhook_id)


class SmsGateway24OptionsFlow(OptionsFlowWithReload):
    """Polling, online timeout, catch-up limit, default phone and SIM, push."""

    config_entry: SmsGateway24ConfigEntry
    _new_webhook_id: str | None = None

    @property
    def _webhook_id(self) -> str:
        """The entry's webhook id; made once, so that the pasted address stays valid."""
        if kept := self.config_entry.options.get(CONF_WEBHOOK_ID):
            return str(kept)
        if self._new_webhook_id is None:
            self._new_webhook_id = webhook.async_generate_id()
        return self._new_webhook_id

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and check the options."""
        if not hasattr(self.config_entry, "runtime_data"):
            return self.async_abort(reason="not_loaded")
        phones = self.config_entry.runtime_data.data.phones
        if not phones:
            return self.async_abort(reason="no_devices")
        webhook_id = self._webhook_id
        errors: dict[str, str] = {}
        if user_input is not None:
            if error := check_phone(phones, user_input) or check_assist_options(
                self.hass, user_input
            ):
                errors["base"] = error
            else:
                return self.async_create_entry(
                    data={
                        **assist_options(self.config_entry.options, user_input),
                        CONF_WEBHOOK: bool(user_input.get(CONF_WEBHOOK, False)),
                        CONF_WEBHOOK_ID: webhook_id,
                        CONF_SCAN_INTERVAL: int(user_input[CONF_SCAN_INTERVAL]),
                        CONF_ONLINE_TIMEOUT: int(user_input[CONF_ONLINE_TIMEOUT]),
                        CONF_CATCH_UP_HOURS: int(user_input[CONF_CATCH_UP_HOURS]),
                        CONF_DEVICE_ID: int(user_input[CONF_DEVICE_ID]),
                        CONF_SIM: int(user_input[CONF_SIM]),
                    }
                )
        current = {**self.config_entry.options, **(user_input or {})}
        schema = vol.Schema(
            {
                vol.Required(
                    CONF_SCAN_INTERVAL,
                    default=current.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL),
                ): whole_number(MIN_SCAN_INTERVAL, 3600, "s"),
                vol.Required(
                    CONF_ONLINE_TIMEOUT,
                    default=current.get(CONF_ONLINE_TIMEOUT, DEFAULT_ONLINE_TIMEOUT),
                ): whole_number(MIN_ONLINE_TIMEOUT, 1440, "min"),
                vol.Required(
                    CONF_CATCH_UP_HOURS,
                    default=current.get(CONF_CATCH_UP_HOURS, DEFAULT_CATCH_UP_HOURS),
                ): whole_number(MIN_CATCH_UP_HOURS, MAX_CATCH_UP_HOURS, "h"),
            }
        ).extend(
            {
                **phone_schema(phones, current).schema,
                vol.Required(
                    CONF_WEBHOOK, default=current.get(CONF_WEBHOOK, False)
                ): BooleanSelector(),
                **assist_options_fields(current),
            }
        )
        return self.async_show_form(
            step_id="init",
            data_schema=schema,
            errors=errors,
            description_placeholders={
                "webhook_url": webhook_url(self.hass, webhook_id)
            },
        )


PHONE_NUMBER = re.compile(r"\+?[\d\s()./-]*\d[\d\s()./-]*")


def recipient_schema(phones: Mapping[int, Phone]) -> vol.Schema:
    """Name, channel and address of a recipient; optionally its phone and SIM."""
    return vol.Schema(
        {
            vol.Required(CONF_NAME): TextSelector(),
            vol.Required(CONF_CHANNEL, default=CHANNEL_SMS): SelectSelector(
                SelectSelectorConfig(
                    options=list(RECIPIENT_CHANNELS),
                    translation_key="channel",
                    mode=SelectSelectorMode.DROPDOWN,
                )
            ),
            vol.Required(CONF_ADDRESS): TextSelector(),
            vol.Optional(CONF_DEVICE_ID): phone_selector(phones),
            vol.Optional(CONF_SIM): SIM_SELECTOR,
        }
    )


def recipient_data(
    phones: Mapping[int, Phone], default_phone: int, user_input: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The subentry data of a recipient form, and the form's errors."""
    channel = user_input[CONF_CHANNEL]
    address = user_input[CONF_ADDRESS].strip()
    errors: dict[str, str] = {}
    if not user_input[CONF_NAME].strip():
        errors[CONF_NAME] = "empty_name"
    pattern = TELEGRAM_ID if channel == CHANNEL_TELEGRAM else PHONE_NUMBER
    if not pattern.fullmatch(address):
        errors[CONF_ADDRESS] = (
            "invalid_telegram_id" if channel == CHANNEL_TELEGRAM else "invalid_phone"
        )
    data: dict[str, Any] = {CONF_CHANNEL: channel, CONF_ADDRESS: address}
    if CONF_DEVICE_ID in user_input:
        data[CONF_DEVICE_ID] = int(user_input[CONF_DEVICE_ID])
    if CONF_SIM in user_input and channel == CHANNEL_SMS:
        data[CONF_SIM] = int(user_input[CONF_SIM])
    if channel != CHANNEL_TELEGRAM:
        phone = phones.get(data.get(CONF_DEVICE_ID, default_phone))
        if phone is None:
            errors[CONF_DEVICE_ID] = "unknown_device"
        elif CONF_SIM in data and data[CONF_SIM] not in {s.slot for s in phone.sims}:
            errors[CONF_SIM] = "sim_not_available"
    return data, errors


class RecipientSubentryFlow(ConfigSubentryFlow):
    """Add or change a recipient; each one is a notify entity."""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Add a recipient."""
        return await self._async_step_recipient("user", user_input, None)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a recipient; the entry reloads so the change applies at once."""
        return await self._async_step_recipient(
            "reconfigure", user_input, self._get_reconfigure_subentry()
        )

    async def _async_step_recipient(
        self,
        step_id: str,
        user_input: dict[str, Any] | None,
        subentry: ConfigSubentry | None,
    ) -> SubentryFlowResult:
        entry: SmsGateway24ConfigEntry = self._get_entry()
        if entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="not_loaded")
        phones = entry.runtime_data.data.phones
        users = await assist_users(self.hass)
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = recipient_data(
                phones, int(entry.options[CONF_DEVICE_ID]), user_input
            )
            assist, assist_errors = recipient_assist_data(
                entry, subentry, users, data, user_input
            )
            data |= assist
            errors |= assist_errors
            if not errors:
                title = user_input[CONF_NAME].strip()
                if subentry is None:
                    return self.async_create_entry(title=title, data=data)
                return self.async_update_reload_and_abort(
                    entry, subentry, title=title, data=data
                )
        suggested: dict[str, Any] = {}
        if user_input is not None:
            suggested = user_input
        elif subentry is not None:
            suggested = {
                CONF_NAME: subentry.title,
                **{
                    key: value if isinstance(value, bool) else str(value)
                    for key, value in subentry.data.items()
                },
            }
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                recipient_schema(phones).extend(assist_recipient_fields(users)),
                suggested,
            ),
            errors=errors,
        )


# Assist by SMS: the recipient's permission, PIN and user, and the entry's
# options (agent, language, limits) in a section of their own.

PIN = re.compile(r"[0-9]{4,12}")
PIN_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="off")
)


async def assist_users(hass: HomeAssistant) -> list[User]:
    """The people a conversation by SMS may act as."""
    return [
        user
        for user in await hass.auth.async_get_users()
        if user.is_active and not user.system_generated
    ]


def assist_recipient_fields(users: list[User]) -> dict[vol.Marker, Any]:
    """Whether the recipient may talk to Assist by SMS; its PIN and its user."""
    return {
        vol.Optional(CONF_ASSIST, default=False): BooleanSelector(),
        vol.Optional(CONF_PIN): PIN_SELECTOR,
        vol.Optional(CONF_USER_ID): SelectSelector(
            SelectSelectorConfig(
                options=[
                    SelectOptionDict(value=user.id, label=user.name or user.id)
                    for user in sorted(users, key=lambda user: user.name or "")
                ],
                mode=SelectSelectorMode.DROPDOWN,
            )
        ),
    }


def recipient_assist_data(
    entry: SmsGateway24ConfigEntry,
    subentry: ConfigSubentry | None,
    users: list[User],
    data: Mapping[str, Any],
    user_input: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, str]]:
    """The Assist part of a recipient's data, and its errors.

    Nothing is kept of a recipient that may not talk to Assist.
    """
    if not user_input.get(CONF_ASSIST):
        return {}, {}
    errors: dict[str, str] = {}
    address = data[CONF_ADDRESS]
    if data[CONF_CHANNEL] == CHANNEL_TELEGRAM or not is_phone_number(address):
        errors[CONF_ASSIST] = "assist_needs_phone_number"
    elif any(
        other.subentry_type == SUBENTRY_RECIPIENT
        and other.data.get(CONF_ASSIST)
        and (subentry is None or other.subentry_id != subentry.subentry_id)
        and same_sender(other.data[CONF_ADDRESS], address)
        for other in entry.subentries.values()
    ):
        errors[CONF_ADDRESS] = "assist_number_taken"
    assist: dict[str, Any] = {CONF_ASSIST: True}
    if pin := str(user_input.get(CONF_PIN, "")).strip():
        if PIN.fullmatch(pin):
            assist[CONF_PIN] = pin
        else:
            errors[CONF_PIN] = "invalid_pin"
    if user_id := user_input.get(CONF_USER_ID):
        if user_id in {user.id for user in users}:
            assist[CONF_USER_ID] = user_id
        else:
            errors[CONF_USER_ID] = "unknown_user"
    return assist, errors


def assist_options_fields(current: Mapping[str, Any]) -> dict[vol.Marker, Any]:
    """The options of Assist by SMS, in a collapsed section."""
    settings = AssistSettings.from_options(current)
    fields = {
        vol.Required(CONF_AGENT_ID, default=settings.agent_id): (
            ConversationAgentSelector()
        ),
        vol.Optional(
            CONF_LANGUAGE, description={"suggested_value": settings.language}
        ): LanguageSelector(),
        vol.Required(CONF_ANSWERS_PER_HOUR, default=settings.answers_per_hour): (
            whole_number(1, MAX_ANSWERS_PER_HOUR, "/h")
        ),
        vol.Required(CONF_MAX_PARTS, default=settings.max_parts): whole_number(
            1, MAX_MAX_PARTS, "SMS"
        ),
        vol.Required(CONF_MAX_AGE, default=settings.max_age): whole_number(
            1, MAX_MAX_AGE, "min"
        ),
    }
    return {vol.Optional(CONF_ASSIST): section(vol.Schema(fields), {"collapsed": True})}


def check_assist_options(
    hass: HomeAssistant, user_input: Mapping[str, Any]
) -> str | None:
    """Return the error of the chosen agent and language, if any."""
    chosen = user_input.get(CONF_ASSIST)
    if chosen is None:
        return None
    agent_id = chosen[CONF_AGENT_ID]
    if conversation.async_get_agent_info(hass, agent_id) is None:
        return "unknown_agent"
    language = chosen.get(CONF_LANGUAGE)
    languages = conversation.async_get_conversation_languages(hass, agent_id)
    if (
        language
        and languages != MATCH_ALL
        and not language_util.matches(language, languages)
    ):
        return "language_not_supported"
    return None


def assist_options(
    options: Mapping[str, Any], user_input: Mapping[str, Any]
) -> dict[str, Any]:
    """The options of Assist by SMS: as chosen, or as they were when not shown."""
    if (chosen := user_input.get(CONF_ASSIST)) is None:
        return {CONF_ASSIST: options[CONF_ASSIST]} if CONF_ASSIST in options else {}
    kept: dict[str, Any] = {
        CONF_AGENT_ID: chosen[CONF_AGENT_ID],
        CONF_ANSWERS_PER_HOUR: int(chosen[CONF_ANSWERS_PER_HOUR]),
        CONF_MAX_PARTS: int(chosen[CONF_MAX_PARTS]),
        CONF_MAX_AGE: int(chosen[CONF_MAX_AGE]),
    }
    if language := chosen.get(CONF_LANGUAGE):
        kept[CONF_LANGUAGE] = language
    return {CONF_ASSIST: kept}
