"""Binary sensors of a gateway phone and its SIM cards."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .clients.smsgateway24 import Phone
from .coordinator import SmsGateway24ConfigEntry, SmsGateway24Coordinator
from .entity import PhoneEntity, SimEntity, async_add_phone_entities

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class PhoneBinarySensorDescription(BinarySensorEntityDescription):
    """A yes/no fact about the phone."""

    value_fn: Callable[[SmsGateway24Coordinator, Phone], bool]


PHONE_BINARY_SENSORS: tuple[PhoneBinarySensorDescription, ...] = (
    PhoneBinarySensorDescription(
        key="online",
        translation_key="online",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        value_fn=lambda coordinator, phone: coordinator.is_online(phone),
    ),
    PhoneBinarySensorDescription(
        key="app_update",
        translation_key="app_update",
        device_class=BinarySensorDeviceClass.UPDATE,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda _, phone: not phone.app_version_current,
    ),
    PhoneBinarySensorDescription(
        key="subscription",
        translation_key="subscription",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda _, phone: phone.subscription_active,
    ),
)

ROAMING = BinarySensorEntityDescription(key="roaming", translation_key="sim_roaming")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmsGateway24ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the binary sensors of every phone of the account."""
    coordinator = entry.runtime_data

    def build(phone: Phone) -> Iterable[PhoneEntity]:
        for description in PHONE_BINARY_SENSORS:
            yield PhoneBinarySensor(coordinator, phone.id, description)
        for sim in phone.sims:
            yield RoamingBinarySensor(coordinator, phone.id, sim.slot, ROAMING)

    async_add_phone_entities(coordinator, async_add_entities, build)


class PhoneBinarySensor(PhoneEntity, BinarySensorEntity):
    """A yes/no fact about a gateway phone."""

    entity_description: PhoneBinarySensorDescription

    def __init__(
        self,
        coordinator: SmsGateway24Coordinator,
        phone_id: int,
        description: PhoneBinarySensorDescription,
    ) -> None:
        """Keep the typed description."""
        super().__init__(coordinator, phone_id, description)

    @property
    def is_on(self) -> bool:
        """The phone's value."""
        return self.entity_description.value_fn(self.coordinator, self.phone)


class RoamingBinarySensor(SimEntity, BinarySensorEntity):
    """Whether a SIM card is roaming."""

    @property
    def is_on(self) -> bool | None:
        """Roaming as the phone reports it."""
        sim = self.sim
        return None if sim is None else sim.roaming
