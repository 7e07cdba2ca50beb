"""Sensors of a gateway phone and its SIM cards; the balance of a backup route."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    DOMAIN as SENSOR_DOMAIN,
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity
from homeassistant.util import dt as dt_util

from .assist import pin_hidden
from .clients.smsgateway24 import Message, Phone, SimCard
from .const import (
    ATTR_PHONE,
    ATTR_RECEIVED_AT,
    ATTR_SIM,
    ATTR_SMS_ID,
    ATTR_TEXT,
    DOMAIN,
    PROVIDER_SEVEN,
    PROVIDER_UBILL,
)
from .coordinator import SmsGateway24ConfigEntry, SmsGateway24Coordinator
from .entity import (
    PhoneEntity,
    SimEntity,
    async_add_phone_entities,
    subentry_device_info,
)
from .routes import (
    SEVEN_CURRENCY,
    SIGNAL_ROUTE_ADDED,
    UBILL_CREDITS,
    RouteBalanceCoordinator,
)
from .send import reported_number

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class PhoneSensorDescription(SensorEntityDescription):
    """A sensor about the phone itself."""

    value_fn: Callable[[Phone], str | datetime | None]


@dataclass(frozen=True, kw_only=True)
class SimSensorDescription(SensorEntityDescription):
    """A sensor about one SIM card."""

    value_fn: Callable[[SimCard], str | None]


PHONE_SENSORS: tuple[PhoneSensorDescription, ...] = (
    # The phone reaches the provider every few seconds: its last contact
    # changes at every poll, and each change would be a line of the activity
    # log. Online says what matters; this is there for who wants it.
    PhoneSensorDescription(
        key="last_seen",
        translation_key="last_seen",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda phone: phone.last_seen,
    ),
    PhoneSensorDescription(
        key="app_version",
        translation_key="app_version",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda phone: phone.app_version,
    ),
)

LAST_MESSAGE_SENSOR = SensorEntityDescription(
    key="last_message", translation_key="last_message"
)
# The longest state Home Assistant accepts.
MAX_STATE_LENGTH = 255
ATTR_SENDER = "sender"
LAST_MESSAGE_ATTRIBUTES = (ATTR_SENDER, ATTR_RECEIVED_AT, ATTR_SIM, ATTR_SMS_ID)

SIM_SENSORS: tuple[SimSensorDescription, ...] = (
    SimSensorDescription(
        key="operator",
        translation_key="sim_operator",
        value_fn=lambda sim: sim.carrier,
    ),
    SimSensorDescription(
        key="number",
        translation_key="sim_number",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda sim: (
            None if sim.number is None else reported_number(sim.number)
        ),
    ),
    SimSensorDescription(
        key="country",
        translation_key="sim_country",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda sim: sim.country.upper() if sim.country else None,
    ),
    SimSensorDescription(
        key="iccid",
        translation_key="sim_iccid",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda sim: sim.iccid,
    ),
)

# A route's balance, by its provider: money, or SMS credits. Its unit until
# the first answer; then the one the provider names.
ROUTE_BALANCE_SENSORS: dict[str, SensorEntityDescription] = {
    PROVIDER_SEVEN: SensorEntityDescription(
        key="balance",
        translation_key="balance",
        device_class=SensorDeviceClass.MONETARY,
        native_unit_of_measurement=SEVEN_CURRENCY,
        suggested_display_precision=2,
    ),
    PROVIDER_UBILL: SensorEntityDescription(
        key="balance",
        translation_key="sms_balance",
        native_unit_of_measurement=UBILL_CREDITS,
        suggested_display_precision=0,
    ),
}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmsGateway24ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of every phone of the account."""
    coordinator = entry.runtime_data
    # A new Last message sensor would show Unknown until the next message,
    # although the phone has a history: it starts with the history's newest
    # message, looked up once here, apart from the polls. It fires nothing.
    # (Known sensors restore theirs; phones that appear later start empty.)
    registry = er.async_get(hass)
    newest = (
        await coordinator.async_newest_received()
        if any(
            registry.async_get_entity_id(
                SENSOR_DOMAIN, DOMAIN, f"{phone_id}_{LAST_MESSAGE_SENSOR.key}"
            )
            is None
            for phone_id in coordinator.data.phones
        )
        else {}
    )

    def build(phone: Phone) -> Iterable[PhoneEntity]:
        for description in PHONE_SENSORS:
            yield PhoneSensor(coordinator, phone.id, description)
        yield LastMessageSensor(
            coordinator, phone.id, LAST_MESSAGE_SENSOR, newest.get(phone.id)
        )
        for sim in phone.sims:
            for sim_description in SIM_SENSORS:
                yield SimSensor(coordinator, phone.id, sim.slot, sim_description)

    async_add_phone_entities(coordinator, async_add_entities, build)

    @callback
    def add_route(balance: RouteBalanceCoordinator) -> None:
        async_add_entities(
            [RouteBalanceSensor(entry, balance)],
            config_subentry_id=balance.route.subentry_id,
        )

    for balance in (
        route.balance for route in coordinator.routes.values() if route.balance
    ):
        add_route(balance)
    entry.async_on_unload(
        async_dispatcher_connect(
            hass, SIGNAL_ROUTE_ADDED.format(entry.entry_id), add_route
        )
    )


class PhoneSensor(PhoneEntity, SensorEntity):
    """A sensor about a gateway phone."""

    entity_description: PhoneSensorDescription

    def __init__(
        self,
        coordinator: SmsGateway24Coordinator,
        phone_id: int,
        description: PhoneSensorDescription,
    ) -> None:
        """Keep the typed description."""
        super().__init__(coordinator, phone_id, description)

    @property
    def native_value(self) -> str | datetime | None:
        """The phone's value."""
        return self.entity_description.value_fn(self.phone)


class SimSensor(SimEntity, SensorEntity):
    """A sensor about one SIM card of a gateway phone."""

    entity_description: SimSensorDescription

    @property
    def native_value(self) -> str | None:
        """The SIM's value."""
        sim = self.sim
        return None if sim is None else self.entity_description.value_fn(sim)


class LastMessageSensor(PhoneEntity, RestoreSensor):
    """The text of the last message a gateway phone received, and its sender."""

    def __init__(
        self,
        coordinator: SmsGateway24Coordinator,
        phone_id: int,
        description: SensorEntityDescription,
        newest: Message | None,
    ) -> None:
        """Start with ``newest``, the phone's newest message before the sensor existed."""
        super().__init__(coordinator, phone_id, description)
        self._newest = newest

    async def async_added_to_hass(self) -> None:
        """Show the last message of before the restart; follow new ones."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is not None and (
            sensor_data := await self.async_get_last_sensor_data()
        ) is not None:
            self._attr_native_value = sensor_data.native_value
            self._attr_extra_state_attributes = {
                key: last.attributes[key]
                for key in LAST_MESSAGE_ATTRIBUTES
                if key in last.attributes
            }
        elif (newest := self._newest) is not None:
            self._show(
                newest.phone,
                newest.body,
                received_at=None
                if newest.created is None
                else dt_util.as_utc(newest.created).isoformat(),
                sim=newest.sim,
                sms_id=newest.id,
            )
        self.async_on_remove(
            self.coordinator.async_listen_received(self.phone_id, self._async_received)
        )

    @callback
    def _async_received(self, event: Event[Mapping[str, Any]]) -> None:
        """Show the message just received."""
        data = event.data
        self._show(
            data[ATTR_PHONE],
            data[ATTR_TEXT],
            received_at=data[ATTR_RECEIVED_AT],
            sim=data[ATTR_SIM],
            sms_id=data[ATTR_SMS_ID],
        )
        self.async_write_ha_state()

    def _show(
        self,
        sender: str,
        text: str,
        *,
        received_at: str | None,
        sim: int | None,
        sms_id: int,
    ) -> None:
        """Show a message: its text, an Assist PIN hidden, and where it came from."""
        self._attr_native_value = pin_hidden(
            self.coordinator.config_entry, sender, text
        )[:MAX_STATE_LENGTH]
        self._attr_extra_state_attributes = {
            ATTR_SENDER: sender,
            ATTR_RECEIVED_AT: received_at,
            ATTR_SIM: sim,
            ATTR_SMS_ID: sms_id,
        }


class RouteBalanceSensor(CoordinatorEntity[RouteBalanceCoordinator], SensorEntity):
    """The balance of a backup route, on the route's device.

    Unavailable while the route cannot be reached or refuses its key. It
    goes with the route: its subentry owns it and its device.
    """

    _attr_has_entity_name = True

    def __init__(
        self, entry: SmsGateway24ConfigEntry, balance: RouteBalanceCoordinator
    ) -> None:
        """Show the balance the route's coordinator follows."""
        super().__init__(balance)
        route = balance.route
        self.entity_description = ROUTE_BALANCE_SENSORS[route.provider]
        self._attr_unique_id = f"{route.subentry_id}_{self.entity_description.key}"
        self._attr_device_info = subentry_device_info(
            entry.subentries[route.subentry_id]
        )

    @property
    def native_value(self) -> float | None:
        """The amount left, once known."""
        balance = self.coordinator.data
        return None if balance is None else balance.amount

    @property
    def native_unit_of_measurement(self) -> str | None:
        """The currency seven names, or SMS credits."""
        balance = self.coordinator.data
        if balance is None:
            return super().native_unit_of_measurement
        return balance.unit
