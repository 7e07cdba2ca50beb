"""Base entity: one gateway phone of the account; the device of a subentry."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
    ConfigSubentry,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .clients.smsgateway24 import Phone, SimCard
from .const import DOMAIN
from .coordinator import (
    SmsGateway24Coordinator,
    phone_device_info,
    subentry_device_key,
)


def subentry_device_info(subentry: ConfigSubentry) -> DeviceInfo:
    """Describe a subentry (a recipient, a backup route) as a device of its own.

    Its entity is added with the subentry's id, so that the device belongs
    to the subentry and goes with it.
    """
    return DeviceInfo(
        identifiers={
            (DOMAIN, subentry_device_key(subentry.subentry_type, subentry.subentry_id))
        },
        name=subentry.title,
        entry_type=DeviceEntryType.SERVICE,
    )


@callback
def async_follow_subentries(
    hass: HomeAssistant, entry: ConfigEntry, follow: Callable[[], None]
) -> None:
    """Call ``follow`` now and on each change of the entry, while it is loaded.

    Subentries are added, changed and removed without a reload: whatever
    stands for them (entities, routes, webhooks) follows here.
    """

    @callback
    def entry_changed(change: ConfigEntryChange, changed: object) -> None:
        if change is ConfigEntryChange.UPDATED and changed is entry:
            follow()

    follow()
    entry.async_on_unload(
        async_dispatcher_connect(hass, SIGNAL_CONFIG_ENTRY_CHANGED, entry_changed)
    )


@callback
def async_rename_subentry_device(
    hass: HomeAssistant, entry_id: str, subentry: ConfigSubentry
) -> None:
    """Give a subentry's device the subentry's name, after a change.

    Its entities' names follow their device's. A name the user gave the
    device stays: it is kept apart, in ``name_by_user``.
    """
    registry = dr.async_get(hass)
    (identifier,) = subentry_device_info(subentry)["identifiers"]
    device = registry.async_get_device_by_identifier(identifier, entry_id)
    if device is not None and device.name != subentry.title:
        registry.async_update_device(device.id, name=subentry.title)


class PhoneEntity(CoordinatorEntity[SmsGateway24Coordinator]):
    """An entity that belongs to one gateway phone."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: SmsGateway24Coordinator,
        phone_id: int,
        description: EntityDescription,
        unique_suffix: str | None = None,
    ) -> None:
        """Tie the entity to the phone by the provider's phone id."""
        super().__init__(coordinator)
        self.phone_id = phone_id
        self.entity_description = description
        self._attr_unique_id = f"{phone_id}_{unique_suffix or description.key}"
        self._attr_device_info = phone_device_info(coordinator.data.phones[phone_id])

    @property
    def phone(self) -> Phone:
        """The phone as the last poll saw it."""
        return self.coordinator.data.phones[self.phone_id]

    @property
    def available(self) -> bool:
        """Available while the account answers and still has the phone."""
        return super().available and self.phone_id in self.coordinator.data.phones


@callback
def async_add_phone_entities(
    coordinator: SmsGateway24Coordinator,
    async_add_entities: AddConfigEntryEntitiesCallback,
    build: Callable[[Phone], Iterable[PhoneEntity]],
) -> None:
    """Add the entities of every phone now, and of phones or SIMs that appear later.

    A phone's entities depend on the phone and its SIM slots only: they are
    built again only when those are new, not at every poll.
    """
    added: set[str | None] = set()
    built: set[tuple[int, frozenset[int]]] = set()

    @callback
    def add_new() -> None:
        if not coordinator.last_update_success:
            return
        new = {
            (phone.id, frozenset(sim.slot for sim in phone.sims)): phone
            for phone in coordinator.data.phones.values()
        }
        entities = [
            entity
            for shape, phone in new.items()
            if shape not in built
            for entity in build(phone)
            if entity.unique_id not in added
        ]
        built.update(new)
        added.update(entity.unique_id for entity in entities)
        if entities:
            async_add_entities(entities)

    add_new()
    coordinator.config_entry.async_on_unload(coordinator.async_add_listener(add_new))


class SimEntity(PhoneEntity):
    """An entity about one SIM slot of a gateway phone."""

    def __init__(
        self,
        coordinator: SmsGateway24Coordinator,
        phone_id: int,
        slot: int,
        description: EntityDescription,
    ) -> None:
        """Name the SIM the way the phone's settings do: SIM 1, SIM 2."""
        super().__init__(
            coordinator, phone_id, description, f"sim{slot}_{description.key}"
        )
        self.slot = slot
        self._attr_translation_placeholders = {"sim": str(slot + 1)}

    @property
    def sim(self) -> SimCard | None:
        """The SIM as the last poll saw it, if the phone still reports it."""
        return next((sim for sim in self.phone.sims if sim.slot == self.slot), None)

    @property
    def available(self) -> bool:
        """Available while the phone still reports this SIM."""
        return super().available and self.sim is not None
