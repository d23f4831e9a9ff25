"""A local PeeringDB: an HTTP server on 127.0.0.1 that answers `GET /api/<type>` like the
PeeringDB REST API at depth 0, from data held in memory, for tests, the demo and
benchmarks. It never contacts anything; its addresses and ASNs are documentation and
private ones.

What it reproduces, and where PeeringDB's own code says so (github.com/peeringdb/peeringdb,
release 2.82.0, files under src/peeringdb_server/ unless they start with mainsite/; its
API rests on django-handleref 2.0.1, django-peeringdb 3.7.0 and Django REST framework 3.17):

- Envelope: `{"data": [...], "meta": {...}}`, "data" first (renderers.py:109-145,
  MetaJSONRenderer, media type application/json, json.dumps with its default separators).
  A listing with no filter, no `since` and no `limit` of 250 or less comes from the API
  cache, whose meta is `{"generated": <unix time, float>}` (api_cache.py:90-159); other
  answers have `"meta": {}`.
- Fields at depth 0, in order: serializers.py `Meta.fields` of OrganizationSerializer
  (4107-4135), NetworkSerializer (2882-2950), InternetExchangeSerializer (3646-3692),
  IXLanSerializer (3492-3512), IXLanPrefixSerializer (3365-3378) and
  NetworkIXLanSerializer (2530-2561), without `Meta.related_fields` (`org`, `*_set`, ...:
  popped at depth 0, 1071-1086), write-only fields and the `_grainy` key
  (permissions.py:290, APIPermissionsApplicator). `ixlan.ixf_ixp_member_list_url` is
  left out unless its visibility is "Public" (permissions.py:322, handle_ixlan). Types and
  defaults: django-peeringdb src/django_peeringdb/models/abstract.py, models.py here.
- Dates: "2025-01-31T12:00:00Z", UTC, whole seconds (management/commands/pdb_api_cache.py:
  112 reads them back with "%Y-%m-%dT%H:%M:%SZ"). Addresses and prefixes are strings in
  their compressed form (django_inet.rest), absent addresses null. `ixpfx.protocol` is
  "IPv4" or "IPv6" (django_peeringdb/const.py PROTOCOLS). A network's `info_type` is its
  first `info_types` or "" (serializers.py:3185-3211); `rir_status` is "ok" or null.
- `since=<unix seconds>` (rest.py:497-502, 711-740; django-handleref manager.py `since`):
  objects with `created > since` or `updated > since` (strictly later), status "ok" or
  "deleted", ordered by `updated`. Without `since` (or with 0): status "ok" only. `since`
  must read as a number, else 400 "'since' needs to be a unix timestamp (epoch seconds)".
- `skip`, `limit` (rest.py:503-510, 749-752), `depth` (512-515); field filters (rest.py:
  557-676): `<field>=v` (case-insensitive; booleans "true"/"1"), `__in` (comma
  separated), `__lt/__lte/__gt/__gte`, `__contains/__startswith`; a parameter that is
  no field is ignored. Relations (serializers.py prepare_query): `net?ix_id=`,
  `net?ixlan_id=`, `ixpfx?ix_id=`, `org?asn=`. `fields=a,b` keeps only those keys.
  No match for a query naming `id` (or `asn` for `net`) is 404
  `{"data": [], "meta": {"error": "Entity not found"}}` (rest.py:800-807).
- A 4xx from the API is `{"meta": {"error": <detail or reason phrase>}, ...}`
  (renderers.py:134-137). A path that is no object type is Django's 404, an HTML page
  (mainsite/urls.py:111). An unhandled error is Django's default 500 page (no 500.html).
- Rate limit: HTTP 429, `Retry-After: <whole seconds>` (DRF exception_handler, Throttled
  rounds the wait up), body `{"message": "Request was throttled. Expected available in
  N seconds.", "meta": {"error": "Too Many Requests"}}` (exceptions.py:8-40, the message
  from settings API_THROTTLE_RATE_ANON_MSG/USER_MSG, mainsite/settings/__init__.py:1850).
- API key: `Authorization: Api-Key <key>` (djangorestframework-api-key KeyParser). An
  unknown key is 401 `{"meta": {"error": "Invalid API key"}}` (middleware.py:220-224,
  323-331).
- When a network joins or leaves an IX, PeeringDB updates its `ix_count` and
  `netixlan_updated` and the IX's `net_count` without changing their `updated`
  (signals.py:70-117): a `since` query does not bring them.

Not reproduced: depth above 0 and `/api/<type>/<id>` (400 here), page-based pagination,
text search, the real rate limits (only throttle() limits), a network without a website
showing its organisation's, and the API cache's staleness (up to 15 minutes there). With
require_api_key(), a request without a key is refused too (PeeringDB serves it
anonymously).

Run it by hand with `python -m peeringdb.testserver [--port N] [--data DIR | --synthetic
NETWORKS IXES]`.
"""

from __future__ import annotations

import argparse
import copy
import functools
import ipaddress
import json
import math
import random
import re
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

from core.interrupts import serve_until_interrupted

HOST = "127.0.0.1"
DEMO_DATA = Path(__file__).resolve().parent / "fixtures" / "demo"
# The object types held and served, parents first.
TYPES = ("org", "net", "ix", "ixlan", "ixpfx", "netixlan")
# PeeringDB's other object types: they answer an empty list here.
EMPTY_TYPES = ("fac", "ixfac", "netfac", "poc", "carrier", "carrierfac", "campus")
# What a soft delete deletes with an object (django-peeringdb HandleRef.delete_cascade).
CASCADE = {
    "org": [("net", "org_id"), ("ix", "org_id")],
    "net": [("netixlan", "net_id")],
    "ix": [("ixlan", "ix_id")],
    "ixlan": [("ixpfx", "ixlan_id"), ("netixlan", "ixlan_id")],
}
# Bodies for garbage(): not JSON, and JSON without "data".
NOT_JSON = b"<html><body>Service temporarily unavailable</body></html>"
NO_DATA = b'{"meta": {}}'
# Django's 500 page when no 500.html template exists (django/views/defaults.py).
SERVER_ERROR_PAGE = (
    b'\n<!doctype html>\n<html lang="en">\n<head>\n  <title>Server Error (500)</title>\n'
    b"</head>\n<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n"
)
NOT_FOUND_PAGE = b"<!DOCTYPE html><html><head><title>Page Not Found</title></head><body>\
<h1>Page Not Found</h1></body></html>"
JSON = "application/json"
HTML = "text/html; charset=utf-8"

Obj = dict[str, Any]


class _Required:
    def __repr__(self) -> str:
        return "<required>"

    def __deepcopy__(self, memo: dict) -> _Required:
        return self


REQUIRED: Any = _Required()

# Every field of each type at depth 0, in the API's order, with the value a new object
# gets (REQUIRED: add() needs it). id, created and updated are filled by add().
DEFAULTS: dict[str, Obj] = {
    "org": {
        "id": REQUIRED,
        "name": REQUIRED,
        "aka": "",
        "name_long": "",
        "website": "",
        "social_media": [],
        "notes": "",
        "logo": None,
        "address1": "",
        "address2": "",
        "city": "",
        "country": "",
        "state": "",
        "zipcode": "",
        "floor": "",
        "suite": "",
        "latitude": None,
        "longitude": None,
        "created": REQUIRED,
        "updated": REQUIRED,
        "status": "ok",
    },
    "net": {
        "id": REQUIRED,
        "org_id": REQUIRED,
        "name": REQUIRED,
        "aka": "",
        "name_long": "",
        "website": "",
        "social_media": [],
        "asn": REQUIRED,
        "looking_glass": "",
        "route_server": "",
        "irr_as_set": "",
        "info_type": "",
        "info_types": [],
        "info_prefixes4": None,
        "info_prefixes6": None,
        "info_traffic": "",
        "info_ratio": "Not Disclosed",
        "info_scope": "Not Disclosed",
        "info_unicast": False,
        "info_multicast": False,
        "info_ipv6": False,
        "info_never_via_route_servers": False,
        "ix_count": 0,
        "fac_count": 0,
        "notes": "",
        "netixlan_updated": None,
        "netfac_updated": None,
        "poc_updated": None,
        "policy_url": "",
        "policy_general": "",
        "policy_locations": "",
        "policy_ratio": False,
        "policy_contracts": "",
        "allow_ixp_update": False,
        "ixp_update_exclude": [],
        "status_dashboard": "",
        "rir_status": "ok",
        "rir_status_updated": None,
        "logo": None,
        "created": REQUIRED,
        "updated": REQUIRED,
        "status": "ok",
    },
    "ix": {
        "id": REQUIRED,
        "org_id": REQUIRED,
        "name": REQUIRED,
        "aka": "",
        "name_long": "",
        "city": "",
        "country": "",
        "region_continent": "",
        "media": "Ethernet",
        "notes": "",
        "proto_unicast": False,
        "proto_multicast": False,
        "proto_ipv6": False,
        "website": "",
        "social_media": [],
        "url_stats": "",
        "tech_email": "",
        "tech_phone": "",
        "policy_email": "",
        "policy_phone": "",
        "sales_phone": "",
        "sales_email": "",
        "net_count": 0,
        "fac_count": 0,
        "ixf_net_count": 0,
        "ixf_last_import": None,
        "ixf_import_request": None,
        "ixf_import_request_status": "queued",
        "service_level": "Not Disclosed",
        "terms": "Not Disclosed",
        "status_dashboard": "",
        "logo": None,
        "created": REQUIRED,
        "updated": REQUIRED,
        "status": "ok",
    },
    "ixlan": {
        "id": REQUIRED,
        "ix_id": REQUIRED,
        "name": "",
        "descr": "",
        "mtu": 1500,
        "dot1q_support": False,
        "rs_asn": 0,
        "arp_sponge": None,
        "ixf_ixp_member_list_url": None,  # only while its visibility is "Public"
        "ixf_ixp_member_list_url_visible": "Private",
        "ixf_ixp_import_enabled": False,
        "created": REQUIRED,
        "updated": REQUIRED,
        "status": "ok",
    },
    "ixpfx": {
        "id": REQUIRED,
        "ixlan_id": REQUIRED,
        "protocol": REQUIRED,
        "prefix": REQUIRED,
        "in_dfz": True,
        "created": REQUIRED,
        "updated": REQUIRED,
        "status": "ok",
    },
    "netixlan": {
        "id": REQUIRED,
        "net_id": REQUIRED,
        "ix_id": REQUIRED,
        "name": REQUIRED,
        "ixlan_id": REQUIRED,
        "notes": "",
        "speed": 0,
        "asn": REQUIRED,
        "ipaddr4": None,
        "ipaddr6": None,
        "is_rs_peer": False,
        "bfd_support": False,
        "operational": True,
        "net_side_id": None,
        "ix_side_id": None,
        "created": REQUIRED,
        "updated": REQUIRED,
        "status": "ok",
    },
}
DATE_FIELDS = {
    "created",
    "updated",
    "netixlan_updated",
    "netfac_updated",
    "poc_updated",
    "rir_status_updated",
    "ixf_last_import",
    "ixf_import_request",
}
# Query parameters that are not field filters.
CONTROL_PARAMETERS = {"since", "skip", "limit", "depth", "fields", "page", "per_page", "pretty"}


def iso(unix: float) -> str:
    """PeeringDB's form of a time: "2025-01-31T12:00:00Z" (UTC, whole seconds)."""
    return datetime.fromtimestamp(int(unix), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@functools.lru_cache(maxsize=65536)
def unix(value: str) -> int:
    """Unix seconds of one of PeeringDB's times."""
    return int(datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def shape(object_type: str, fields: Mapping[str, Any]) -> Obj:
    """`fields` as the API gives an object of `object_type`: every field in order, missing
    ones at their default (ValueError for a required one, or for a field the type does
    not have)."""
    defaults = DEFAULTS[object_type]
    unknown = set(fields) - set(defaults)
    if unknown:
        raise ValueError(f"{object_type} has no field {', '.join(sorted(unknown))}")
    obj = {name: copy.deepcopy(fields.get(name, default)) for name, default in defaults.items()}
    if object_type == "ixpfx" and obj["protocol"] is REQUIRED and obj["prefix"] is not REQUIRED:
        obj["protocol"] = f"IPv{ipaddress.ip_network(obj['prefix']).version}"
    if object_type == "ixlan" and obj["ixf_ixp_member_list_url_visible"] != "Public":
        del obj["ixf_ixp_member_list_url"]
    missing = [name for name, value in obj.items() if value is REQUIRED]
    if missing:
        raise ValueError(f"a new {object_type} needs {', '.join(missing)}")
    if obj.get("website") and "social_media" in obj:  # the API lists the website there too
        listed = [item for item in obj["social_media"] if item.get("service") == "website"]
        for item in listed[:1]:
            item["identifier"] = obj["website"]
        if not listed:
            obj["social_media"].append({"service": "website", "identifier": obj["website"]})
    return obj


def with_counts(data: Mapping[str, list[Obj]]) -> dict[str, list[Obj]]:
    """`data` with what PeeringDB derives filled in: each network's `ix_count` and
    `netixlan_updated`, each IX's `net_count`, `proto_unicast` and `proto_ipv6`."""
    data = {object_type: [dict(obj) for obj in data.get(object_type, [])] for object_type in TYPES}
    ixes_of: dict[int, set[int]] = {}  # net id -> ids of the IXes it is on
    nets_on: dict[int, set[int]] = {}  # IX id -> ids of the networks on it
    last_change: dict[int, str] = {}  # net id -> newest `updated` of its netixlans
    for n in data["netixlan"]:
        last_change[n["net_id"]] = max(n["updated"], last_change.get(n["net_id"], ""))
        if n["status"] == "ok":
            ixes_of.setdefault(n["net_id"], set()).add(n["ix_id"])
            nets_on.setdefault(n["ix_id"], set()).add(n["net_id"])
    families: dict[int, set[int]] = {}  # IX id -> IP versions of its prefixes
    ixlan_ix = {ixlan["id"]: ixlan["ix_id"] for ixlan in data["ixlan"]}
    for pfx in data["ixpfx"]:
        if pfx["status"] == "ok" and pfx["ixlan_id"] in ixlan_ix:
            version = ipaddress.ip_network(pfx["prefix"]).version
            families.setdefault(ixlan_ix[pfx["ixlan_id"]], set()).add(version)
    for net in data["net"]:
        net["ix_count"] = len(ixes_of.get(net["id"], ()))
        net["netixlan_updated"] = last_change.get(net["id"])
    for ix in data["ix"]:
        ix["net_count"] = len(nets_on.get(ix["id"], ()))
        ix["proto_unicast"] = 4 in families.get(ix["id"], ())
        ix["proto_ipv6"] = 6 in families.get(ix["id"], ())
    return data


def load(directory: str | Path) -> dict[str, list[Obj]]:
    """The objects of saved API answers: `<directory>/<type>.json` (a missing file is an
    empty type)."""
    data = {}
    for object_type in TYPES:
        path = Path(directory) / f"{object_type}.json"
        data[object_type] = json.loads(path.read_text())["data"] if path.exists() else []
    return data


class RecordedRequest(NamedTuple):
    """One request as the server received it. `query`: each parameter's last value;
    `headers`: names in their usual capitalisation ("Authorization", "User-Agent")."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class _Fault:
    kind: str  # "throttle", "fail", "garbage" or "stall"
    times: int
    status: int = 200
    body: bytes = b""
    seconds: float = 0.0


class _Answer(NamedTuple):
    status: int
    headers: dict[str, str]
    body: bytes


def _json(status: int, body: Any, **headers: str) -> _Answer:
    return _Answer(status, {"Content-Type": JSON, **headers}, json.dumps(body).encode())


def _error(status: int, message: str) -> _Answer:
    return _json(status, {"meta": {"error": message}})


class LocalPeeringDB:
    """A PeeringDB API on 127.0.0.1, serving `data` from memory, running from creation
    until stop() (or the end of a `with` block).

    `data`: a directory of saved answers (`<type>.json`, default the demo data set) or
    `{type: [object, ...]}` (generate()). `port`: 0 takes a free one. `url` is the API's
    base ("http://127.0.0.1:PORT/api"); `requests` lists every request received.

    Changes (update, delete, add and the helpers) give the object an `updated` one second
    later than any time in the data, so a `since` query finds them. Faults (throttle,
    fail, garbage, stall) apply, in the order they were asked, to the next requests."""

    def __init__(
        self,
        data: str | Path | Mapping[str, Iterable[Obj]] | None = None,
        port: int = 0,
        verbose: bool = False,
    ) -> None:
        if data is None or isinstance(data, str | Path):
            data = load(DEMO_DATA if data is None else data)
        if set(data) - set(TYPES):
            raise ValueError(f"unknown object types: {', '.join(sorted(set(data) - set(TYPES)))}")
        self._lock = threading.RLock()
        self._objects: dict[str, dict[int, Obj]] = {
            object_type: {o["id"]: shape(object_type, o) for o in data.get(object_type, [])}
            for object_type in TYPES
        }
        times = [
            unix(obj[name])
            for objects in self._objects.values()
            for obj in objects.values()
            for name in ("created", "updated")
        ]
        self._clock = max(times, default=int(time.time()))
        self._generated = time.time()
        self._faults: deque[_Fault] = deque()
        self._api_key: str | None = None
        self._stopping = threading.Event()
        self._stopped = False
        self.requests: list[RecordedRequest] = []
        self._server = _Server((HOST, port), _Handler)
        self._server.app = self  # type: ignore[attr-defined]
        self._server.verbose = verbose  # type: ignore[attr-defined]
        self.port: int = self._server.server_address[1]
        self.url = f"http://{HOST}:{self.port}/api"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"LocalPeeringDB {self.port}",
            daemon=True,
        )
        self._thread.start()

    def __enter__(self) -> LocalPeeringDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop serving (a stalled answer ends at once) and wait for the server's thread.
        Calling it again does nothing."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    # --- the data ---------------------------------------------------------------------

    def objects(self, object_type: str, **fields: Any) -> list[Obj]:
        """Copies of the objects of `object_type` (every status) whose fields equal
        `fields`, by id."""
        with self._lock:
            return [
                copy.deepcopy(obj)
                for obj in self._objects[object_type].values()
                if all(obj.get(name) == value for name, value in fields.items())
            ]

    def network(self, asn: int) -> Obj:
        """A copy of the live network of `asn` (KeyError if none)."""
        found = self.objects("net", asn=asn, status="ok")
        if not found:
            raise KeyError(f"no live network AS{asn}")
        return found[0]

    def update(self, object_type: str, id: int, **fields: Any) -> Obj:
        """Change fields of an object (its `updated` moves on unless given); the new
        object."""
        with self._lock:
            obj = {**self._get(object_type, id), **fields}
            if "updated" not in fields:
                obj["updated"] = self._tick()
            self._objects[object_type][id] = shape(object_type, obj)
            self._changed(object_type, obj)
            return copy.deepcopy(self._objects[object_type][id])

    def delete(self, object_type: str, id: int) -> list[Obj]:
        """Delete an object as PeeringDB does: status "deleted", `updated` moved on, and
        its live children deleted with it (a network's netixlans, an IX's IX LANs, an IX
        LAN's prefixes and netixlans...). The objects deleted."""
        with self._lock:
            if self._get(object_type, id)["status"] == "deleted":
                return []
            deleted = [self.update(object_type, id, status="deleted")]
            for child_type, key in CASCADE.get(object_type, []):
                for child in list(self._objects[child_type].values()):
                    if child[key] == id and child["status"] != "deleted":
                        deleted += self.delete(child_type, child["id"])
            return deleted

    def add(self, object_type: str, fields: Mapping[str, Any]) -> Obj:
        """Create an object: `fields` plus the type's defaults, a new id unless given,
        `created` and `updated` now (by this server's clock), status "ok" unless given.
        A netixlan needs only `net_id` (or `asn`) and `ixlan_id`; an ixpfx's `protocol`
        follows its prefix. The new object."""
        with self._lock:
            fields = dict(fields)
            objects = self._objects[object_type]
            if fields.setdefault("id", max(objects, default=0) + 1) in objects:
                raise ValueError(f"{object_type} {fields['id']} exists")
            if object_type == "netixlan":
                fields = self._netixlan_fields(fields)
            now = self._tick()
            fields.setdefault("created", now)
            fields.setdefault("updated", now)
            obj = shape(object_type, fields)
            objects[obj["id"]] = obj
            self._changed(object_type, obj)
            return copy.deepcopy(obj)

    def set_max_prefixes(self, asn: int, ipv4: int | None = None, ipv6: int | None = None) -> Obj:
        """Set a network's `info_prefixes4` and/or `info_prefixes6` (0: not set; None:
        leave as it is). The network."""
        fields = {"info_prefixes4": ipv4, "info_prefixes6": ipv6}
        net = self.network(asn)
        return self.update("net", net["id"], **{k: v for k, v in fields.items() if v is not None})

    def join_ix(
        self,
        asn: int,
        ixlan_id: int,
        ipaddr4: str | None = None,
        ipaddr6: str | None = None,
        **fields: Any,
    ) -> Obj:
        """Add AS`asn` to an IX LAN at these addresses (at least one, inside the IX LAN's
        prefixes and free). `fields`: more netixlan fields (speed in Mbit/s, is_rs_peer,
        ...). The new netixlan."""
        net = self.network(asn)
        return self.add(
            "netixlan",
            {"net_id": net["id"], "ixlan_id": ixlan_id, "ipaddr4": ipaddr4, "ipaddr6": ipaddr6}
            | fields,
        )

    def leave_ix(self, asn: int, ixlan_id: int) -> list[Obj]:
        """Delete AS`asn`'s live netixlans on an IX LAN; those deleted."""
        with self._lock:
            return [
                deleted
                for netixlan in self.objects("netixlan", asn=asn, ixlan_id=ixlan_id, status="ok")
                for deleted in self.delete("netixlan", netixlan["id"])
            ]

    def _get(self, object_type: str, id: int) -> Obj:
        try:
            return self._objects[object_type][id]
        except KeyError:
            raise KeyError(f"no {object_type} {id}") from None

    def _tick(self) -> str:
        self._clock += 1
        return iso(self._clock)

    def _netixlan_fields(self, fields: Obj) -> Obj:
        """A new netixlan's derived fields (asn, ix_id, name), and PeeringDB's checks of
        its addresses."""
        if "net_id" not in fields:
            fields["net_id"] = self.network(fields["asn"])["id"]
        net = self._get("net", fields["net_id"])
        ixlan = self._get("ixlan", fields["ixlan_id"])
        ix = self._get("ix", ixlan["ix_id"])
        fields.setdefault("asn", net["asn"])
        fields.setdefault("ix_id", ix["id"])
        name = f"{ix['name']}: {ixlan['name']}" if ixlan["name"] else ix["name"]
        fields.setdefault("name", name)
        addresses = [fields.get("ipaddr4"), fields.get("ipaddr6")]
        if not any(addresses):
            raise ValueError("Input required for IPv4 or IPv6")
        prefixes = [
            ipaddress.ip_network(p["prefix"])
            for p in self._objects["ixpfx"].values()
            if p["ixlan_id"] == ixlan["id"] and p["status"] == "ok"
        ]
        taken = {
            n[key]
            for n in self._objects["netixlan"].values()
            if n["ixlan_id"] == ixlan["id"] and n["status"] == "ok"
            for key in ("ipaddr4", "ipaddr6")
        }
        for key, version in (("ipaddr4", 4), ("ipaddr6", 6)):
            if not fields.get(key):
                continue
            address = ipaddress.ip_address(fields[key])
            if address.version != version:
                raise ValueError(f"{key} {address} is not an IPv{version} address")
            if not any(address in prefix for prefix in prefixes):
                raise ValueError(f"{address} is in no prefix of ixlan {ixlan['id']}")
            if address.compressed in taken:
                raise ValueError(f"IP already exists: {address}")
            fields[key] = address.compressed
        return fields

    def _changed(self, object_type: str, obj: Obj) -> None:
        """What PeeringDB changes with a netixlan: the network's ix_count and
        netixlan_updated, the IX's net_count, without moving their `updated`."""
        self._generated = time.time()
        self._clock = max(self._clock, unix(obj["created"]), unix(obj["updated"]))
        if object_type != "netixlan":
            return
        live = [n for n in self._objects["netixlan"].values() if n["status"] == "ok"]
        net = self._objects["net"].get(obj["net_id"])
        if net:
            net["ix_count"] = len({n["ix_id"] for n in live if n["net_id"] == net["id"]})
            net["netixlan_updated"] = obj["updated"]
        ix = self._objects["ix"].get(obj["ix_id"])
        if ix:
            ix["net_count"] = len({n["net_id"] for n in live if n["ix_id"] == ix["id"]})

    # --- faults -----------------------------------------------------------------------

    def throttle(self, times: int = 1, retry_after: float = 1) -> None:
        """Answer the next `times` requests as PeeringDB's rate limit does: 429,
        `Retry-After` (seconds, rounded up) and its JSON message."""
        self._add_fault(_Fault("throttle", times, seconds=retry_after))

    def fail(self, status: int = 500, times: int = 1, body: bytes | None = None) -> None:
        """Answer the next `times` requests with HTTP `status`: for 500 Django's error page,
        for another 5xx a proxy's HTML page, for a 4xx the API's JSON error; or `body`."""
        self._add_fault(_Fault("fail", times, status=status, body=body or b""))

    def garbage(self, times: int = 1, body: bytes = NOT_JSON) -> None:
        """Answer the next `times` requests 200 with `body`: by default not JSON; NO_DATA
        is JSON without "data"."""
        self._add_fault(_Fault("garbage", times, body=body))

    def stall(self, seconds: float, times: int = 1) -> None:
        """Hold the next `times` requests `seconds` before answering them (normally)."""
        self._add_fault(_Fault("stall", times, seconds=seconds))

    def require_api_key(self, key: str | None) -> None:
        """Answer requests that lack `Authorization: Api-Key <key>` as PeeringDB answers
        an unknown key (401 "Invalid API key"); None: no key needed."""
        with self._lock:
            self._api_key = key

    def _add_fault(self, fault: _Fault) -> None:
        if fault.times < 1:
            raise ValueError("times must be 1 or more")
        with self._lock:
            self._faults.append(fault)

    def _next_fault(self) -> _Fault | None:
        with self._lock:
            if not self._faults:
                return None
            fault = self._faults[0]
            fault.times -= 1
            if not fault.times:
                self._faults.popleft()
            return fault

    # --- answering --------------------------------------------------------------------

    def _answer(self, request: RecordedRequest) -> _Answer:
        with self._lock:
            self.requests.append(request)
        fault = self._next_fault()
        if fault and fault.kind == "stall":
            self._stopping.wait(fault.seconds)
        elif fault:
            return _fault_answer(fault)
        with self._lock:
            key = self._api_key
        if key is not None and request.headers.get("Authorization") != f"Api-Key {key}":
            return _error(401, "Invalid API key")
        match = re.fullmatch(r"/api/([a-z]+)(/[^/]+)?", request.path)
        if not match or match[1] not in TYPES + EMPTY_TYPES:
            return _Answer(404, {"Content-Type": HTML}, NOT_FOUND_PAGE)
        if request.method not in ("GET", "HEAD"):
            return _error(405, f'Method "{request.method}" not allowed.')
        if match[2]:
            return _error(400, "This local PeeringDB serves lists only (/api/<type>?id=N).")
        return self._list(match[1], request.query)

    def _list(self, object_type: str, query: dict[str, str]) -> _Answer:
        try:
            since = int(float(query.get("since", 0)))
        except (ValueError, OverflowError):
            return _error(400, "'since' needs to be a unix timestamp (epoch seconds)")
        numbers = {}
        for name in ("skip", "limit", "depth"):
            try:
                numbers[name] = int(query.get(name, 0))
            except ValueError:
                return _error(400, f"'{name}' needs to be a number")
        skip, limit, depth = numbers["skip"], numbers["limit"], numbers["depth"]
        if depth != 0:
            return _error(400, "This local PeeringDB serves depth 0 only.")
        try:
            int(query.get("since", 0))  # the API cache's reading of it (api_cache.py:80)
        except ValueError as exc:
            return _error(400, str(exc))
        if skip < 0:
            return _error(400, "Negative indexing is not supported.")
        with self._lock:
            try:
                tests = self._filters(object_type, query)
            except ValueError:
                return _error(400, "Invalid query")
            rows = [
                obj
                for obj in self._objects.get(object_type, {}).values()
                if all(test(obj) for test in tests)
            ]
            if since > 0:
                rows = [
                    obj
                    for obj in rows
                    if obj["status"] in ("ok", "deleted")
                    and (unix(obj["created"]) > since or unix(obj["updated"]) > since)
                ]
                rows.sort(key=lambda obj: (obj["updated"], obj["id"]))
            else:
                rows = sorted((obj for obj in rows if obj["status"] == "ok"), key=lambda o: o["id"])
            rows = rows[skip : skip + limit] if limit > 0 else rows[skip:]
            if "fields" in query:
                keep = query["fields"].split(",")
                rows = [{k: v for k, v in obj.items() if k in keep} for obj in rows]
            cached = not tests and not since and not (limit and limit <= 250)
            meta = {"generated": self._generated} if cached else {}
            if not rows and ("id" in query or (object_type == "net" and "asn" in query)):
                return _json(404, {"data": [], "meta": {"error": "Entity not found"}})
            return _json(200, {"data": rows, "meta": meta})

    def _filters(self, object_type: str, query: dict[str, str]) -> list[Callable[[Obj], bool]]:
        tests = []
        fields = DEFAULTS.get(object_type, {})
        for key, raw in query.items():
            if key in CONTROL_PARAMETERS:
                continue
            name, _, op = key.partition("__")
            if op and op not in ("lt", "lte", "gt", "gte", "contains", "startswith", "in"):
                continue
            related = self._related(object_type, name, raw.split(",") if op == "in" else [raw])
            if related is not None:
                tests.append(lambda obj, ids=related: obj["id"] in ids)
            elif name in fields:
                tests.append(_field_test(name, op or "exact", raw))
        return tests

    def _related(self, object_type: str, name: str, values: list[str]) -> set[int] | None:
        """Ids of `object_type` objects matched through a relation (prepare_query), or None
        when `name` is no relation filter of the type."""
        relations = {
            ("net", "ix_id"): ("netixlan", "ix_id", "net_id"),
            ("net", "ixlan_id"): ("netixlan", "ixlan_id", "net_id"),
            ("ixpfx", "ix_id"): ("ixlan", "ix_id", None),
            ("org", "asn"): ("net", "asn", "org_id"),
        }
        if (object_type, name) not in relations:
            return None
        other, key, target = relations[(object_type, name)]
        found = [
            o
            for o in self._objects[other].values()
            if o["status"] == "ok" and str(o[key]) in values
        ]
        if target is None:  # ixpfx by IX: the prefixes of its IX LANs
            ixlans = {o["id"] for o in found}
            return {p["id"] for p in self._objects["ixpfx"].values() if p["ixlan_id"] in ixlans}
        return {o[target] for o in found}


def _field_test(name: str, op: str, raw: str) -> Callable[[Obj], bool]:
    """One field filter of the API, on a held object (ValueError: not a usable value)."""
    if op in ("lt", "lte", "gt", "gte"):
        if name in DATE_FIELDS:
            if len(raw) == 10 and op in ("gt", "lte"):
                raw = f"{raw}T23:59:59"
            bound: Any = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "T"))
            bound = bound if bound.tzinfo else bound.replace(tzinfo=UTC)

            def read(value: Any) -> Any:
                return datetime.fromtimestamp(unix(value), UTC)
        else:
            bound = float(raw)
            read = float
        compare = {
            "lt": lambda a, b: a < b,
            "lte": lambda a, b: a <= b,
            "gt": lambda a, b: a > b,
            "gte": lambda a, b: a >= b,
        }[op]
        return lambda obj: obj.get(name) is not None and compare(read(obj[name]), bound)

    def text(value: Any) -> str:
        return str(value).lower()

    wanted = raw.lower()
    if op == "in":
        choices = {v.lower() for v in raw.split(",")}
        return lambda obj: obj.get(name) is not None and text(obj[name]) in choices
    if op == "contains":
        return lambda obj: obj.get(name) is not None and wanted in text(obj[name])
    if op == "startswith" or name in DATE_FIELDS:
        return lambda obj: obj.get(name) is not None and text(obj[name]).startswith(wanted)
    flag = wanted == "true" or raw == "1"
    return lambda obj: (
        obj.get(name) is flag
        if isinstance(obj.get(name), bool)
        else obj.get(name) is not None and text(obj[name]) == wanted
    )


def _fault_answer(fault: _Fault) -> _Answer:
    if fault.kind == "throttle":
        wait = math.ceil(fault.seconds)
        when = (
            f"{wait} seconds"
            if wait < 60
            else f"{wait // 60} minutes"
            if 60 < wait < 3600
            else f"{wait // 3600} hours"
        )
        message = f"Request was throttled. Expected available in {when}."
        headers = {"Retry-After": str(wait)} if wait else {}
        return _json(429, {"message": message, "meta": {"error": "Too Many Requests"}}, **headers)
    if fault.kind == "garbage":
        return _Answer(200, {"Content-Type": JSON}, fault.body)
    status = fault.status
    if fault.body:
        return _Answer(status, {"Content-Type": HTML}, fault.body)
    if status == 500:
        return _Answer(500, {"Content-Type": HTML}, SERVER_ERROR_PAGE)
    phrase = HTTPStatus(status).phrase
    if status >= 500:
        page = f"<html><head><title>{status} {phrase}</title></head><body><h1>{phrase}</h1>"
        return _Answer(status, {"Content-Type": HTML}, f"{page}</body></html>".encode())
    return _error(status, phrase)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that went away
            super().handle_error(request, client_address)


def _header_name(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


class _Handler(BaseHTTPRequestHandler):
    server_version = "LocalPeeringDB"

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        request = RecordedRequest(
            self.command,
            parts.path,
            dict(parse_qsl(parts.query, keep_blank_values=True)),
            {_header_name(name): value for name, value in self.headers.items()},
        )
        answer = self.server.app._answer(request)  # type: ignore[attr-defined]
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:  # type: ignore[attr-defined]
            super().log_message(format, *args)


def generate(networks: int, ixes: int, seed: int = 0) -> dict[str, list[Obj]]:
    """A synthetic data set for benchmarks: `networks` networks (AS4200000000 up, each
    with its organisation, a max-prefixes pair, an AS-SET and a policy), each on every one
    of `ixes` IXes (networks * ixes netixlans). IX n has IX LAN n, IPv4 prefix a block of
    100.64.0.0/10 (a /22 for up to 1022 networks) and IPv6 2001:db8:<n in hex>::/64;
    network i is host i+1 of both. Same `seed`, same data."""
    hosts = max(1024, 2 ** math.ceil(math.log2(networks + 2)))  # addresses per IX LAN
    if ixes * hosts > 2**22 or ixes > 0xFFFF:
        raise ValueError(f"{networks} networks on {ixes} IXes do not fit in 100.64.0.0/10")
    rng = random.Random(seed)
    start = unix("2025-01-01T00:00:00Z")

    def times() -> dict[str, str]:
        created = start + rng.randrange(180 * 86400)
        return {"created": iso(created), "updated": iso(created + rng.randrange(300 * 86400))}

    data: dict[str, list[Obj]] = {object_type: [] for object_type in TYPES}
    policies = ("Open", "Open", "Selective", "Restrictive", "No")
    for i in range(1, networks + 1):
        asn = 4200000000 + i
        website = f"https://as{asn}.example.net"
        data["org"].append(shape("org", {"id": i, "name": f"Synthetic Org {i}"} | times()))
        net = {"id": i, "org_id": i, "name": f"Synthetic Network {i}", "asn": asn}
        net |= {"website": website, "irr_as_set": f"AS{asn}:AS-CUSTOMERS" if i % 7 else ""}
        net |= {"info_prefixes4": rng.choice((0, 10, 100, 1000, 10000, 100000))}
        net |= {"info_prefixes6": rng.choice((0, 0, 5, 50, 500, 5000))}
        kind = rng.choice(("NSP", "Content", "Cable/DSL/ISP", "Enterprise"))
        net |= {"policy_general": rng.choice(policies), "info_types": [kind], "info_type": kind}
        net |= {"info_unicast": True, "info_ipv6": True, "info_ratio": "Balanced"}
        data["net"].append(shape("net", net | times()))
    v4 = ipaddress.ip_network("100.64.0.0/10")
    block = 32 - int(math.log2(hosts))
    netixlan_id = 0
    for n in range(1, ixes + 1):
        org_id = networks + n
        data["org"].append(shape("org", {"id": org_id, "name": f"Synthetic IX {n} Org"} | times()))
        ix = {"id": n, "org_id": org_id, "name": f"Synthetic IX {n}", "city": "Example City"}
        ix |= {"country": "NL", "region_continent": "Europe", "tech_email": "noc@ix.example.net"}
        data["ix"].append(shape("ix", ix | times()))
        ixlan = {"id": n, "ix_id": n, "rs_asn": 4294900000 + n}
        data["ixlan"].append(shape("ixlan", ixlan | times()))
        lan4 = ipaddress.ip_network((int(v4.network_address) + (n - 1) * hosts, block))
        lan6 = ipaddress.ip_network(f"2001:db8:{n:x}::/64")
        for k, lan in enumerate((lan4, lan6)):
            pfx = {"id": 2 * n - 1 + k, "ixlan_id": n, "prefix": lan.compressed}
            data["ixpfx"].append(shape("ixpfx", pfx | times()))
        for i, net in enumerate(data["net"], start=1):
            netixlan_id += 1
            member = {"id": netixlan_id, "net_id": net["id"], "ix_id": n, "ixlan_id": n}
            member |= {"name": ix["name"], "asn": net["asn"], "speed": rng.choice((1000, 10000))}
            member |= {"ipaddr4": str(lan4[i]), "ipaddr6": str(lan6[i])}
            member |= {"is_rs_peer": rng.random() < 0.7}
            data["netixlan"].append(shape("netixlan", member | times()))
    return with_counts(data)


def main(argv: list[str] | None = None) -> None:
    """`python -m peeringdb.testserver`: serve in the foreground until Ctrl-C."""
    parser = argparse.ArgumentParser(description="A local PeeringDB API on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free one)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--data", help="a directory of <type>.json answers (default: the demo)")
    source.add_argument(
        "--synthetic",
        nargs=2,
        type=int,
        metavar=("NETWORKS", "IXES"),
        help="serve generate(NETWORKS, IXES) instead",
    )
    args = parser.parse_args(argv)
    data = generate(*args.synthetic) if args.synthetic else args.data
    server = LocalPeeringDB(data, port=args.port, verbose=True)
    print(f"PeeringDB API at {server.url} (Ctrl-C stops it)", flush=True)
    serve_until_interrupted(server.stop)


if __name__ == "__main__":
    main()
