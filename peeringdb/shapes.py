"""From PeeringDB's JSON objects to rows of the local copy (peeringdb.models).

Each object type has a `Shape`: its model and, for each stored field, the key of the
API's object and how its value is read. A value that is not what PeeringDB's API
documents (https://www.peeringdb.com/apidocs/) is a PeeringDBError naming the object,
so a synchronisation stops before writing anything.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.validators import irr_objects
from peeringdb.client import PeeringDBError
from peeringdb.models import IX, IXLan, IXLanPrefix, Network, NetworkIXLan

Reader = Callable[[Any, int], Any]  # (value, max length or 0) -> stored value


class _Invalid(ValueError):
    pass


# Control characters (a newline, say) in a name would start a new line in a router's
# configuration or in a command's output: each becomes a space.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _text(value: Any, max_length: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Invalid("is not text")
    text = _CONTROL.sub(" ", value).strip()
    return text[:max_length] if max_length else text


def _as_sets(value: Any, max_length: int) -> str:
    """An IRR AS-SET field: kept only when it reads as IRR object names
    (core.validators.irr_objects; else blank, so that nothing else reaches a template or
    bgpq4)."""
    text = _text(value, max_length)
    try:
        irr_objects(text)
    except ValueError:
        return ""
    return text


def _count(value: Any, _: int) -> int | None:
    """A prefix count: PeeringDB's 0 (and null) mean "not set"; at most MAX_PREFIXES."""
    if value is None:
        return None
    count = _whole(value, 0)
    if count > MAX_PREFIXES:
        raise _Invalid(f"is more than {MAX_PREFIXES:,} prefixes")
    return count or None


def _optional_asn(value: Any, _: int) -> int | None:
    """An ASN where 0 (and null) mean none (ixlan.rs_asn)."""
    return None if value in (None, 0) else _asn(value, 0)


BIGGEST = 2**63 - 1  # the largest whole number every database stores
MAX_PREFIXES = 2**31 - 1  # the largest max-prefix an AS stores (a positive integer field)
# How far ahead of our clock PeeringDB's may be: a later `updated` would stop the
# incremental reads of its type (they ask for what changed since the newest held).
CLOCK_SKEW = timedelta(days=1)
ASN_MAX = 2**32 - 1  # RFC 6793


def _whole(value: Any, _: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= BIGGEST:
        raise _Invalid("is not a whole number")
    return value


def _asn(value: Any, _: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= ASN_MAX:
        raise _Invalid("is not an AS number")
    return value


def _url(value: Any, max_length: int) -> str:
    """A web address to link to: http or https only (anything else, say `javascript:`,
    is dropped)."""
    text = _text(value, max_length)
    return text if text.lower().startswith(("http://", "https://")) else ""


def _optional_whole(value: Any, length: int) -> int | None:
    return None if value is None else _whole(value, length)


def _flag(value: Any, _: int) -> bool:
    if not isinstance(value, bool):
        raise _Invalid("is not true or false")
    return value


def _time(value: Any, _: int) -> datetime:
    try:
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:  # well formed, but no such day or hour
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise _Invalid("is not a date and time with its zone")
    if parsed > timezone.now() + CLOCK_SKEW:
        raise _Invalid("is in the future")
    return parsed


def _address(value: Any, version: int) -> str | None:
    if value in (None, ""):
        return None
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        raise _Invalid("is not an IP address") from None
    if getattr(address, "scope_id", None):
        raise _Invalid("is an address with a scope (%…), which no session can use")
    if address.version != version:
        raise _Invalid(f"is not an IPv{version} address")
    return address.compressed


def _ipv4(value: Any, _: int) -> str | None:
    return _address(value, 4)


def _ipv6(value: Any, _: int) -> str | None:
    return _address(value, 6)


def _prefix(value: Any, _: int) -> str:
    try:
        return ipaddress.ip_network(value, strict=False).compressed
    except (TypeError, ValueError):
        raise _Invalid("is not an IP prefix") from None


@dataclass(frozen=True)
class Shape:
    """How one object type is stored: `model`, and (field, API key, reader) triples."""

    object_type: str
    model: type[models.Model]
    fields: tuple[tuple[str, str, Reader], ...]
    # Checks across fields: (stored values by field) -> what is wrong, or "".
    check: Callable[[dict[str, Any]], str] | None = None

    @property
    def field_names(self) -> list[str]:
        return [name for name, _, _ in self.fields]

    def row(self, obj: dict[str, Any]) -> tuple[int, tuple[Any, ...]]:
        """(PeeringDB id, the stored values in `field_names` order); PeeringDBError when a
        value is not what the API documents."""
        pk = obj.get("id")
        if isinstance(pk, bool) or not isinstance(pk, int) or pk <= 0:
            raise PeeringDBError(f"A PeeringDB {self.object_type} object has no valid id.")
        values = []
        for name, key, read in self.fields:
            field = self.model._meta.get_field(name)
            try:
                values.append(read(obj.get(key), getattr(field, "max_length", None) or 0))
            except _Invalid as exc:
                raise PeeringDBError(
                    f"PeeringDB's {self.object_type} {pk}: {key} {obj.get(key)!r:.60} {exc}."
                ) from None
        wrong = self.check(dict(zip(self.field_names, values, strict=True))) if self.check else ""
        if wrong:
            raise PeeringDBError(f"PeeringDB's {self.object_type} {pk}: {wrong}.")
        return pk, tuple(values)


def _prefix_of_its_protocol(values: dict[str, Any]) -> str:
    version = ipaddress.ip_network(values["prefix"]).version
    if values["protocol"] != f"IPv{version}":
        return f"protocol {values['protocol']!r:.20} does not match the prefix {values['prefix']}"
    return ""


_COMMON = (
    ("created", "created", _time),
    ("updated", "updated", _time),
    ("status", "status", _text),
)

SHAPES: dict[str, Shape] = {
    shape.object_type: shape
    for shape in (
        Shape(
            "ix",
            IX,
            (
                ("name", "name", _text),
                ("name_long", "name_long", _text),
                ("city", "city", _text),
                ("country", "country", _text),
                ("website", "website", _url),
                *_COMMON,
            ),
        ),
        Shape(
            "ixlan",
            IXLan,
            (
                ("ix_id", "ix_id", _whole),
                ("name", "name", _text),
                ("descr", "descr", _text),
                ("mtu", "mtu", _optional_whole),
                ("rs_asn", "rs_asn", _optional_asn),  # 0: no route servers
                *_COMMON,
            ),
        ),
        Shape(
            "ixpfx",
            IXLanPrefix,
            (
                ("ixlan_id", "ixlan_id", _whole),
                ("protocol", "protocol", _text),
                ("prefix", "prefix", _prefix),
                *_COMMON,
            ),
            _prefix_of_its_protocol,
        ),
        Shape(
            "net",
            Network,
            (
                ("asn", "asn", _asn),
                ("name", "name", _text),
                ("aka", "aka", _text),
                ("website", "website", _url),
                ("irr_as_set", "irr_as_set", _as_sets),
                ("info_type", "info_type", _text),
                ("info_prefixes4", "info_prefixes4", _count),
                ("info_prefixes6", "info_prefixes6", _count),
                ("policy_general", "policy_general", _text),
                ("policy_url", "policy_url", _url),
                *_COMMON,
            ),
        ),
        Shape(
            "netixlan",
            NetworkIXLan,
            (
                ("net_id", "net_id", _whole),
                ("ixlan_id", "ixlan_id", _whole),
                ("ix_id", "ix_id", _whole),
                ("asn", "asn", _asn),
                ("ipaddr4", "ipaddr4", _ipv4),
                ("ipaddr6", "ipaddr6", _ipv6),
                ("is_rs_peer", "is_rs_peer", _flag),
                ("speed", "speed", _whole),
                ("operational", "operational", _flag),
                *_COMMON,
            ),
        ),
    )
}
# What people read for each object type, in summaries.
NOUNS = {
    "ix": "IXes",
    "ixlan": "IX LANs",
    "ixpfx": "IX LAN prefixes",
    "net": "networks",
    "netixlan": "network IX LANs",
}
