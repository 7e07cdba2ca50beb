"""The provider's `/getdata/<method>` API: reads a request's fields, answers JSON data.

Answers mimic the provider's PHP back end: collections keyed by id, `[]` when empty,
dates as serialized PHP DateTime objects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time
import json
from typing import Any
import uuid
from zoneinfo import ZoneInfo

from .models import (
    IMAGE_CHANNELS,
    STATUS_DESCRIPTIONS,
    STATUS_TITLES,
    Account,
    ApiError,
    Message,
    Phone,
)
from .state import Simulator

type Answer = dict[str, Any]

# Magic numbers of the image types the provider accepts, with their file extension.
_IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)
_IMAGE_HOST = "https://s3.example.invalid"
_LAST_SECOND = time(23, 59, 59)
# Phones' dates are shown in UTC, as in the provider's example answer.
_UTC = ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class Upload:
    """A file sent in a multipart request."""

    filename: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Request:
    """The fields of one API request: query and form merged, files apart."""

    fields: Mapping[str, str]
    files: Mapping[str, Upload]

    def get(self, name: str) -> str | None:
        """Return a field, or None when it is missing or blank."""
        value = self.fields.get(name, "").strip()
        return value or None

    def require(self, name: str) -> str:
        """Return a field that must be there."""
        value = self.get(name)
        if value is None:
            raise ApiError(f"Field {name} is required")
        return value

    def integer(self, name: str) -> int | None:
        """Return an optional whole-number field."""
        value = self.get(name)
        return None if value is None else _to_int(name, value)

    def require_integer(self, name: str) -> int:
        """Return a whole-number field that must be there."""
        return _to_int(name, self.require(name))

    def flag(self, name: str) -> bool:
        """Return a 0/1 field as a boolean."""
        return bool(self.integer(name))


def _to_int(name: str, value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise ApiError(f"Field {name} must be a number") from None


def php_date(moment: datetime | None, zone: ZoneInfo) -> dict[str, object] | None:
    """Return a time as PHP's json_encode writes a DateTime object."""
    if moment is None:
        return None
    local = moment.astimezone(zone)
    return {
        "date": local.strftime("%Y-%m-%d %H:%M:%S.%f"),
        "timezone_type": 3,
        "timezone": zone.key,
    }


def human_date(moment: datetime, zone: ZoneInfo) -> str:
    """Return a time as the provider's `...humanformat` fields write it."""
    return moment.astimezone(zone).strftime("%d.%m.%Y %H:%M:%S")


def keyed(items: Mapping[int, object]) -> dict[str, object] | list[object]:
    """Key a collection by id as PHP does, where an empty array encodes as `[]`."""
    return {str(key): value for key, value in items.items()} if items else []


def encode(answer: Answer) -> bytes:
    """Encode an answer as PHP's json_encode does, slashes escaped."""
    return json.dumps(answer, separators=(",", ":")).replace("/", "\\/").encode()


def _parse_date(name: str, value: str, zone: ZoneInfo, *, end_of_day: bool) -> datetime:
    """Read `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS` as a time in `zone`."""
    try:
        moment = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007
    except ValueError:
        try:
            day = datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007
        except ValueError:
            raise ApiError(f"Field {name} must be YYYY-MM-DD [HH:MM:SS]") from None
        moment = datetime.combine(day, _LAST_SECOND if end_of_day else time.min)
    return moment.replace(tzinfo=zone).astimezone(UTC)


def _optional_date(
    request: Request, name: str, zone: ZoneInfo, *, end_of_day: bool
) -> datetime | None:
    value = request.get(name)
    return (
        None if value is None else _parse_date(name, value, zone, end_of_day=end_of_day)
    )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    # Bad names fail in several ways: not found, malformed, a folder of zones.
    except KeyError, ValueError, OSError:
        raise ApiError(f"Unknown timezone {name}") from None


def _account(sim: Simulator, request: Request) -> Account:
    return sim.account_for_token(request.require("token"))


def _recipients(value: str) -> list[str]:
    recipients = [part.strip() for part in value.split(",") if part.strip()]
    if not recipients:
        raise ApiError("Field sendto is required")
    return recipients


def _image_url(upload: Upload) -> str:
    for signature, extension in _IMAGE_SIGNATURES:
        if upload.data.startswith(signature):
            return f"{_IMAGE_HOST}/{uuid.uuid4()}.{extension}"
    if upload.data[:4] == b"RIFF" and upload.data[8:12] == b"WEBP":
        return f"{_IMAGE_HOST}/{uuid.uuid4()}.webp"
    raise ApiError("File must be an image: jpeg, png, webp or gif")


@dataclass(frozen=True, slots=True, kw_only=True)
class _Order:
    """What an addsms-like request asks to send."""

    device_id: int
    recipients: list[str]
    body: str
    sim: int
    timetosend: datetime | None
    customerid: int | None
    urgent: int | None


def _order(request: Request) -> _Order:
    """Read an addsms-like request; an image file, if any, replaces the body."""
    sim_slot = request.integer("sim") or 0
    upload = request.files.get("file")
    if upload is not None:
        if sim_slot not in IMAGE_CHANNELS:
            raise ApiError("Images can only be sent over WhatsApp: sim 2 or 3")
        body = _image_url(upload)
    else:
        body = request.require("body")
    return _Order(
        device_id=request.require_integer("device_id"),
        recipients=_recipients(request.require("sendto")),
        body=body,
        sim=sim_slot,
        timetosend=_optional_date(request, "timetosend", _UTC, end_of_day=False),
        customerid=request.integer("customerid"),
        urgent=request.integer("urgent"),
    )


def _queue(sim: Simulator, account: Account, order: _Order) -> list[Message]:
    return sim.queue_messages(
        account,
        device_id=order.device_id,
        recipients=order.recipients,
        body=order.body,
        sim=order.sim,
        timetosend=order.timetosend,
        customerid=order.customerid,
        urgent=order.urgent,
    )


def gettoken(sim: Simulator, request: Request) -> Answer:
    """Trade an e-mail and password for the account's token."""
    account = sim.login(request.require("email"), request.require("pass"))
    return {"token": sim.issue_token(account), "message": "OK"}


def addsms(sim: Simulator, request: Request) -> Answer:
    """Queue a message to one or more recipients; answer the first id."""
    messages = _queue(sim, _account(sim, request), _order(request))
    return {"sms_id": messages[0].id, "message": "Sms has been saved successfully"}


def smstosend(sim: Simulator, request: Request) -> Answer:
    """Do what addsms does, authenticated by e-mail and password."""
    account = sim.login(request.require("email"), request.require("pass"))
    messages = _queue(sim, account, _order(request))
    return {"sms_id": messages[0].id, "message": "Sms has been saved successfully"}


def addalotofsms(sim: Simulator, request: Request) -> Answer:
    """Queue many messages given as JSON; all or none."""
    try:
        data = json.loads(request.require("datajson"))
    except json.JSONDecodeError:
        raise ApiError("Field datajson is not valid JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("smsdata"), list):
        raise ApiError("Field datajson must hold token and smsdata")
    account = sim.account_for_token(str(data.get("token", "")))
    orders = []
    for item in data["smsdata"]:
        if not isinstance(item, dict):
            raise ApiError("Every smsdata item must be an object")
        fields = {key: str(value) for key, value in item.items() if value is not None}
        orders.append(_order(Request(fields=fields, files={})))
    # Check every item first: one bad item queues nothing, as in a transaction.
    for order in orders:
        sim.check_sim(sim.phone_of(account, order.device_id), order.sim)
    for order in orders:
        _queue(sim, account, order)
    return {"message": "OK"}


def getallsms(sim: Simulator, request: Request) -> Answer:
    """List an account's messages, filtered, dated in the account's or given zone."""
    account = _account(sim, request)
    zone_name = request.get("timezone")
    zone = _zone(zone_name if zone_name is not None else account.timezone)
    messages = sim.find_messages(
        account,
        begin=_optional_date(request, "begindate", zone, end_of_day=False),
        end=_optional_date(request, "enddate", zone, end_of_day=True),
        device_id=request.integer("device_id"),
        status=request.integer("status"),
        sim=request.integer("sim"),
        customerid=request.integer("customerid"),
        phone=request.get("phone"),
        newest_first=request.flag("orderbydesc"),
    )
    listed = (
        {}
        if request.flag("onlycount")
        else {message.id: _message(message, zone) for message in messages}
    )
    return {"count": len(messages), "smss": keyed(listed), "message": "OK"}


def _message(message: Message, zone: ZoneInfo) -> dict[str, object]:
    paket = message.paket
    return {
        "id": message.id,
        "sendto": message.sendto,
        "body": message.body,
        "customerid": message.customerid,
        "status": message.status,
        "statustitle": STATUS_TITLES[message.status],
        "deviceid": message.device_id,
        "urgent": message.urgent,
        "sim": message.sim,
        "created": php_date(message.created, zone),
        "senttime": php_date(message.senttime, zone),
        "timetosend": php_date(message.timetosend, zone),
        "paketid": None if paket is None else paket.id,
        "pakettitle": None if paket is None else paket.title,
        "paketbody": None if paket is None else paket.body,
    }


def getsmsstatus(sim: Simulator, request: Request) -> Answer:
    """Tell one message's status."""
    account = _account(sim, request)
    sms_id = request.require_integer("sms_id")
    found = sim.message_of(account, sms_id)
    return {
        "sms_id": found.id,
        "status": found.status,
        "status_description": STATUS_DESCRIPTIONS[found.status],
        "message": "OK",
    }


def getalldevices(sim: Simulator, request: Request) -> Answer:
    """Describe every phone of the account."""
    phones = _account(sim, request).phones
    return {
        "count": len(phones),
        "device": keyed({phone.id: _device(phone) for phone in phones.values()}),
        "message": "Ok",
    }


def _device(phone: Phone) -> dict[str, object]:
    return {
        "id": phone.id,
        "title": phone.title,
        "number": None,
        "imei": phone.imei,
        "created": php_date(phone.created, _UTC),
        "createdhumanformat": human_date(phone.created, _UTC),
        "lastseen": php_date(phone.last_seen, _UTC),
        "lastseenhumanformat": human_date(phone.last_seen, _UTC),
        "serialnumber": phone.serial,
        "siminfo": [
            {
                "Slot": str(sim.slot),
                "IccId": sim.iccid,
                "Number": sim.number,
                "Roaming": "1" if sim.roaming else "0",
                "CountryIso": sim.country,
                "CarrierName": sim.carrier,
            }
            for sim in phone.sims
        ],
        "appversion": phone.app_version,
        "isappversionactual": phone.app_version_current,
        "delaybetweeneachsms": phone.delay_between_each_sms,
        "delaybetweenrequest": phone.delay_between_request,
        "subscription": phone.subscription,
    }


def getdevicestatus(sim: Simulator, request: Request) -> Answer:
    """Tell when a phone was last seen and whether it is online."""
    account = _account(sim, request)
    phone = sim.phone_of(account, request.require_integer("device_id"))
    return {
        "device_id": phone.id,
        "title": phone.title,
        "lastseen": php_date(phone.last_seen, _UTC),
        "online": phone.online,
        "diffseconds": int((sim.now() - phone.last_seen).total_seconds()),
        "message": "ok",
    }


def savetag(sim: Simulator, request: Request) -> Answer:
    """Create a tag."""
    tag = sim.save_tag(_account(sim, request), request.require("title"))
    return {"tag_id": tag.id, "message": "OK"}


def savecontact(sim: Simulator, request: Request) -> Answer:
    """File a contact under a tag, named `tag_id` or `ctag_id`."""
    account = _account(sim, request)
    phone = request.require("phone")
    tag_id = request.integer("tag_id")
    if tag_id is None:
        tag_id = request.integer("ctag_id")
    if tag_id is None:
        raise ApiError("Field tag_id is required")
    contact = sim.save_contact(
        account, phone=phone, fullname=request.get("fullname") or "", tag_id=tag_id
    )
    return {"contact_id": contact.id, "message": "ok"}


def savepaket(sim: Simulator, request: Request) -> Answer:
    """Create a newsletter to the contacts of some tags."""
    account = _account(sim, request)
    title = request.require("title")
    device_id = request.require_integer("device_id")
    body = request.require("body")
    tag_ids = [
        _to_int("tags", part)
        for part in request.require("tags").split(",")
        if part.strip()
    ]
    time_to_send = request.get("time_to_send")
    # The documented default, 0, means at once.
    if time_to_send == "0":
        time_to_send = None
    paket = sim.save_paket(
        account,
        title=title,
        device_id=device_id,
        body=body,
        tag_ids=tag_ids,
        sim=request.integer("sim") or 0,
        time_to_send=None if time_to_send is None else _parse_panel_date(time_to_send),
    )
    return {"paket_id": paket.id, "message": "OK"}


def _parse_panel_date(value: str) -> datetime:
    """Read `DD.MM.YYYY H:i:s` (or a bare date) as UTC."""
    for pattern in ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise ApiError("Field time_to_send must be DD.MM.YYYY H:i:s")


def telegrammessage(sim: Simulator, request: Request) -> Answer:
    """Send a message through the Telegram bot."""
    account = _account(sim, request)
    sim.send_telegram(account, request.require("telegramid"), request.require("body"))
    return {"message": "Ok"}


METHODS: dict[str, Callable[[Simulator, Request], Answer]] = {
    "gettoken": gettoken,
    "addsms": addsms,
    "smstosend": smstosend,
    "addalotofsms": addalotofsms,
    "getallsms": getallsms,
    "getsmsstatus": getsmsstatus,
    "getalldevices": getalldevices,
    "getdevicestatus": getdevicestatus,
    "savetag": savetag,
    "savecontact": savecontact,
    "savepaket": savepaket,
    "telegrammessage": telegrammessage,
}


def answer(sim: Simulator, method: str, request: Request) -> Answer:
    """Run one API method and wrap its answer, or its refusal, in the envelope."""
    try:
        data = METHODS[method](sim, request)
    except ApiError as error:
        return {"error": 1, "message": str(error)}
    return {"error": 0, **data}
