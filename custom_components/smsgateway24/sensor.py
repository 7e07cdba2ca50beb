"""Sensors of a gateway phone and its SIM cards."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .clients.smsgateway24 import Phone, SimCard
from .const import ATTR_PHONE, ATTR_RECEIVED_AT, ATTR_SIM, ATTR_SMS_ID, ATTR_TEXT
from .coordinator import SmsGateway24ConfigEntry, SmsGateway24Coordinator
from .entity import PhoneEntity, SimEntity, async_add_phone_entities

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
    PhoneSensorDescription(
        key="last_seen",
        translation_key="last_seen",
        device_class=SensorDeviceClass.TIMESTAMP,
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
        value_fn=lambda sim: sim.number,
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


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmsGateway24ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of every phone of the account."""
    coordinator = entry.runtime_data

    def build(phone: Phone) -> Iterable[PhoneEntity]:
        for description in PHONE_SENSORS:
            yield PhoneSensor(coordinator, phone.id, description)
        yield LastMessageSensor(coordinator, phone.id, LAST_MESSAGE_SENSOR)
        for sim in phone.sims:
            for sim_description in SIM_SENSORS:
                yield SimSensor(coordinator, phone.id, sim.slot, sim_description)

    async_add_phone_entities(coordinator, async_add_entities, build)


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
        self.async_on_remove(
            self.coordinator.async_listen_received(self.phone_id, self._async_received)
        )

    @callback
    def _async_received(self, event: Event[Mapping[str, Any]]) -> None:
        """Show the message just received."""
        data = event.data
        self._attr_native_value = data[ATTR_TEXT][:MAX_STATE_LENGTH]
        self._attr_extra_state_attributes = {
            ATTR_SENDER: data[ATTR_PHONE],
            ATTR_RECEIVED_AT: data[ATTR_RECEIVED_AT],
            ATTR_SIM: data[ATTR_SIM],
            ATTR_SMS_ID: data[ATTR_SMS_ID],
        }
        self.async_write_ha_state()
