"""Sensors of a gateway phone and its SIM cards."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Phone, SimCard
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
