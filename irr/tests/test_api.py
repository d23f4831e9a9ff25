"""The API's IRR prefix lists and kept lists: read-only, filtered by AS-SET and AS."""

from __future__ import annotations

from django.utils import timezone

from core.tests import builders
from core.tests.api import APIClient, ids, permission_user
from irr.models import KeptList, PrefixList
from peering.models import AutonomousSystem

LISTS, KEPT = "/api/irr/prefix-lists/", "/api/irr/kept-lists/"
ENTRY = {"prefix": "203.0.113.0/24", "exact": False, "greater_equal": 24, "less_equal": 24}


def test_prefix_lists(api, db) -> None:
    now = timezone.now()
    foo = PrefixList.objects.create(
        as_set="AS-FOO", ipv4=[ENTRY], ipv6=[], asns=[64501, 64502], fetched_at=now
    )
    single = PrefixList.objects.create(as_set="AS64503", error="No prefixes.", failed_at=now)
    old = PrefixList.objects.create(as_set="AS-OLD", ipv4=[ENTRY], fetched_at=now)
    system = AutonomousSystem.objects.create(asn=64501, name="Peer", irr_as_set="as-foo")
    KeptList.objects.create(autonomous_system=system, prefix_list=old)
    shown = api.get(f"{LISTS}{foo.pk}/").json()
    assert shown["as_set"] == "AS-FOO" and shown["ipv4"] == [ENTRY] and shown["ipv6"] == []
    assert shown["asns"] == [64501, 64502] and shown["error"] == "" and shown["fetched_at"]
    assert ids(api.get(LISTS, {"as_set": "as-foo"})) == [foo.pk]
    assert ids(api.get(LISTS, {"asn": 64501})) == [foo.pk, old.pk]  # its own, and the kept one
    assert ids(api.get(LISTS, {"asn": 64503})) == [single.pk]  # no AS-SET: AS<asn>
    assert ids(api.get(LISTS, {"failed": "true"})) == [single.pk]
    assert api.get(LISTS, {"asn": 2**40}).status_code == 400
    assert api.post(LISTS, {}).status_code == 405


def test_kept_lists(api, db) -> None:
    old = PrefixList.objects.create(as_set="AS-OLD")
    system = builders.peer_as(64501)
    kept = KeptList.objects.create(autonomous_system=system, prefix_list=old)
    builders.peer_as(64502)
    shown = api.get(KEPT).json()["results"]
    assert shown[0]["autonomous_system"]["asn"] == 64501
    assert shown[0]["prefix_list"]["as_set"] == "AS-OLD"
    assert ids(api.get(KEPT, {"asn": 64501})) == [kept.pk]
    assert ids(api.get(KEPT, {"asn": 64502})) == []
    assert ids(api.get(KEPT, {"autonomous_system": system.pk})) == [kept.pk]
    assert ids(api.get(KEPT, {"as_set": "as-old"})) == [kept.pk]
    assert api.delete(f"{KEPT}{kept.pk}/").status_code == 405


def test_permissions(db) -> None:
    PrefixList.objects.create(as_set="AS-FOO")
    assert APIClient(permission_user("nobody")).get(LISTS).status_code == 403
    viewer = APIClient(permission_user("viewer", "irr.view_prefixlist"))
    assert viewer.get(LISTS).status_code == 200
    assert viewer.get(KEPT).status_code == 403
