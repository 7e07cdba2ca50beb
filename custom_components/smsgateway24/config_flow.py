"""Config flow: sign in to an SMSGateway24 account and pick the default phone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import ClientSession
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD, CONF_TOKEN, CONF_URL
from homeassistant.core import callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
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
import voluptuous as vol
from yarl import URL

from .api import (
    DEFAULT_URL,
    Phone,
    SmsGateway24,
    SmsGateway24AuthenticationError,
    SmsGateway24Error,
)
from .const import (
    CONF_ADVANCED,
    CONF_CATCH_UP_HOURS,
    CONF_DEVICE_ID,
    CONF_ONLINE_TIMEOUT,
    CONF_SCAN_INTERVAL,
    CONF_SIM,
    DEFAULT_CATCH_UP_HOURS,
    DEFAULT_ONLINE_TIMEOUT,
    DEFAULT_SCAN_INTERVAL,
    DEFAULT_SIM,
    DOMAIN,
    LOGGER,
    MAX_CATCH_UP_HOURS,
    MIN_CATCH_UP_HOURS,
    MIN_ONLINE_TIMEOUT,
    MIN_SCAN_INTERVAL,
    REQUEST_TIMEOUT,
)
from .coordinator import SmsGateway24ConfigEntry

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


def phone_schema(
    phones: Mapping[int, Phone], defaults: Mapping[str, Any]
) -> vol.Schema:
    """Pick the default sending phone and SIM."""
    options = [
        SelectOptionDict(value=str(phone.id), label=phone.title)
        for phone in sorted(phones.values(), key=lambda phone: phone.title.lower())
    ]
    device_default = str(defaults.get(CONF_DEVICE_ID, options[0]["value"]))
    return vol.Schema(
        {
            vol.Required(CONF_DEVICE_ID, default=device_default): SelectSelector(
                SelectSelectorConfig(options=options, mode=SelectSelectorMode.DROPDOWN)
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


class SmsGateway24OptionsFlow(OptionsFlowWithReload):
    """Polling, online timeout, catch-up limit, default phone and SIM."""

    config_entry: SmsGateway24ConfigEntry

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and check the options."""
        if not hasattr(self.config_entry, "runtime_data"):
            return self.async_abort(reason="not_loaded")
        phones = self.config_entry.runtime_data.data.phones
        if not phones:
            return self.async_abort(reason="no_devices")
        errors: dict[str, str] = {}
        if user_input is not None:
            if error := check_phone(phones, user_input):
                errors["base"] = error
            else:
                return self.async_create_entry(
                    data={
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
                ): NumberSelector(
                    NumberSelectorConfig(
                        min=MIN_SCAN_INTERVAL,
                        max=3600,
                        step=1,
                        unit_of_measurement="s",
                        mode=NumberSelectorMode.BOX,
                    )
                ),
                vol.Required(
                    CONF_ONLINE_TIMEOUT,
                    default=current.get(CONF_ONLINE_TIMEOUT, DEFAULT_ONLINE_TIMEOUT),
                ): NumberSelector(
                    NumberSelectorConfig(
                        min=MIN_ONLINE_TIMEOUT,
                        max=1440,
                        step=1,
                        unit_of_measurement="min",
                        mode=NumberSelectorMode.BOX,
                    )
                ),
                vol.Required(
                    CONF_CATCH_UP_HOURS,
                    default=current.get(CONF_CATCH_UP_HOURS, DEFAULT_CATCH_UP_HOURS),
                ): NumberSelector(
                    NumberSelectorConfig(
                        min=MIN_CATCH_UP_HOURS,
                        max=MAX_CATCH_UP_HOURS,
                        step=1,
                        unit_of_measurement="h",
                        mode=NumberSelectorMode.BOX,
                    )
                ),
            }
        ).extend(phone_schema(phones, current).schema)
        return self.async_show_form(step_id="init", data_schema=schema, errors=errors)
