"""Refreshing the cached prefix lists from a real IRRd (irr.testing's `local_irr`)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.operations import InputError
from irr import refresh as refresh_module
from irr.models import PrefixList
from irr.refresh import Refresh, plans, refresh, systems_to_refresh
from irr.testing import CLOSED_IRR_HOST
from peering.models import AutonomousSystem

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - timedelta(days=3)
KEPT = [{"prefix": "192.0.2.0/24", "exact": True}]


def _as(asn: int, as_set: str = "") -> AutonomousSystem:
    return AutonomousSystem.objects.create(asn=asn, name=f"AS {asn}", irr_as_set=as_set)


def _kept(as_set: str) -> PrefixList:
    """A list as an earlier refresh left it."""
    return PrefixList.objects.create(
        as_set=as_set, ipv4=KEPT, ipv6=[], asns=[64496], fetched_at=LONG_AGO
    )


def test_a_refresh_keeps_the_lists_of_each_as_set(local_irr) -> None:
    _as(64501, "AS-PEERONE")
    _as(64503, "as-peerthree")

    result = refresh([64501, 64503])

    assert result.ok
    assert result.lines() == [
        "AS64501 AS-PEERONE: 3 IPv4 and 2 IPv6 entries, 2 ASNs (changed)",
        "AS64503 AS-PEERTHREE: 1 IPv4 and 1 IPv6 entries, 1 ASN (changed)",
        "2 AS-sets: 2 refreshed, 0 failed, 0 skipped; 2 changed",
    ]
    one = PrefixList.objects.get(as_set="AS-PEERONE")
    assert one.asns == [64501, 64511] and len(one.ipv4) == 3 and len(one.ipv6) == 2
    assert one.error == "" and one.failed_at is None
    assert timezone.now() - one.fetched_at < timedelta(minutes=1)


def test_a_second_refresh_moves_fetched_at_and_changes_nothing_else(local_irr) -> None:
    _as(64501, "AS-PEERONE")
    refresh([64501])
    first = PrefixList.objects.get()

    result = refresh([64501])

    second = PrefixList.objects.get()
    assert result.lines()[0] == "AS64501 AS-PEERONE: 3 IPv4 and 2 IPv6 entries, 2 ASNs (unchanged)"
    assert second.fetched_at > first.fetched_at
    assert (second.ipv4, second.ipv6, second.asns, second.error) == (
        first.ipv4,
        first.ipv6,
        first.asns,
        first.error,
    )


def test_by_default_every_as_with_an_as_set_or_a_session(local_irr, ui_inventory) -> None:
    _as(64503, "AS-PEERTHREE")
    _as(64599)  # neither: not refreshed

    result = refresh()

    # AS64501 has sessions and no AS-set: its own ASN is expanded (p1 without its
    # customer's prefixes). AS64500 (ours, no AS-set) is left alone.
    assert [r.label for r in result] == ["AS64501", "AS64503 AS-PEERTHREE"]
    assert result.ok
    assert sorted(PrefixList.objects.values_list("as_set", flat=True)) == [
        "AS-PEERTHREE",
        "AS64501",
    ]


def test_ases_sharing_an_as_set_share_one_expansion(local_irr) -> None:
    _as(64501, "AS-PEERONE")
    _as(64511, "as-peerone")

    result = refresh()

    assert [r.label for r in result] == ["AS64501, AS64511 AS-PEERONE"]
    assert PrefixList.objects.count() == 1


def test_an_unknown_asn_is_refused_before_anything_runs(local_irr) -> None:
    _as(64501, "AS-PEERONE")
    with pytest.raises(InputError, match=r"^No autonomous system AS64598, AS64599 in the"):
        refresh([64501, 64599, 64598])
    assert not PrefixList.objects.exists()


def test_an_as_set_no_longer_in_the_irr_keeps_its_previous_list(local_irr) -> None:
    _as(64501, "AS-GONE")
    _kept("AS-GONE")

    result = refresh([64501])

    assert result.exit_code == 1
    assert result.lines()[0] == (
        f"AS64501 AS-GONE: failed (input error): AS-GONE was not found in the IRR at "
        f"{local_irr.address} (sources PEERKEEPER), or has no members: the previous list, "
        f"fetched {LONG_AGO:%Y-%m-%d %H:%M} UTC, is kept"
    )
    _assert_kept("AS-GONE", "AS-GONE was not found in the IRR at")


def test_an_unreachable_irr_server_keeps_the_previous_list(local_irr, settings) -> None:
    _as(64501, "AS-PEERONE")
    _kept("AS-PEERONE")
    settings.IRR_HOST = CLOSED_IRR_HOST

    result = refresh([64501])

    assert result.lines()[0] == (
        "AS64501 AS-PEERONE: failed (unreachable): the IRR server 127.0.0.1:1 is "
        f"unreachable: connection refused: the previous list, fetched "
        f"{LONG_AGO:%Y-%m-%d %H:%M} UTC, is kept"
    )
    _assert_kept("AS-PEERONE", "the IRR server 127.0.0.1:1 is unreachable: connection refused")


def test_an_irr_server_that_never_answers_keeps_the_previous_list(
    local_irr, silent_irr, settings
) -> None:
    _as(64501, "AS-PEERONE")
    _as(64503, "AS-PEERTHREE")
    _kept("AS-PEERONE")
    settings.IRR_HOST, settings.IRR_TIMEOUT = silent_irr.address, 1

    result = refresh()

    assert [r.status for r in result] == ["failed", "failed"]
    assert result.lines()[1] == (
        f"AS64503 AS-PEERTHREE: failed (timed out): the IRR server {silent_irr.address} did "
        "not answer within IRR_TIMEOUT (1 s) expanding AS-PEERTHREE: there is no previous list"
    )
    _assert_kept("AS-PEERONE", f"the IRR server {silent_irr.address} did not answer within")
    never = PrefixList.objects.get(as_set="AS-PEERTHREE")
    assert never.fetched_at is None and never.ipv4 == [] and never.failed_at is not None


def test_the_size_guard_reports_an_oversized_set_and_keeps_its_list(local_irr, settings) -> None:
    _as(64520, "AS-OVERSIZED")
    _as(64501, "AS-PEERONE")
    settings.IRR_MAX_PREFIXES = 20  # AS-OVERSIZED has 20 IPv4 entries: not more than 20
    assert refresh().ok
    before = PrefixList.objects.get(as_set="AS-OVERSIZED")

    settings.IRR_MAX_PREFIXES = 19
    result = refresh()

    assert [r.status for r in result] == ["refreshed", "failed"]  # by ASN: 64501, 64520
    assert result.lines()[1] == (
        "AS64520 AS-OVERSIZED: failed (input error): AS-OVERSIZED expands to 20 IPv4 prefixes "
        "after aggregation, more than IRR_MAX_PREFIXES (19): the previous list, fetched "
        f"{before.fetched_at:%Y-%m-%d %H:%M} UTC, is kept"
    )
    after = PrefixList.objects.get(as_set="AS-OVERSIZED")
    assert (after.ipv4, after.fetched_at) == (before.ipv4, before.fetched_at)
    assert after.error.startswith("AS-OVERSIZED expands to 20 IPv4 prefixes")


def test_a_successful_refresh_clears_the_last_error(local_irr, settings) -> None:
    _as(64501, "AS-PEERONE")
    settings.IRR_HOST = CLOSED_IRR_HOST
    assert not refresh().ok
    settings.IRR_HOST = local_irr.address

    assert refresh().ok
    row = PrefixList.objects.get()
    assert (row.error, row.failed_at) == ("", None) and row.fetched_at is not None


def _assert_kept(as_set: str, reason: str) -> None:
    row = PrefixList.objects.get(as_set=as_set)
    assert (row.ipv4, row.asns, row.fetched_at) == (KEPT, [64496], LONG_AGO)
    assert row.error.startswith(reason) and "\n" not in row.error
    assert timezone.now() - row.failed_at < timedelta(minutes=1)


def _write_queries(local_irr, count: int) -> int:
    """Queries of choosing `count` ASes and writing their results in one batch (half of
    them fail: a set not in the IRR)."""
    PrefixList.objects.all().delete()
    AutonomousSystem.objects.all().delete()
    for n in range(count):
        _as(64700 + n, "AS-PEERONE" if n == 0 else f"AS-MISSING{n}" if n % 2 else f"AS{64501}")
    for n in range(1, count, 4):
        _kept(f"AS-MISSING{n}")
    operation = Refresh()
    with CaptureQueriesContext(connection) as queries:
        targets = plans(systems_to_refresh())
    finished = [(plan, _run(operation, plan)) for plan in targets]
    with CaptureQueriesContext(connection) as writes:
        operation.write(finished)
    assert PrefixList.objects.count() == len(targets)
    return len(queries) + len(writes)


def _run(operation: Refresh, plan):
    try:
        return operation.run(plan)
    except Exception as exc:
        return operation.new_result(plan.label).fail(exc.category, str(exc))


def test_queries_do_not_grow_with_the_as_sets(local_irr) -> None:
    assert _write_queries(local_irr, 2) == _write_queries(local_irr, 12)


def test_after_an_unreachable_server_the_other_as_sets_are_not_tried(
    local_irr, settings, monkeypatch
) -> None:
    monkeypatch.setattr(refresh_module, "MAX_WORKERS", 1)  # one after the other
    _as(64501, "AS-PEERONE")
    _as(64503, "AS-PEERTHREE")
    _kept("AS-PEERTHREE")
    settings.IRR_HOST = CLOSED_IRR_HOST

    result = refresh()

    first = "the IRR server 127.0.0.1:1 is unreachable: connection refused"
    assert result.lines()[:2] == [
        f"AS64501 AS-PEERONE: failed (unreachable): {first}: there is no previous list",
        "AS64503 AS-PEERTHREE: failed (unreachable): not tried: the IRR server 127.0.0.1:1 "
        f"failed earlier in this refresh ({first}): the previous list, fetched "
        f"{LONG_AGO:%Y-%m-%d %H:%M} UTC, is kept",
    ]
    _assert_kept("AS-PEERTHREE", "not tried: the IRR server 127.0.0.1:1 failed earlier")


def test_a_silent_server_costs_one_timeout_not_one_per_as_set(
    local_irr, silent_irr, settings, monkeypatch
) -> None:
    monkeypatch.setattr(refresh_module, "MAX_WORKERS", 1)
    for n in range(4):
        _as(64501 + n, f"AS-SET{n}")
    settings.IRR_HOST, settings.IRR_TIMEOUT = silent_irr.address, 1
    started = time.monotonic()

    result = refresh()

    assert time.monotonic() - started < 2.5  # not 4 s: one timeout, three not tried
    assert [r.category for r in result] == ["timed out"] * 4
    assert [r.error.split(":")[0] for r in result][1:] == ["not tried"] * 3


def test_our_own_ases_are_refreshed_only_when_named(local_irr) -> None:
    ours = AutonomousSystem.objects.create(
        asn=64501, name="Us", irr_as_set="AS-PEERONE", affiliated=True
    )
    _as(64503, "AS-PEERTHREE")

    assert systems_to_refresh() == [AutonomousSystem.objects.get(asn=64503)]
    assert systems_to_refresh([64501]) == [ours]
    assert [r.label for r in refresh([64501])] == ["AS64501 AS-PEERONE"]


def test_each_as_keeps_its_last_list_and_a_bad_name_never_reaches_bgpq4(local_irr) -> None:
    from irr.models import KeptList

    one = _as(64501, "AS-PEERONE")
    assert refresh([64501]).exit_code == 0
    assert KeptList.objects.get(autonomous_system=one).prefix_list.as_set == "AS-PEERONE"

    # Typed before the field was checked: refused at refresh, the kept list untouched.
    AutonomousSystem.objects.filter(pk=one.pk).update(irr_as_set="-R32")
    (result,) = refresh([64501]).results
    assert (result.status, result.category) == ("failed", "input error")
    assert "'-R32' is not an IRR object name" in result.error
    assert KeptList.objects.get(autonomous_system=one).prefix_list.as_set == "AS-PEERONE"
