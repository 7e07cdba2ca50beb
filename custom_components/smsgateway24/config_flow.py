"""Config flow: sign in to an SMSGateway24 account and pick the default phone.

Also the options, and the account's subentries: recipients and backup routes.
"""

from __future__ import annotations

from collections.abc import Mapping
import re
from typing import Any, Final

from aiohttp import ClientSession
from homeassistant.auth.models import User
from homeassistant.components import conversation, webhook
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
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
    CONF_API_KEY,
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
from homeassistant.helpers.network import NoURLAvailableError, get_url
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

from .assist import AssistSettings, assist_recipients
from .clients import seven, ubill
from .clients.smsgateway24 import (
    DEFAULT_URL,
    Phone,
    SimCard,
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
    CONF_BRAND_ID,
    CONF_CATCH_UP_HOURS,
    CONF_CHANNEL,
    CONF_DEVICE_ID,
    CONF_FAILOVER_AFTER,
    CONF_FALLBACK_ROUTE,
    CONF_LANGUAGE,
    CONF_MAX_AGE,
    CONF_MAX_PARTS,
    CONF_ONLINE_TIMEOUT,
    CONF_PIN,
    CONF_PROVIDER,
    CONF_SCAN_INTERVAL,
    CONF_SENDER,
    CONF_SIGNING_SECRET,
    CONF_SIM,
    CONF_USER_ID,
    CONF_WEBHOOK,
    CONF_WEBHOOK_ID,
    DEFAULT_CATCH_UP_HOURS,
    DEFAULT_FAILOVER_AFTER,
    DEFAULT_ONLINE_TIMEOUT,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    LOGGER,
    MAX_ANSWERS_PER_HOUR,
    MAX_CATCH_UP_HOURS,
    MAX_FAILOVER_AFTER,
    MAX_MAX_AGE,
    MAX_MAX_PARTS,
    MAX_ONLINE_TIMEOUT,
    MAX_SCAN_INTERVAL,
    MIN_CATCH_UP_HOURS,
    MIN_ONLINE_TIMEOUT,
    MIN_SCAN_INTERVAL,
    PROVIDER_NAMES,
    PROVIDER_SEVEN,
    PROVIDERS,
    RECIPIENT_CHANNELS,
    REQUEST_TIMEOUT,
    SUBENTRY_RECIPIENT,
    SUBENTRY_ROUTE,
)
from .coordinator import SmsGateway24ConfigEntry
from .device_trigger import same_sender
from .push import route_push_addresses
from .routes import DEFAULT_URLS, route_client, route_subentries
from .send import TELEGRAM_ID, international_number, reported_number

EMAIL_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.EMAIL, autocomplete="username")
)
PASSWORD_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)
URL_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
# The errors that concern the server URL: the section that holds it opens.
URL_ERRORS: Final = frozenset({"invalid_url", "cannot_connect"})
# Each whole-number option, its unit and its range; a value out of range gets
# the option's own error, which names the range.
NUMBER_OPTIONS: Final = {
    CONF_SCAN_INTERVAL: ("s", MIN_SCAN_INTERVAL, MAX_SCAN_INTERVAL),
    CONF_ONLINE_TIMEOUT: ("min", MIN_ONLINE_TIMEOUT, MAX_ONLINE_TIMEOUT),
    CONF_CATCH_UP_HOURS: ("h", MIN_CATCH_UP_HOURS, MAX_CATCH_UP_HOURS),
    CONF_FAILOVER_AFTER: ("min", 0, MAX_FAILOVER_AFTER),
}
OPTION_DEFAULTS: Final = {
    CONF_SCAN_INTERVAL: DEFAULT_SCAN_INTERVAL,
    CONF_ONLINE_TIMEOUT: DEFAULT_ONLINE_TIMEOUT,
    CONF_CATCH_UP_HOURS: DEFAULT_CATCH_UP_HOURS,
    CONF_FAILOVER_AFTER: DEFAULT_FAILOVER_AFTER,
}
# The choice of no fallback route, in the options' list of routes.
NO_ROUTE: Final = "none"
# The options a reload applies; the others are read where they are used, so
# changing only those does not reload the entry (and its entities stay as they are).
RELOADING_OPTIONS: Final = (CONF_SCAN_INTERVAL, CONF_WEBHOOK)
# The slots offered when a phone reports no SIM: the provider's two.
UNREPORTED_SLOTS: Final = (0, 1)


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


def credentials_schema(
    email: str | None = None, url: str = DEFAULT_URL, *, collapsed: bool = True
) -> vol.Schema:
    """Ask e-mail and password, with the server URL in a section."""
    return vol.Schema(
        {
            vol.Required(CONF_EMAIL, default=email or vol.UNDEFINED): EMAIL_SELECTOR,
            vol.Required(CONF_PASSWORD): PASSWORD_SELECTOR,
            vol.Required(CONF_ADVANCED): url_section(url, collapsed=collapsed),
        }
    )


def url_section(url: str, *, collapsed: bool) -> section:
    """The server URL, in a section that is closed unless it needs attention."""
    return section(
        vol.Schema({vol.Required(CONF_URL, default=url): URL_SELECTOR}),
        {"collapsed": collapsed},
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


def sim_label(sim: SimCard) -> str:
    """A SIM as the phone describes it: "SIM 2 · Telekom.de · +4917012345678"."""
    number = None if sim.number is None else reported_number(sim.number)
    return " · ".join(
        part for part in (f"SIM {sim.slot + 1}", sim.carrier, number) if part
    )


def slots_of(phone: Phone) -> tuple[int, ...]:
    """The SIM slots a phone can send from; both when it reports none."""
    return tuple(sim.slot for sim in phone.sims) or UNREPORTED_SLOTS


def sim_selector(phone: Phone) -> SelectSelector:
    """The SIMs of one phone, by slot, operator and number: only those it has."""
    options = [
        SelectOptionDict(value=str(sim.slot), label=sim_label(sim))
        for sim in phone.sims
    ] or [
        SelectOptionDict(value=str(slot), label=f"SIM {slot + 1}")
        for slot in UNREPORTED_SLOTS
    ]
    return SelectSelector(
        SelectSelectorConfig(options=options, mode=SelectSelectorMode.DROPDOWN)
    )


def sim_page(phone: Phone, kept: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The page that asks for one of the phone's SIMs.

    The SIM ``kept`` (the options or the recipient as they are) comes first
    when it is this phone's and still there; else the phone's first.
    """
    slots = slots_of(phone)
    sim = (kept or {}).get(CONF_SIM)
    if (kept or {}).get(CONF_DEVICE_ID) != phone.id or sim not in slots:
        sim = slots[0]
    return {
        "step_id": "sim",
        "data_schema": vol.Schema(
            {vol.Required(CONF_SIM, default=str(sim)): sim_selector(phone)}
        ),
        "description_placeholders": {"phone": phone.title},
    }


def first_phone(phones: Mapping[int, Phone]) -> Phone:
    """The phone listed first."""
    return min(phones.values(), key=lambda phone: phone.title.lower())


def check_phone(
    phones: Mapping[int, Phone], phone_id: int, sim: int | None = None
) -> str | None:
    """The error of a phone and SIM choice, if any.

    The forms offer only what exists; a phone or SIM can still leave the
    account while a form is open.
    """
    phone = phones.get(phone_id)
    if phone is None:
        return "unknown_device"
    if sim is not None and sim not in slots_of(phone):
        return "sim_not_available"
    return None


def sim_errors(
    phones: Mapping[int, Phone], phone_id: int, user_input: Mapping[str, Any] | None
) -> dict[str, str]:
    """The errors of a SIM page's answer: its phone or SIM may have gone meanwhile."""
    if user_input is not None and (
        error := check_phone(phones, phone_id, int(user_input[CONF_SIM]))
    ):
        return {"base": error}
    return {}


def check_numbers(user_input: Mapping[str, Any]) -> dict[str, str]:
    """An error for each whole-number option out of its range, or not whole."""
    errors: dict[str, str] = {}
    for key, (_unit, minimum, maximum) in NUMBER_OPTIONS.items():
        value = user_input[key]
        if value != int(value) or not minimum <= value <= maximum:
            errors[key] = f"{key}_range"
    return errors


async def sign_in(
    session: ClientSession,
    url: str,
    email: str,
    password: str | None,
    token: str | None = None,
) -> tuple[str, dict[int, Phone]]:
    """Get a token (or try the one given) and the phone list, or raise the client's error."""
    client = SmsGateway24(
        url=url, token=token, session=session, request_timeout=REQUEST_TIMEOUT
    )
    if password is not None:
        await client.get_token(email, password)
    phones = await client.get_phones()
    # The phone list needs a token: there is one.
    return client.token or "", phones


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
    """Sign in, then pick the default phone and its SIM."""

    VERSION = 1
    # 1.2: every entry has its push address from the start.
    MINOR_VERSION = 2

    def __init__(self) -> None:
        """Start with nothing known."""
        self._data: dict[str, str] = {}
        self._phones: dict[int, Phone] = {}
        self._phone_id = 0

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
        """Recipients, each a notify entity; backup routes, each with its balance."""
        return {
            SUBENTRY_RECIPIENT: RecipientSubentryFlow,
            SUBENTRY_ROUTE: RouteSubentryFlow,
        }

    async def _async_sign_in(
        self,
        user_input: Mapping[str, Any],
        errors: dict[str, str],
        *,
        need_phones: bool = True,
        token: str | None = None,
    ) -> str | None:
        """Sign in with the form's values; return the token or fill errors.

        Without a password, the ``token`` given is tried. A new entry needs a
        phone to send from; signing in again does not, so that an account
        whose phones are gone can still renew its token.
        """
        url = normalise_url(user_input[CONF_ADVANCED][CONF_URL])
        if url is None:
            errors["base"] = "invalid_url"
            return None
        password = user_input.get(CONF_PASSWORD) or None
        try:
            token, self._phones = await sign_in(
                async_get_clientsession(self.hass),
                url,
                user_input[CONF_EMAIL].strip(),
                password,
                token,
            )
        except SmsGateway24AuthenticationError:
            errors["base"] = "invalid_auth" if password else "password_needed"
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
        """Ask for the account's e-mail and password.

        The unique id is set only when the entry is made: a flow left open
        must not block another one for the same account.
        """
        errors: dict[str, str] = {}
        if user_input is not None:
            unique_id = user_input[CONF_EMAIL].strip().lower()
            if self.hass.config_entries.async_entry_for_domain_unique_id(
                DOMAIN, unique_id
            ):
                return self.async_abort(reason="already_configured")
            if await self._async_sign_in(user_input, errors):
                return await self.async_step_device()
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                credentials_schema(collapsed=errors.get("base") not in URL_ERRORS),
                user_input,
            ),
            errors=errors,
        )

    async def async_step_device(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick the phone that sends by default, and its SIM when it is the only phone.

        With several phones, the SIM is asked next, among the chosen phone's.
        The forms offer only the phones and SIMs that exist.
        """
        phones = self._phones
        if user_input is not None:
            self._phone_id = int(user_input[CONF_DEVICE_ID])
            if CONF_SIM in user_input:
                return await self.async_step_sim(user_input)
            slots = slots_of(phones[self._phone_id])
            if len(slots) > 1:
                return await self.async_step_sim()
            return await self._async_create_entry(self._phone_id, slots[0])
        shown = first_phone(phones)
        fields: dict[vol.Marker, Any] = {
            vol.Required(CONF_DEVICE_ID, default=str(shown.id)): phone_selector(phones)
        }
        if len(phones) == 1:
            fields[vol.Required(CONF_SIM, default=str(slots_of(shown)[0]))] = (
                sim_selector(shown)
            )
        return self.async_show_form(step_id="device", data_schema=vol.Schema(fields))

    async def async_step_sim(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick the SIM of the chosen phone."""
        if user_input is not None:
            return await self._async_create_entry(
                self._phone_id, int(user_input[CONF_SIM])
            )
        return self.async_show_form(**sim_page(self._phones[self._phone_id]))

    async def _async_create_entry(self, phone_id: int, sim: int) -> ConfigFlowResult:
        """Make the entry, unless another flow made one for the account meanwhile."""
        await self.async_set_unique_id(
            self._data[CONF_EMAIL].lower(), raise_on_progress=False
        )
        self._abort_if_unique_id_configured()
        return self.async_create_entry(
            title=self._data[CONF_EMAIL],
            data=self._data,
            options={
                CONF_DEVICE_ID: phone_id,
                CONF_SIM: sim,
                **OPTION_DEFAULTS,
                CONF_WEBHOOK: False,
                CONF_WEBHOOK_ID: webhook.async_generate_id(),
            },
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
        """Change the server URL or the password of the same account.

        Without a password, the entry's token is tried at the URL: a new
        address of the same server needs no password.
        """
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            form = {**user_input, CONF_EMAIL: entry.data[CONF_EMAIL]}
            if token := await self._async_sign_in(
                form, errors, need_phones=False, token=entry.data[CONF_TOKEN]
            ):
                return self.async_update_reload_and_abort(
                    entry,
                    data_updates={CONF_URL: self._data[CONF_URL], CONF_TOKEN: token},
                )
        schema = vol.Schema(
            {
                vol.Optional(CONF_PASSWORD): PASSWORD_SELECTOR,
                vol.Required(CONF_ADVANCED): url_section(
                    entry.data[CONF_URL], collapsed=False
                ),
            }
        )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            description_placeholders={CONF_EMAIL: entry.data[CONF_EMAIL]},
            errors=errors,
        )


def webhook_address(hass: HomeAssistant, webhook_id: str) -> tuple[str, bool]:
    """The address the phones push to, and whether the internet can reach it.

    When Home Assistant knows no address outside the home network, the one it
    knows inside is shown (or only the path, when it knows none).
    """
    path = webhook.async_generate_path(webhook_id)
    try:
        return f"{get_url(hass, allow_internal=False)}{path}", True
    except NoURLAvailableError:
        pass
    try:
        return f"{get_url(hass)}{path}", False
    except NoURLAvailableError:
        return path, False


def fallback_route_field(
    routes: Mapping[str, ConfigSubentry], chosen: str | None
) -> dict[vol.Marker, SelectSelector]:
    """No fallback route, or one of the routes, by name and provider.

    The value is the route's subentry id; a route chosen before and removed
    since is no choice.
    """
    options = [SelectOptionDict(value=NO_ROUTE, label=NO_ROUTE)] + [
        SelectOptionDict(
            value=subentry_id,
            label=f"{route.title} ({PROVIDER_NAMES[route.data[CONF_PROVIDER]]})",
        )
        for subentry_id, route in sorted(
            routes.items(), key=lambda item: item[1].title.lower()
        )
    ]
    return {
        vol.Required(
            CONF_FALLBACK_ROUTE, default=chosen if chosen in routes else NO_ROUTE
        ): SelectSelector(
            SelectSelectorConfig(
                options=options,
                translation_key=CONF_FALLBACK_ROUTE,
                mode=SelectSelectorMode.DROPDOWN,
            )
        )
    }


def number_option_field(
    key: str, current: Mapping[str, Any]
) -> dict[vol.Marker, NumberSelector]:
    """A whole-number option, checked by ``check_numbers`` rather than by the box.

    The box does not hold the range: a value out of it gets the option's
    own error, which names the range.
    """
    unit = NUMBER_OPTIONS[key][0]
    return {
        vol.Required(key, default=current.get(key, OPTION_DEFAULTS[key])): (
            NumberSelector(
                NumberSelectorConfig(
                    step=1, unit_of_measurement=unit, mode=NumberSelectorMode.BOX
                )
            )
        )
    }


class SmsGateway24OptionsFlow(OptionsFlowWithReload):
    """Polling, online timeout, catch-up limit, default phone and SIM, push, failover.

    With several phones, the SIM is asked after the phone, among its SIMs;
    with push on, the push address is shown last.
    """

    config_entry: SmsGateway24ConfigEntry

    def __init__(self) -> None:
        """Start with nothing chosen."""
        self._options: dict[str, Any] = {}

    @property
    def _phones(self) -> dict[int, Phone]:
        return self.config_entry.runtime_data.data.phones

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and check the options."""
        if self.config_entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="not_loaded")
        phones = self._phones
        if not phones:
            return self.async_abort(reason="no_devices")
        routes = route_subentries(self.config_entry)
        errors: dict[str, str] = {}
        if user_input is not None:
            phone_id = int(user_input[CONF_DEVICE_ID])
            sim = int(user_input[CONF_SIM]) if CONF_SIM in user_input else None
            fallback = user_input[CONF_FALLBACK_ROUTE]
            errors = check_numbers(user_input)
            if fallback != NO_ROUTE and fallback not in routes:
                errors[CONF_FALLBACK_ROUTE] = "route_gone"
            if error := check_phone(phones, phone_id, sim) or check_assist_options(
                self.hass, user_input
            ):
                errors["base"] = error
            if not errors:
                self._options = {
                    **self.config_entry.options,
                    **{key: int(user_input[key]) for key in NUMBER_OPTIONS},
                    CONF_DEVICE_ID: phone_id,
                    CONF_WEBHOOK: bool(user_input[CONF_WEBHOOK]),
                    CONF_FALLBACK_ROUTE: None if fallback == NO_ROUTE else fallback,
                    **assist_options(self.config_entry.options, user_input),
                }
                slots = slots_of(phones[phone_id])
                if sim is None and len(slots) > 1:
                    return await self.async_step_sim()
                self._options[CONF_SIM] = slots[0] if sim is None else sim
                return await self.async_step_push()
        current = {**self.config_entry.options, **(user_input or {})}
        fields: dict[vol.Marker, Any] = {}
        for key in (CONF_SCAN_INTERVAL, CONF_ONLINE_TIMEOUT, CONF_CATCH_UP_HOURS):
            fields |= number_option_field(key, current)
        default_phone = phones.get(int(current[CONF_DEVICE_ID]), first_phone(phones))
        fields[vol.Required(CONF_DEVICE_ID, default=str(default_phone.id))] = (
            phone_selector(phones)
        )
        if len(phones) == 1:
            slots = slots_of(default_phone)
            sim = int(current[CONF_SIM])
            fields[
                vol.Required(CONF_SIM, default=str(sim if sim in slots else slots[0]))
            ] = sim_selector(default_phone)
        fields[vol.Required(CONF_WEBHOOK, default=current.get(CONF_WEBHOOK, False))] = (
            BooleanSelector()
        )
        fields |= fallback_route_field(routes, current.get(CONF_FALLBACK_ROUTE))
        fields |= number_option_field(CONF_FAILOVER_AFTER, current)
        fields |= assist_options_fields(current)
        return self.async_show_form(
            step_id="init", data_schema=vol.Schema(fields), errors=errors
        )

    async def async_step_sim(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick the SIM of the chosen phone."""
        errors = sim_errors(self._phones, self._options[CONF_DEVICE_ID], user_input)
        if user_input is not None and not errors:
            self._options[CONF_SIM] = int(user_input[CONF_SIM])
            return await self.async_step_push()
        if (phone := self._phones.get(self._options[CONF_DEVICE_ID])) is None:
            return self.async_abort(reason="unknown_device")
        return self.async_show_form(
            **sim_page(phone, self.config_entry.options), errors=errors
        )

    async def async_step_push(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """With push on, show the address to paste into the phones' settings."""
        if user_input is not None or not self._options[CONF_WEBHOOK]:
            before = {
                **OPTION_DEFAULTS,
                CONF_WEBHOOK: False,
                **self.config_entry.options,
            }
            self.automatic_reload = any(
                self._options[key] != before[key] for key in RELOADING_OPTIONS
            )
            return self.async_create_entry(data=self._options)
        address, reachable = webhook_address(self.hass, self._options[CONF_WEBHOOK_ID])
        return self.async_show_form(
            step_id="push",
            data_schema=vol.Schema({}),
            description_placeholders={
                "webhook_url": address,
                "route_urls": route_push_addresses(
                    self.config_entry,
                    self._options[CONF_WEBHOOK_ID],
                    lambda webhook_id: webhook_address(self.hass, webhook_id)[0],
                ),
            },
            errors={} if reachable else {"base": "no_external_url"},
        )


def recipient_schema(phones: Mapping[int, Phone]) -> vol.Schema:
    """Name, channel and address of a recipient; optionally its phone.

    With one phone, its SIM is offered here too; with several, it is asked
    after the phone.
    """
    fields: dict[vol.Marker, Any] = {
        vol.Required(CONF_NAME): TextSelector(),
        vol.Required(CONF_CHANNEL, default=CHANNEL_SMS): SelectSelector(
            SelectSelectorConfig(
                options=list(RECIPIENT_CHANNELS),
                translation_key="channel",
                mode=SelectSelectorMode.DROPDOWN,
            )
        ),
        vol.Required(CONF_ADDRESS): TextSelector(
            TextSelectorConfig(type=TextSelectorType.TEL)
        ),
        vol.Optional(CONF_DEVICE_ID): phone_selector(phones),
    }
    if len(phones) == 1:
        (phone,) = phones.values()
        fields[vol.Optional(CONF_SIM)] = sim_selector(phone)
    return vol.Schema(fields)


def recipient_data(
    phones: Mapping[int, Phone], default_phone: int, user_input: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The subentry data of a recipient form, and the form's errors.

    A phone number is kept in international form, as it is sent. Without a
    phone of its own, the recipient needs the account's default one.
    """
    channel = user_input[CONF_CHANNEL]
    address = user_input[CONF_ADDRESS].strip()
    errors: dict[str, str] = {}
    if not user_input[CONF_NAME].strip():
        errors[CONF_NAME] = "empty_name"
    if channel == CHANNEL_TELEGRAM:
        if not TELEGRAM_ID.fullmatch(address):
            errors[CONF_ADDRESS] = "invalid_telegram_id"
        return {CONF_CHANNEL: channel, CONF_ADDRESS: address}, errors
    if (international := international_number(address)) is None:
        errors[CONF_ADDRESS] = "invalid_phone"
    data: dict[str, Any] = {CONF_CHANNEL: channel, CONF_ADDRESS: international}
    if CONF_DEVICE_ID in user_input:
        data[CONF_DEVICE_ID] = int(user_input[CONF_DEVICE_ID])
    if error := check_phone(phones, data.get(CONF_DEVICE_ID, default_phone)):
        errors[CONF_DEVICE_ID] = error
    if CONF_SIM in user_input and channel == CHANNEL_SMS:
        data[CONF_SIM] = int(user_input[CONF_SIM])
    return data, errors


class SubentryFlow(ConfigSubentryFlow):
    """A subentry's flow: its steps gather a title and data, then add or change it."""

    def __init__(self) -> None:
        """Start with nothing chosen."""
        self._title = ""
        self._data: dict[str, Any] = {}

    @property
    def _kept(self) -> ConfigSubentry | None:
        """The subentry being reconfigured, if it is."""
        if self.source != SOURCE_RECONFIGURE:
            return None
        return self._get_reconfigure_subentry()

    @callback
    def _async_finish(self) -> SubentryFlowResult:
        """Add the subentry; or, when reconfiguring, change it in place."""
        if (subentry := self._kept) is None:
            return self.async_create_entry(title=self._title, data=self._data)
        return self.async_update_and_abort(
            self._get_entry(), subentry, title=self._title, data=self._data
        )


class RecipientSubentryFlow(SubentryFlow):
    """Add or change a recipient; each one is a notify entity on a device of its own."""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Add a recipient."""
        return await self._async_step_recipient("user", user_input)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a recipient; its entity and device follow without a reload."""
        return await self._async_step_recipient("reconfigure", user_input)

    @property
    def _phones(self) -> dict[int, Phone]:
        entry: SmsGateway24ConfigEntry = self._get_entry()
        return entry.runtime_data.data.phones

    async def _async_step_recipient(
        self, step_id: str, user_input: dict[str, Any] | None
    ) -> SubentryFlowResult:
        if self._get_entry().state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="not_loaded")
        phones = self._phones
        users = await assist_users(self.hass)
        errors: dict[str, str] = {}
        if user_input is not None:
            entry: SmsGateway24ConfigEntry = self._get_entry()
            self._data, errors = recipient_data(
                phones, int(entry.options[CONF_DEVICE_ID]), user_input
            )
            assist, assist_errors = recipient_assist_data(
                entry, self._kept, users, self._data, user_input
            )
            self._data |= assist
            errors |= assist_errors
            if not errors:
                self._title = user_input[CONF_NAME].strip()
                phone_id = self._data.get(CONF_DEVICE_ID)
                if (
                    self._data[CONF_CHANNEL] == CHANNEL_SMS
                    and phone_id is not None
                    and CONF_SIM not in self._data
                ):
                    slots = slots_of(phones[phone_id])
                    if len(slots) > 1:
                        return await self.async_step_sim()
                    self._data[CONF_SIM] = slots[0]
                return self._async_finish()
        suggested: Mapping[str, Any] = user_input or {}
        if user_input is None and (subentry := self._kept) is not None:
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

    async def async_step_sim(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Pick the SIM of the recipient's phone."""
        errors = sim_errors(self._phones, self._data[CONF_DEVICE_ID], user_input)
        if user_input is not None and not errors:
            self._data[CONF_SIM] = int(user_input[CONF_SIM])
            return self._async_finish()
        if (phone := self._phones.get(self._data[CONF_DEVICE_ID])) is None:
            return self.async_abort(reason="unknown_device")
        kept = None if self._kept is None else self._kept.data
        return self.async_show_form(**sim_page(phone, kept), errors=errors)


# Backup routes: a cloud SMS API (seven.io, UBill) that sends when the phone
# cannot. Each is a subentry; its data is fixed (routes.route_of reads it).

API_KEY_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="off")
)
PROVIDER_SELECTOR = SelectSelector(
    SelectSelectorConfig(
        options=[
            SelectOptionDict(value=provider, label=PROVIDER_NAMES[provider])
            for provider in PROVIDERS
        ],
        mode=SelectSelectorMode.LIST,
    )
)


def route_schema(*, with_provider: bool, collapsed: bool) -> vol.Schema:
    """Name, provider (when adding) and key; the API's address in a section."""
    fields: dict[vol.Marker, Any] = {vol.Required(CONF_NAME): TextSelector()}
    if with_provider:
        fields[vol.Required(CONF_PROVIDER, default=PROVIDER_SEVEN)] = PROVIDER_SELECTOR
    fields[vol.Required(CONF_API_KEY)] = API_KEY_SELECTOR
    # Empty means the provider's own address, whichever provider is chosen.
    fields[vol.Required(CONF_ADVANCED)] = section(
        vol.Schema({vol.Optional(CONF_URL): URL_SELECTOR}), {"collapsed": collapsed}
    )
    return vol.Schema(fields)


async def authorized_brands(
    client: seven.Seven | ubill.UBill,
) -> tuple[ubill.Brand, ...]:
    """Try the route's key; UBill's answer is its brands that may send.

    seven's balance is its cheapest request that needs the key.
    """
    if isinstance(client, seven.Seven):
        await client.get_balance()
        return ()
    return tuple(brand for brand in await client.get_brands() if brand.authorized)


class RouteSubentryFlow(SubentryFlow):
    """Add or change a backup route: a cloud SMS API with its key.

    The key is tried before anything is kept; then seven's sender and signing
    secret, or UBill's brand, are asked. A route keeps its provider: another
    provider is another route.
    """

    def __init__(self) -> None:
        """Start with nothing chosen."""
        super().__init__()
        self._brands: tuple[ubill.Brand, ...] = ()

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Add a route: its name, provider and key."""
        return await self._async_step_route("user", user_input)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a route's name, key or address; its device and balance stay."""
        return await self._async_step_route("reconfigure", user_input)

    async def _async_step_route(
        self, step_id: str, user_input: dict[str, Any] | None
    ) -> SubentryFlowResult:
        kept = self._kept
        errors: dict[str, str] = {}
        if user_input is not None:
            provider = (
                user_input[CONF_PROVIDER] if kept is None else kept.data[CONF_PROVIDER]
            )
            errors = await self._async_try_route(provider, user_input)
            if not errors and provider == PROVIDER_SEVEN:
                return await self.async_step_seven()
            if not errors:
                return await self.async_step_brand()
        suggested: Mapping[str, Any] = user_input or {}
        if user_input is None and kept is not None:
            suggested = {
                CONF_NAME: kept.title,
                CONF_API_KEY: kept.data[CONF_API_KEY],
                CONF_ADVANCED: {CONF_URL: kept.data.get(CONF_URL, "")},
            }
        placeholders = {
            f"{provider}_url": url for provider, url in DEFAULT_URLS.items()
        }
        if kept is not None:
            placeholders["provider"] = PROVIDER_NAMES[kept.data[CONF_PROVIDER]]
        schema = route_schema(
            with_provider=kept is None,
            collapsed=errors.get("base") not in URL_ERRORS,
        )
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, suggested),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def _async_try_route(
        self, provider: str, user_input: Mapping[str, Any]
    ) -> dict[str, str]:
        """Check the form and try the key at the address; keep them if they work.

        An address left empty, or the provider's own, is not kept: the route
        then uses the provider's own address.
        """
        errors: dict[str, str] = {}
        name = user_input[CONF_NAME].strip()
        if not name:
            errors[CONF_NAME] = "empty_name"
        url: str | None = None
        if typed := user_input[CONF_ADVANCED].get(CONF_URL, "").strip():
            url = normalise_url(typed)
            if url is None:
                errors["base"] = "invalid_url"
        if errors:
            return errors
        api_key = user_input[CONF_API_KEY].strip()
        try:
            self._brands = await authorized_brands(
                route_client(self.hass, provider, api_key, url)
            )
        except seven.SevenAuthenticationError, ubill.UBillAuthenticationError:
            errors["base"] = "invalid_key"
        except seven.SevenError, ubill.UBillError:
            errors["base"] = "cannot_connect"
        except Exception:  # noqa: BLE001  # the form must never crash; the log keeps the trace
            LOGGER.exception("Unexpected error while trying a backup route")
            errors["base"] = "unknown"
        else:
            if provider != PROVIDER_SEVEN and not self._brands:
                errors["base"] = "no_authorized_brand"
        if not errors:
            self._title = name
            self._data = {CONF_PROVIDER: provider, CONF_API_KEY: api_key}
            if url not in (None, DEFAULT_URLS[provider]):
                self._data[CONF_URL] = url
        return errors

    async def async_step_seven(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """The sender of seven's messages, and the secret of its signed webhooks."""
        errors: dict[str, str] = {}
        if user_input is not None:
            chosen = {
                key: value
                for key in (CONF_SENDER, CONF_SIGNING_SECRET)
                if (value := str(user_input.get(key, "")).strip())
            }
            if CONF_SENDER in chosen and not seven.is_valid_sender(chosen[CONF_SENDER]):
                errors[CONF_SENDER] = "invalid_sender"
            else:
                self._data |= chosen
                return self._async_finish()
        kept = self._kept
        schema = vol.Schema(
            {
                vol.Optional(CONF_SENDER): TextSelector(),
                vol.Optional(CONF_SIGNING_SECRET): API_KEY_SELECTOR,
            }
        )
        return self.async_show_form(
            step_id="seven",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or (kept.data if kept is not None else {})
            ),
            errors=errors,
        )

    async def async_step_brand(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """The UBill brand (sender name) the route sends under: one authorized."""
        if user_input is not None:
            self._data[CONF_BRAND_ID] = int(user_input[CONF_BRAND_ID])
            return self._async_finish()
        ids = [brand.id for brand in self._brands]
        kept = self._kept
        chosen = None if kept is None else kept.data.get(CONF_BRAND_ID)
        schema = vol.Schema(
            {
                vol.Required(
                    CONF_BRAND_ID, default=str(chosen if chosen in ids else ids[0])
                ): SelectSelector(
                    SelectSelectorConfig(
                        options=[
                            SelectOptionDict(value=str(brand.id), label=brand.name)
                            for brand in self._brands
                        ],
                        mode=SelectSelectorMode.LIST,
                    )
                )
            }
        )
        return self.async_show_form(step_id="brand", data_schema=schema)


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
    address = data[CONF_ADDRESS]
    if address is None:
        # Not a phone number: the address field says so first.
        return {}, {}
    errors: dict[str, str] = {}
    if data[CONF_CHANNEL] == CHANNEL_TELEGRAM:
        errors[CONF_ASSIST] = "assist_needs_phone_number"
    elif any(
        (subentry is None or other.subentry_id != subentry.subentry_id)
        and same_sender(other.data[CONF_ADDRESS], address)
        for other in assist_recipients(entry)
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
