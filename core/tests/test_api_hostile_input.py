"""Hand-written hostile input for every operation of the API, read from its own OpenAPI
document: each is refused with a 4xx whose body is a JSON object, and a refused request
changes nothing.

The fuzz test (test_api_fuzz) explores at random; these are the inputs scripts, proxies
and attackers are known to send, every one of them on every operation they apply to: bytes
that are not UTF-8, JSON that is not text or not an object, NUL bytes, 10 MB strings,
numbers past 64 bits, values of the wrong JSON type, objects nested too deep, fields that
do not exist, ids that name nothing or overflow, malformed credentials, pages and filters
out of range. Inputs the fuzz test once found to be server errors are among them (a lone
surrogate, a line break in an address, an offset PostgreSQL refuses, an AS number past 64
bits, options nested deeper than the stack).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from core.models import Token
from core.tests.api_fixtures import APIInventory, auth_header
from core.tests.openapi import Operation, body_fields, kind, list_paths, operations, served_schema
from core.validators import MAX_JSON_DEPTH
from peering.models import AutonomousSystemChange

APPS = ("core", "devices", "peering", "configs", "peeringdb", "irr", "auditlog")
HUGE = [2**64, 2**63, -(2**63) - 1, 10**30]
TEN_MB = 10 * 1024 * 1024


def too_deep(leaf: Any = 1) -> Any:
    """An object nested one level deeper than options may be."""
    value = leaf
    for _ in range(MAX_JSON_DEPTH + 1):
        value = {"a": value}
    return value


# Values a field of each kind must refuse, whatever else the body holds.
WRONG: dict[str, list[Any]] = {
    "string": ["NUL \x00 byte", 5, True, [], {}],
    "enum": ["not-a-choice", 5, [], {}],
    "integer": ["1", 1.5, True, [], {}, *HUGE],
    "number": ["1", True, [], {}],
    "boolean": ["true", 1, [], {}],
    "object": [[], "x", 1, too_deep(), {"k": "\x00"}],
    "array": [{}, "x", 1],
    "date-time": ["2026-13-01T00:00:00Z", "9999-12-31T23:59:59-23:59", 5, []],
    "any": [[], {}, True],
}
# Bodies every operation that reads one must refuse: (what, raw bytes).
WHOLE_BODIES: list[tuple[str, bytes]] = [
    ("bytes that are not UTF-8", b'{"description": "\xff\xfe"}'),
    ("a surrogate encoded as UTF-8", b'{"description": "\xed\xa0\x80"}'),
    ("a lone surrogate escape", b'{"description": "\\ud800"}'),
    ("truncated JSON", b'{"description": "x'),
    ("JSON nested 100,000 deep", b"[" * 100_000),
    ("NaN", b'{"description": NaN}'),
    ("a list for the object", b"[{}]"),
    ("a string for the object", b'"x"'),
    ("a number past 64 bits for the object", str(10**30).encode()),
    ("null for the object", b"null"),
    ("a field that does not exist", b'{"no_such_field": 1}'),
]


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def refusal(response: HttpResponse, expected: int | None = None) -> str | None:
    """Why the response is not a refusal (a 4xx, `expected` if given, whose body is a JSON
    object), or None when it is one."""
    status = response.status_code
    if expected is not None and status != expected:
        return f"answered {status}, not {expected}: {response.content[:200]!r}"
    if not 400 <= status < 500:
        return f"answered {status}: {response.content[:200]!r}"
    if not response.get("Content-Type", "").startswith("application/json"):
        return f"answered {status} as {response.get('Content-Type')}"
    try:
        body = json.loads(response.content)
    except ValueError:
        return f"answered {status} with a body that is not JSON: {response.content[:200]!r}"
    if not isinstance(body, dict) or not body:
        return f"answered {status} with {body!r}, not an object saying why"
    return None


def fingerprint() -> dict[str, tuple[int, Any]]:
    """How many rows each of our tables has, and its greatest primary key: what a write
    that got through would change."""
    found = {}
    for model in apps.get_models():
        if model._meta.app_label in APPS:
            rows = model.objects.order_by("-pk").values_list("pk", flat=True)
            found[model._meta.label] = (rows.count(), rows.first())
    return found


class Requests:
    """Concrete requests for the document's operations, on objects that exist."""

    def __init__(self, client: Client, document: dict[str, Any]) -> None:
        self.client = client
        self.document = document
        self.ids: dict[str, Any] = {}
        for path in list_paths(document):
            results = client.get(path, {"limit": 1}).json()["results"]
            if results:
                self.ids[path] = results[0]["id"]

    def path_of(self, operation: Operation, object_id: Any = None) -> str | None:
        """The operation's path on an existing object (or `object_id`); None when its
        collection has none."""
        if not operation.names_an_object:
            return operation.path
        if object_id is None:
            object_id = self.ids.get(operation.path.split("{", 1)[0])
            if object_id is None:
                return None
        return operation.path.replace("{id}", str(object_id))

    def send(self, operation: Operation, path: str, body: bytes | None = None) -> HttpResponse:
        if body is None:
            return self.client.generic(operation.method.upper(), path)
        return self.client.generic(
            operation.method.upper(), path, body, content_type="application/json"
        )

    def detail(self, operation: Operation, path: str) -> Any:
        """What a GET of the object the operation is about answers (None: not readable)."""
        if not operation.names_an_object:
            return None
        base = operation.path.split("{", 1)[0]
        response = self.client.get(path[: len(base)] + path[len(base) :].split("/", 1)[0] + "/")
        return response.json() if response.status_code == 200 else None


@pytest.fixture
def requests(api_inventory: APIInventory, api_client: Client) -> Requests:
    return Requests(api_client, served_schema(api_client))


def body_operations(requests: Requests) -> Iterator[tuple[Operation, dict[str, Any]]]:
    for operation in operations(requests.document):
        if operation.method in ("post", "put", "patch"):
            fields = body_fields(requests.document, operation)
            if fields:
                yield operation, fields


def test_every_operation_that_reads_a_body_is_covered(requests: Requests) -> None:
    covered = {operation.label for operation, _fields in body_operations(requests)}
    assert "PATCH /api/devices/routers/{id}/" in covered
    assert "POST /api/devices/routers/{id}/deploy/" in covered
    missing = [
        operation.label
        for operation in operations(requests.document)
        if operation.method in ("post", "put", "patch")
        and operation.label not in covered
        and "requestBody" in operation.definition
    ]
    assert not missing, f"bodies without fields in the schema: {missing}"


def test_hostile_bodies_are_refused_and_change_nothing(requests: Requests) -> None:
    problems = []
    for operation, fields in body_operations(requests):
        path = requests.path_of(operation)
        if path is None:
            problems.append(f"{operation.label}: no object to try it on")
            continue
        before = (fingerprint(), requests.detail(operation, path))
        attempts = list(WHOLE_BODIES)
        text_field = next((n for n, f in fields.items() if kind(f) == "string"), "description")
        attempts.append(("a 10 MB string", _json({text_field: "x" * TEN_MB})))
        for name, field in fields.items():
            if field.get("readOnly"):
                continue
            wrong = list(WRONG[kind(field)])
            if kind(field) == "integer" and field.get("minimum", 0) >= 0:
                wrong.append(-1)
            if kind(field) == "array":
                item = field.get("items", {})
                wrong += [[value] for value in WRONG[kind(item)] if value != []]
            attempts += [(f"{name}: {value!r:.60}", _json({name: value})) for value in wrong]
        for what, body in attempts:
            expected = 413 if what == "a 10 MB string" else None
            why = refusal(requests.send(operation, path, body), expected)
            if why:
                problems.append(f"{operation.label}, {what}: {why}")
        if (fingerprint(), requests.detail(operation, path)) != before:
            problems.append(f"{operation.label}: a refused request changed something")
    assert not problems, "\n".join(problems)


OVERFLOWING_IDS = [*HUGE, 2**63 - 1, -1, 0, "abc", "1e3", "0x10", "%00", "1%0A", "\u0661"]


def test_ids_that_name_nothing_are_a_404(requests: Requests) -> None:
    problems = []
    for operation in operations(requests.document):
        if not operation.names_an_object:
            continue
        for object_id in OVERFLOWING_IDS:
            path = requests.path_of(operation, object_id)
            body = b"{}" if operation.method in ("post", "put", "patch") else None
            why = refusal(requests.send(operation, path, body), 404)
            if why:
                problems.append(f"{operation.label} with id {object_id!r}: {why}")
    assert not problems, "\n".join(problems)


MALFORMED_CREDENTIALS = [
    "Token",
    "Token ",
    "Token a b",
    "Token \xff\xfe",
    "Token pk_\x7f",
    "Token " + "x" * 10_000,
    "Token pk_" + "A" * 43,
    "Bearer",
    "Bearer pk_unknown",
    "Basic Zm9vOmJhcg==",
    "Digest username=admin",
]


def _credential_paths(requests: Requests) -> dict[str, Operation]:
    """One operation per path, a read where there is one: every view authenticates."""
    chosen: dict[str, Operation] = {}
    for operation in operations(requests.document):
        if operation.path not in chosen or operation.method == "get":
            chosen[operation.path] = operation
    return chosen


def test_malformed_or_dead_credentials_are_a_401(requests: Requests, api_user: Any) -> None:
    expired, expired_key = Token.issue(api_user, description="expired")
    Token.objects.filter(pk=expired.pk).update(expires=timezone.now() - timedelta(seconds=1))
    revoked, revoked_key = Token.issue(api_user, description="revoked")
    revoked.delete()
    headers = [*MALFORMED_CREDENTIALS, f"Token {expired_key}", f"Token {revoked_key}"]
    problems = []
    for path_template, operation in _credential_paths(requests).items():
        path = requests.path_of(operation) or path_template.replace("{id}", "1")
        for header in headers:
            client = Client(headers={"Authorization": header})
            response = client.generic(operation.method.upper(), path)
            why = refusal(response, 401)
            if why:
                problems.append(f"{operation.label} with {header[:30]!r}: {why}")
    assert not problems, "\n".join(problems)


def test_a_read_only_token_changes_nothing(requests: Requests, api_user: Any) -> None:
    _token, key = Token.issue(api_user, write_enabled=False)
    reader = Client(headers=auth_header(key))
    before = fingerprint()
    problems = []
    for operation in operations(requests.document):
        path = requests.path_of(operation)
        if operation.method == "get" or path is None:
            continue
        response = reader.generic(operation.method.upper(), path, b"{}", "application/json")
        why = refusal(response, 403)
        if why:
            problems.append(f"{operation.label}: {why}")
    assert not problems, "\n".join(problems)
    assert fingerprint() == before


BAD_PAGES = {
    "limit": ["-1", "0", "ten", "1.5", "1e3", "9" * 30, "\x00", "\u0663"],
    "offset": ["-1", "ten", "1.5", str(2**63), "9" * 30, "\x00"],
}
# Values a filter of each kind must refuse.
BAD_FILTERS: dict[str, list[str]] = {
    "enum": ["not-a-choice"],
    "integer": ["abc", "\x00"],
    "number": ["abc", "NaN", "Infinity", "\x00"],
    "boolean": ["maybe", "2", "\x00"],
    "date-time": ["2026-13-01T00:00:00Z", "9999-12-31T23:59:59-23:59", "\x00"],
    "string": ["\x00"],
}


def test_pages_and_filters_out_of_range_are_a_400(requests: Requests) -> None:
    problems = []
    for path in list_paths(requests.document):
        operation = Operation("get", path, requests.document["paths"][path]["get"])
        attempts = [(name, value) for name, values in BAD_PAGES.items() for value in values]
        for parameter in operation.query_parameters():
            if parameter["name"] not in BAD_PAGES:
                values = BAD_FILTERS.get(kind(parameter["schema"]), [])
                attempts += [(parameter["name"], value) for value in values]
        for name, value in attempts:
            response = requests.client.get(path, {name: value})
            named = name in response.json() if refusal(response) is None else True
            why = refusal(response, 400) or (None if named else "the answer does not name it")
            if why:
                problems.append(f"GET {path}?{name}={value[:30]!r}: {why}")
    assert not problems, "\n".join(problems)


def test_limits_and_offsets_at_their_bounds_answer_a_page(requests: Requests) -> None:
    for path in list_paths(requests.document):
        response = requests.client.get(path, {"limit": str(2**63 - 1)})
        assert response.status_code == 200, (path, response.content[:200])
        assert len(response.json()["results"]) <= 1000
        response = requests.client.get(path, {"offset": str(2**63 - 1)})
        assert response.status_code == 200, (path, response.content[:200])
        assert response.json()["results"] == []


def test_a_date_with_any_offset_filters_by_its_instant(requests: Requests) -> None:
    """+18:23 is valid ISO 8601 but more than PostgreSQL takes: it is read as UTC."""
    at = datetime(2001, 1, 1, tzinfo=UTC)
    AutonomousSystemChange.objects.filter(old_value="Old").update(at=at)
    total = AutonomousSystemChange.objects.count()
    url = "/api/peering/autonomous-system-changes/"
    offset = timezone.get_fixed_timezone(timedelta(hours=18, minutes=23))
    for shift, count in ((timedelta(minutes=-1), total), (timedelta(minutes=1), total - 1)):
        since = (at + shift).astimezone(offset)
        response = requests.client.get(url, {"since": since.isoformat()})
        assert response.status_code == 200, response.content
        assert response.json()["count"] == count


# Digits that are not ASCII: str.isdigit() takes them; int() refuses "²" and "①", and
# takes "١٢" (Arabic-Indic) as 12.
UNICODE_DIGITS = ["²", "AS²", "①", "١٢"]


def test_digits_that_are_not_ascii_are_text_not_numbers(requests: Requests) -> None:
    """A search or an id of such digits is text like any other: an answer, or a 400
    naming the field; found by the fuzz test as a 500 of `?q=²`."""
    problems = []
    for path in list_paths(requests.document):
        operation = Operation("get", path, requests.document["paths"][path]["get"])
        for parameter in operation.query_parameters():
            if kind(parameter["schema"]) != "string":
                continue
            for value in UNICODE_DIGITS:
                response = requests.client.get(path, {parameter["name"]: value})
                if response.status_code != 200 and refusal(response, 400):
                    problems.append(f"GET {path}?{parameter['name']}={value}: {refusal(response)}")
    # An id given as text of such digits (the API takes JSON only: a form is a 415).
    router = requests.ids["/api/devices/routers/"]
    for value in UNICODE_DIGITS:
        response = requests.client.patch(
            f"/api/devices/routers/{router}/",
            f'{{"platform": "{value}"}}',
            content_type="application/json",
        )
        why = refusal(response, 400)
        if why:
            problems.append(f"PATCH a router's platform as text {value!r}: {why}")
        form = requests.client.patch(
            f"/api/devices/routers/{router}/",
            f"platform={value}",
            content_type="application/x-www-form-urlencoded",
        )
        why = refusal(form, 415)
        if why:
            problems.append(f"PATCH a router's platform as form data {value!r}: {why}")
    assert not problems, "\n".join(problems)


def test_addresses_outside_the_schema_refuse_in_json_too(requests: Requests) -> None:
    """The root, the schema itself and addresses that name nothing answer their refusals
    in JSON as every operation does (the schema's were YAML renderings of the error)."""
    anonymous, malformed = Client(), Client(headers={"Authorization": "Token"})
    attempts = [
        (anonymous, "/api/", 401),
        (malformed, "/api/", 401),
        (anonymous, "/api/schema/", 401),
        (anonymous, "/api/schema/?format=json", 401),
        (malformed, "/api/schema/", 401),
        (requests.client, "/api/schema/?format=zzz", 404),
        (requests.client, "/api/nothing/", 404),
        (requests.client, "/api/devices/routers/1/nothing/", 404),
        (requests.client, "/api/devices/\n/", 404),
    ]
    problems = [
        f"GET {url!r}: {why}"
        for client, url, status in attempts
        if (why := refusal(client.get(url), status))
    ]
    assert not problems, "\n".join(problems)
