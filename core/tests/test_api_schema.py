"""The API's OpenAPI schema: generated without a warning, and describing what the API
answers (every collection's list and detail responses validate against it)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from jsonschema import Draft4Validator

from core.choices import BGPState
from devices.models import Platform
from irr.models import KeptList, PrefixList
from peering.models import (
    AutonomousSystem,
    AutonomousSystemChange,
    BGPSessionStateChange,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peeringdb.tests import factories
from peerkeeper.api_urls import api_router
from peerkeeper.testing import manage_py


def test_the_schema_generates_without_warnings(tmp_path) -> None:
    result = manage_py(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stderr, result.stderr


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0's `nullable` as JSON Schema says it, everywhere in the document."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


@pytest.fixture
def full_inventory(ui_inventory) -> None:
    """ui_inventory with some of everything else: polled and stale state, histories, the
    PeeringDB copy linked to an exchange and a connection, IRR lists."""
    now = timezone.now()
    lan = factories.demo_ixlan()
    InternetExchange.objects.update(peeringdb_ix_id=lan.ix_id)
    session = InternetExchangePeeringSession.objects.get()
    session.ixp_connection.peeringdb_ixlan = lan
    session.ixp_connection.save()
    InternetExchangePeeringSession.objects.update(last_polled_at=now, configured_on_router=True)
    ui_inventory.last_poll_error = "timed out"
    ui_inventory.napalm_args = {"secret": "x", "port": 22}
    ui_inventory.save()
    direct = DirectPeeringSession.objects.get()
    direct.local_autonomous_system = ui_inventory.local_autonomous_system
    direct.bgp_state = BGPState.IDLE
    direct.save()
    BGPSessionStateChange.objects.create(ixp_session=session, to_state="established", at=now)
    BGPSessionStateChange.objects.create(
        direct_session=direct, from_state="idle", to_state=None, at=now - timedelta(hours=1)
    )
    system = AutonomousSystem.objects.get(asn=64501)
    AutonomousSystemChange.objects.create(
        autonomous_system=system, field="name", old_value="", new_value="Peer One", at=now
    )
    entry = {"prefix": "203.0.113.0/24", "exact": True}
    PrefixList.objects.create(as_set="AS64501", ipv4=[entry], asns=[64501], fetched_at=now)
    failed = PrefixList.objects.create(as_set="AS-OLD", error="Unknown.", failed_at=now)
    KeptList.objects.create(autonomous_system=system, prefix_list=failed)


def test_every_response_matches_the_schema(api, full_inventory) -> None:
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    document = _json_schema(json.loads(response.content))
    checked = 0
    for path, operations in document["paths"].items():
        get = operations.get("get")
        # Lists only: not an object (…/{id}/), nor what an object's action reads.
        if get is None or path.startswith("/api/core/") or "{" in path:
            continue
        listed = api.get(path)
        _validate(document, get, listed, path)
        results = listed.json()["results"]
        assert results, f"the inventory has nothing for {path}"
        detail_path = f"{path}{{id}}/"
        detail = api.get(results[0]["url"])
        _validate(document, document["paths"][detail_path]["get"], detail, detail_path)
        checked += 1
    assert checked >= 18
    # The check itself sees a wrong response: a router without its platform's brief form.
    body = api.get("/api/devices/routers/").json()
    body["results"][0]["platform"] = body["results"][0]["platform"]["id"]
    schema = document["paths"]["/api/devices/routers/"]["get"]["responses"]["200"]
    schema = schema["content"]["application/json"]["schema"]
    assert list(Draft4Validator({**schema, "components": document["components"]}).iter_errors(body))


def _validate(document: dict, operation: dict, response: Any, path: str) -> None:
    assert response.status_code == 200, (path, response.content)
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    validator = Draft4Validator({**schema, "components": document["components"]})
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(response.json())
    ]
    assert not errors, (path, errors[:5])


def test_the_browsable_api_renders_every_collection(admin_client, api, full_inventory) -> None:
    """The HTML pages of the API (a logged-in browser), with their JSON forms, for every
    list and the first object of each."""
    for prefix, viewset, _ in api_router().registry:
        if prefix.startswith("core/") or not hasattr(viewset, "list"):
            continue
        url = f"/api/{prefix}/"
        response = admin_client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
        first = api.get(url).json()["results"][0]["url"]
        assert admin_client.get(first, HTTP_ACCEPT="text/html").status_code == 200, first
    # A form's body is refused (415): the browsable pages write through their JSON form.
    response = admin_client.post(
        "/api/devices/routers/",
        {"name": "r5", "hostname": "r5", "status": "enabled"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 415, response.content
    response = admin_client.post(
        "/api/devices/routers/",
        {"name": "r5", "hostname": "r5", "platform": full_inventory_platform()},
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["platform"]["id"] == full_inventory_platform()


def full_inventory_platform() -> int:

    return Platform.objects.get().pk
