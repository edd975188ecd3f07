"""The pack's YAML files, `business.yaml` and `services.yaml`: parsed, checked, written.

Each is first checked against its JSON Schema (`schemas/*.schema.json`, printed in
docs/business-pack.md) for shape, then value by value for what a schema cannot say: a real time zone,
an ISO 4217 currency, a BCP 47 language, a date that exists, opening before closing, unique ids.
A problem names the value's path: `services[3].price "abc" is not a number`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from functools import cache
from importlib import resources
from typing import Any, TypeVar

import yaml
from jsonschema import Draft202012Validator
from pydantic import BaseModel, ValidationError

from frontdesk.adapters.business_pack import values as v
from frontdesk.adapters.business_pack.tables import decode
from frontdesk.domain.business import WEEKDAYS
from frontdesk.domain.business_pack import (
    Pack,
    PackBusiness,
    PackError,
    PackProblem,
)
from frontdesk.domain.business_records import AppointmentRecord, ServiceRecord, TechnicianRecord

_M = TypeVar("_M", bound=BaseModel)


@cache
def schema(name: str) -> dict[str, Any]:
    """The JSON Schema of `business` or `services` (`schemas/<name>.schema.json`)."""
    text = resources.files(__package__).joinpath("schemas", f"{name}.schema.json").read_text("utf-8")
    return dict(json.loads(text))


class _Problems:
    """Collects one file's problems; `check` runs a value check and notes its failure."""

    def __init__(self, file: str):
        self.file = file
        self.items: list[PackProblem] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(
            PackProblem(file=self.file, column=path or None, message=f"{path} {message}".strip())
        )

    def check(self, path: str, parse: Callable[[Any], Any], value: Any) -> Any:
        try:
            return parse(value)
        except ValueError as exc:
            self.add(f'{path} "{value}"', str(exc))
            return None

    def raise_any(self) -> None:
        if self.items:
            raise PackError(self.items)


def load(file: str, data: bytes) -> dict[str, Any]:
    """The YAML mapping in `data`, checked against the file's schema; `PackError` for any problem."""
    try:
        doc = yaml.safe_load(decode(file, data))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise PackError([PackProblem(file=file, message=f"is not valid YAML{where}: {exc}")]) from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise PackError([PackProblem(file=file, message="is not a YAML mapping (key: value lines)")])
    doc = _plain(doc)
    problems = _Problems(file)
    name = file.removesuffix(".yaml")
    for error in sorted(Draft202012Validator(schema(name)).iter_errors(doc), key=_in_file_order):
        problems.add(_path(error.absolute_path), error.message)
    problems.raise_any()
    return dict(doc)


def _in_file_order(error: Any) -> list[tuple[int, int, str]]:
    """A schema error's sort key: by path, list positions as numbers (a path mixes ints and keys)."""
    return [(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in error.absolute_path]


def _plain(value: Any) -> Any:
    """YAML reads an unquoted 2026-12-25 as a date: back to the text the schema expects."""
    if isinstance(value, dict):
        return {str(k): _plain(x) for k, x in value.items()}
    if isinstance(value, list):
        return [_plain(x) for x in value]
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def read_business(data: bytes) -> PackBusiness:
    """`business.yaml`."""
    doc = load("business.yaml", data)
    p = _Problems("business.yaml")
    fields = dict(doc)
    fields["timezone"] = p.check("timezone", v.timezone, doc["timezone"])
    fields["currency"] = p.check("currency", v.currency, doc["currency"])
    # Only the keys the file has are set: an import replaces those and keeps the business's others.
    if "languages" in doc:
        fields["languages"] = tuple(
            p.check(f"languages[{i}]", v.language, x) for i, x in enumerate(doc["languages"], 1)
        )
    if "locale" in doc:
        fields["locale"] = p.check("locale", v.language, doc["locale"])
    if "whatsapp" in doc:
        fields["whatsapp"] = {k: str(x) for k, x in doc["whatsapp"].items()}
    if "opening_hours" in doc:
        fields["opening_hours"] = {
            day: (p.check(f"opening_hours.{day}", v.hours, pair) if pair else None)
            for day, pair in doc["opening_hours"].items()
        }
    if "holidays" in doc:
        fields["holidays"] = tuple(
            p.check(f"holidays[{i}]", v.day, x) for i, x in enumerate(doc["holidays"], 1)
        )
    p.raise_any()
    return _build(p, PackBusiness, fields)


def read_services(data: bytes) -> dict[str, Any]:
    """`services.yaml` as the `Pack` fields it fills (services, technicians, appointments, buffer)."""
    doc = load("services.yaml", data)
    p = _Problems("services.yaml")
    services = [_service(p, i, s) for i, s in enumerate(doc.get("services", []), 1)]
    technicians = [_technician(p, i, t) for i, t in enumerate(doc.get("technicians", []), 1)]
    appointments = [_appointment(p, i, a) for i, a in enumerate(doc.get("appointments", []), 1)]
    for name, items in (("services", services), ("technicians", technicians), ("appointments", appointments)):
        _unique(p, name, [x.get("id") for x in items])
    p.raise_any()
    out: dict[str, Any] = {
        # The file's `id` is a record's key (`code`, `ref`), an appointment's `wa_id` its `customer`.
        "services": tuple(_build(p, ServiceRecord, _renamed(s, "id", "code")) for s in services),
        "technicians": tuple(_build(p, TechnicianRecord, _renamed(t, "id", "code")) for t in technicians),
        "appointments": tuple(
            _build(p, AppointmentRecord, _renamed(_renamed(a, "id", "ref"), "wa_id", "customer"))
            for a in appointments
        ),
    }
    if "travel_buffer_min" in doc:
        out["travel_buffer_min"] = doc["travel_buffer_min"]
    return out


def _service(p: _Problems, i: int, s: dict[str, Any]) -> dict[str, Any]:
    return {**s, "price": p.check(f"services[{i}].price", lambda x: v.money(str(x)), s["price"])}


def _technician(p: _Problems, i: int, t: dict[str, Any]) -> dict[str, Any]:
    hours = {
        day: p.check(f"technicians[{i}].hours.{day}", v.hours, pair)
        for day, pair in t.get("hours", {}).items()
    }
    in_week_order = sorted(hours.items(), key=lambda kv: WEEKDAYS.index(kv[0]))
    return {**t, "hours": {d: _hours(h) for d, h in in_week_order}}


def _appointment(p: _Problems, i: int, a: dict[str, Any]) -> dict[str, Any]:
    return {
        **a,
        "wa_id": p.check(f"appointments[{i}].wa_id", lambda x: v.wa_id(str(x)), a["wa_id"]),
        "start": p.check(f"appointments[{i}].start", v.local_datetime, a["start"]),
    }


def _renamed(fields: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    return {(new if k == old else k): x for k, x in fields.items()}


def _unique(p: _Problems, name: str, ids: list[Any]) -> None:
    for i, item_id in enumerate(ids, 1):
        if item_id in ids[: i - 1]:
            p.add(f"{name}[{i}].id", f'"{item_id}" is also {name}[{ids.index(item_id) + 1}]\'s id')


def _build(p: _Problems, model: type[_M], fields: dict[str, Any]) -> _M:
    try:
        return model(**fields)
    except ValidationError as exc:  # the schema and checks above should leave nothing for this
        p.add(_path(exc.errors()[0]["loc"]), exc.errors()[0]["msg"])
        raise PackError(p.items) from None


# -- writing


def _hours(pair: tuple[time, time] | None) -> list[str]:
    return [pair[0].strftime("%H:%M"), pair[1].strftime("%H:%M")] if pair else []


def _dump(doc: dict[str, Any]) -> bytes:
    return yaml.safe_dump(
        doc, sort_keys=False, allow_unicode=True, default_flow_style=None, width=110
    ).encode()


def write_business(b: PackBusiness) -> bytes:
    doc = b.model_dump(mode="json", exclude_none=True, exclude={"whatsapp": {"access_token"}})
    doc["opening_hours"] = {day: _hours(pair) for day, pair in b.opening_hours.items()}
    return _dump(doc)


def _appointment_doc(a: AppointmentRecord) -> dict[str, Any]:
    doc = a.model_dump(mode="json", exclude_none=True) | {"start": a.start.isoformat(timespec="minutes")}
    return _renamed(_renamed(doc, "ref", "id"), "customer", "wa_id")


def write_services(pack: Pack) -> bytes:
    doc: dict[str, Any] = {}
    if pack.travel_buffer_min is not None:
        doc["travel_buffer_min"] = pack.travel_buffer_min
    doc["services"] = [
        _renamed({**s.model_dump(mode="json"), "price": float(s.price)}, "code", "id") for s in pack.services
    ]
    doc["technicians"] = [_renamed(t.model_dump(mode="json"), "code", "id") for t in pack.technicians]
    doc["appointments"] = [_appointment_doc(a) for a in pack.appointments]
    return _dump(doc)
