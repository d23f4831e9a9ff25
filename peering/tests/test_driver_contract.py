"""What a driver returns that NAPALM's contract does not allow is the driver's failure.

NAPALM's contract (napalm/base/models.py) gives the shapes of get_bgp_neighbors and
get_bgp_neighbors_detail. A driver that returns something else (None, a list, a peer
entry of None) fails that router's read with one sentence naming the driver and the
getter: a *failed* poll, discovery or job, never an "unexpected" error of ours. A value
out of any sane range (an uptime of 1e308 seconds) is unknown, never an exception.

End to end, the drivers are NAPALM's `mock` driver, which returns the JSON it is given.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any

import pytest

from core.choices import BGPState, JobStatus
from core.job_runner import run
from core.jobs import enqueue
from core.models import Job
from devices.models import Platform, Router
from devices.napalm import DriverFailed
from peering.models import (
    AutonomousSystem,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peering.neighbors import from_detail, from_summary, read_neighbors
from peering.polling import poll_routers
from peerkeeper.testing import detail_peer, mock_router, run_command, summary, summary_peer


class _Device:
    """Stands for a connection whose getters return what they are given."""

    def __init__(self, detail: Any = None, summary: Any = None) -> None:
        self.detail, self.summary = detail, summary

    def get_bgp_neighbors_detail(self) -> Any:
        return self.detail

    def get_bgp_neighbors(self) -> Any:
        return self.summary


# --- the contract's containers: the whole read fails, saying what came back ---------------


@pytest.mark.parametrize(
    ("returned", "sentence"),
    [
        (
            None,
            "returned None from get_bgp_neighbors_detail on r1 where NAPALM's contract "
            "has a dictionary of VRFs.",
        ),
        ([], "returned [] from get_bgp_neighbors_detail on r1"),
        ("% Invalid input", "returned '% Invalid input' from get_bgp_neighbors_detail"),
        (
            {"global": None},
            "returned None for VRF global from get_bgp_neighbors_detail on r1 "
            "where NAPALM's contract has a dictionary of peer ASes.",
        ),
        (
            {"global": {"64501": None}},
            "returned None for AS 64501 in VRF global from "
            "get_bgp_neighbors_detail on r1 where NAPALM's contract has a list of neighbours.",
        ),
        (
            {"global": {"64501": [None]}},
            "returned None as a neighbour for AS 64501 in VRF "
            "global from get_bgp_neighbors_detail on r1 where NAPALM's contract has a "
            "dictionary of its details.",
        ),
        ({"global": {"64501": [detail_peer(), 7]}}, "returned 7 as a neighbour for AS 64501"),
        (
            {"global": {"64501": [detail_peer(remote_address=None)]}},
            "returned None as a neighbour's remote_address for AS 64501 in VRF global",
        ),
        ({"global": {"64501": [{"up": True}]}}, "returned None as a neighbour's remote_address"),
    ],
)
def test_a_detailed_getter_s_output_out_of_shape_fails_the_read(returned, sentence) -> None:
    with pytest.raises(DriverFailed) as failure:
        read_neighbors(_Device(detail=returned), True, "frr", "r1")
    assert str(failure.value).startswith("The frr driver returned ")
    assert sentence in str(failure.value)
    assert failure.value.category == "driver error"


@pytest.mark.parametrize(
    ("returned", "sentence"),
    [
        (
            None,
            "returned None from get_bgp_neighbors on r1 where NAPALM's contract has a "
            "dictionary of VRFs.",
        ),
        (
            {"global": ["192.0.2.11"]},
            "returned ['192.0.2.11'] for VRF global from "
            "get_bgp_neighbors on r1 where NAPALM's contract has a dictionary with router_id "
            "and peers.",
        ),
        (summary(None), "returned None as the peers of VRF global from get_bgp_neighbors"),
        (
            summary({"192.0.2.11": None}),
            "returned None for neighbour 192.0.2.11 in VRF "
            "global from get_bgp_neighbors on r1 where NAPALM's contract has a dictionary of "
            "its state.",
        ),
        (
            summary({"192.0.2.11": summary_peer(), "192.0.2.12": "up"}),
            "returned 'up' for neighbour 192.0.2.12",
        ),
    ],
)
def test_a_summary_getter_s_output_out_of_shape_fails_the_read(returned, sentence) -> None:
    with pytest.raises(DriverFailed, match="^The frr driver ") as failure:
        read_neighbors(_Device(summary=returned), False, "frr", "r1")
    assert sentence in str(failure.value)


def test_without_a_driver_name_the_sentence_says_the_driver() -> None:
    with pytest.raises(DriverFailed) as failure:
        from_summary(None)
    assert str(failure.value) == (
        "The driver returned None from get_bgp_neighbors where NAPALM's contract has a "
        "dictionary of VRFs."
    )


def test_a_long_value_is_cut_short_in_the_sentence() -> None:
    with pytest.raises(DriverFailed) as failure:
        from_detail(["x" * 10_000], "frr", "r1")
    assert len(str(failure.value)) < 200


# --- values: out of shape or range is unknown, never an exception -------------------------


@pytest.mark.parametrize(
    "uptime", [1e15, 1e308, math.inf, -math.inf, math.nan, -1, -0.5, 10**30, "7200", None, True]
)
def test_an_uptime_out_of_range_is_unknown(uptime) -> None:
    [neighbor] = from_summary(summary({"192.0.2.11": summary_peer(uptime=uptime)}))
    assert neighbor.state == BGPState.ESTABLISHED
    assert neighbor.uptime is None


@pytest.mark.parametrize("uptime", [0, 7200, 7200.5, 99 * 365 * 24 * 3600])
def test_an_uptime_in_range_is_kept(uptime) -> None:
    [neighbor] = from_summary(summary({"192.0.2.11": summary_peer(uptime=uptime)}))
    assert neighbor.uptime == float(uptime)


@pytest.mark.parametrize("count", [-1, math.nan, math.inf, 1e300, 2**40, "5", None, False])
def test_a_prefix_count_out_of_range_is_unknown(count) -> None:
    families = {"ipv4": {"received_prefixes": count, "accepted_prefixes": 4, "sent_prefixes": 1}}
    [read] = from_summary(summary({"192.0.2.11": summary_peer(address_family=families)}))
    [detail] = from_detail({"global": {"64501": [detail_peer(received_prefix_count=count)]}})
    for neighbor in (read, detail):
        assert (neighbor.received, neighbor.accepted, neighbor.advertised) == (None, 4, 1)


@pytest.mark.parametrize("families", [None, [], "ipv4", {"ipv4": None}])
def test_address_families_out_of_shape_are_unknown_counts(families) -> None:
    [neighbor] = from_summary(summary({"192.0.2.11": summary_peer(address_family=families)}))
    assert (neighbor.received, neighbor.accepted, neighbor.advertised) == (None, None, None)
    assert neighbor.state == BGPState.ESTABLISHED


@pytest.mark.parametrize("is_up", ["false", 1, None])
def test_an_is_up_that_is_no_boolean_is_an_unknown_state(is_up) -> None:
    [neighbor] = from_summary(summary({"192.0.2.11": summary_peer(is_up=is_up)}))
    assert (neighbor.state, neighbor.uptime) == (None, None)


@pytest.mark.parametrize(
    ("state", "up", "expected"),
    [(6, True, BGPState.ESTABLISHED), (None, "yes", None), (["Active"], False, None)],
)
def test_a_state_that_is_not_text_falls_back_on_up_or_is_unknown(state, up, expected) -> None:
    entry = detail_peer(connection_state=state, up=up)
    [neighbor] = from_detail({"global": {"64501": [entry]}})
    assert neighbor.state == expected


def test_a_vrf_that_is_not_text_is_named_by_its_text() -> None:
    [neighbor] = from_detail({7: {"64501": [detail_peer()]}})
    assert neighbor.vrf == "7"


# --- one neighbour that cannot be an inventory session: skipped, and said in the log ------


def test_a_neighbour_named_by_an_interface_is_skipped_and_logged(caplog) -> None:
    caplog.set_level(logging.INFO, logger="peering.neighbors")
    peers = summary({"swp1": summary_peer(), "192.0.2.11": summary_peer()})
    detail = {"global": {"64501": [detail_peer(remote_address="swp1"), detail_peer()]}}
    assert [n.address for n in from_summary(peers, "frr", "r1")] == ["192.0.2.11"]
    assert [n.address for n in from_detail(detail, "frr", "r1")] == ["192.0.2.11"]
    assert [r.getMessage() for r in caplog.records if r.name == "peering.neighbors"] == [
        f"the frr driver on r1: skipped neighbour swp1 from {getter}: not an IP address"
        for getter in ("get_bgp_neighbors", "get_bgp_neighbors_detail")
    ]
    assert all(r.levelno == logging.INFO for r in caplog.records if r.name == "peering.neighbors")


def test_a_vrf_without_peers_has_no_neighbours() -> None:
    assert from_summary({"global": {"router_id": "192.0.2.1"}}) == []


# --- end to end: polls, discovery and jobs -------------------------------------------------


@pytest.fixture
def mocked(db, tmp_path: Path):
    """r1 behind NAPALM's mock driver, with one session to 192.0.2.11, established before;
    `answer(getter, data)` sets what a getter returns."""
    router = mock_router(tmp_path, {}, name="r1", template=None)
    peer = AutonomousSystem.objects.create(asn=64501, name="Peer")
    DirectPeeringSession.objects.create(
        router=router,
        autonomous_system=peer,
        ip_address="192.0.2.11",
        bgp_state=BGPState.ESTABLISHED,
        configured_on_router=True,
    )

    def answer(getter: str, data: Any) -> None:
        (tmp_path / f"{getter}.1").write_text(json.dumps(data))

    return Router.objects.select_related("platform").get(pk=router.pk), answer


def _poll(router: Router, detail: bool):
    Platform.objects.update(poll_with_detail=detail)
    [result] = poll_routers([Router.objects.select_related("platform").get(pk=router.pk)])
    return result


@pytest.mark.parametrize(
    ("getter", "returned", "sentence"),
    [
        (
            "get_bgp_neighbors_detail",
            [],
            "The mock driver returned [] from "
            "get_bgp_neighbors_detail on r1 where NAPALM's contract has a dictionary of VRFs.",
        ),
        (
            "get_bgp_neighbors_detail",
            {"global": {"64501": [None]}},
            "The mock driver returned "
            "None as a neighbour for AS 64501 in VRF global from get_bgp_neighbors_detail on r1",
        ),
        (
            "get_bgp_neighbors",
            summary({"192.0.2.11": None}),
            "The mock driver returned None "
            "for neighbour 192.0.2.11 in VRF global from get_bgp_neighbors on r1",
        ),
    ],
)
def test_a_poll_of_a_driver_out_of_contract_fails_and_keeps_the_known_state(
    mocked, getter, returned, sentence
) -> None:
    router, answer = mocked
    answer(getter, returned)
    result = _poll(router, detail=getter == "get_bgp_neighbors_detail")
    assert not result.ok
    assert result.category == "driver error"
    assert result.error.startswith(sentence)
    assert "unexpected" not in result.error
    # Not "not configured on the router": the state read before stays, shown as stale.
    session = DirectPeeringSession.objects.get()
    assert (session.bgp_state, session.configured_on_router) == (BGPState.ESTABLISHED, True)
    assert Router.objects.get(pk=router.pk).last_poll_error == result.error

    job = enqueue("poll", target=router)
    run(str(job.pk))
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.FAILED, job.error
    assert job.error.startswith(sentence)


@pytest.mark.parametrize("uptime", [1e15, 1e308])
def test_an_absurd_uptime_is_unknown_and_the_poll_goes_on(mocked, uptime) -> None:
    router, answer = mocked
    DirectPeeringSession.objects.update(bgp_state=BGPState.IDLE)
    answer("get_bgp_neighbors", summary({"192.0.2.11": summary_peer(uptime=uptime)}))
    result = _poll(router, detail=False)
    assert result.ok, result.error
    session = DirectPeeringSession.objects.get()
    assert session.bgp_state == BGPState.ESTABLISHED
    assert session.received_prefix_count == 5
    # The uptime is unknown: the session is dated by the poll that saw it come up.
    assert session.last_established_state == session.last_polled_at


@pytest.mark.parametrize("uptime", [1e15, 1e308])
def test_an_absurd_uptime_from_the_uptime_read_is_unknown(mocked, uptime) -> None:
    router, answer = mocked
    DirectPeeringSession.objects.update(bgp_state=BGPState.IDLE)
    answer("get_bgp_neighbors_detail", {"global": {"64501": [detail_peer()]}})
    answer("get_bgp_neighbors", summary({"192.0.2.11": summary_peer(uptime=uptime)}))
    result = _poll(router, detail=True)
    assert result.ok, result.error
    session = DirectPeeringSession.objects.get()
    assert session.last_established_state == session.last_polled_at


def test_an_uptime_read_out_of_contract_dates_the_session_by_the_poll(mocked, caplog) -> None:
    router, answer = mocked
    DirectPeeringSession.objects.update(bgp_state=BGPState.IDLE)
    answer("get_bgp_neighbors_detail", {"global": {"64501": [detail_peer()]}})
    answer("get_bgp_neighbors", summary({"192.0.2.11": None}))
    result = _poll(router, detail=True)
    assert result.ok, result.error
    session = DirectPeeringSession.objects.get()
    assert session.bgp_state == BGPState.ESTABLISHED
    assert session.last_established_state == session.last_polled_at
    [warning] = [r.getMessage() for r in caplog.records if r.name == "peering.polling"]
    assert warning.startswith(
        "polling r1: no session uptimes from get_bgp_neighbors (The mock driver returned None "
        "for neighbour 192.0.2.11"
    )


def test_discovery_of_a_driver_out_of_contract_fails_the_connection(mocked) -> None:
    router, answer = mocked
    answer("get_bgp_neighbors", summary({"192.0.2.12": summary_peer(), "192.0.2.13": None}))
    ixp = InternetExchange.objects.create(
        name="IX", slug="ix", local_autonomous_system=router.local_autonomous_system
    )
    Connection.objects.create(internet_exchange=ixp, router=router, ipv4_address="192.0.2.1/24")
    status, out, err = run_command("discover_ixp_sessions", "ix")
    assert status == 1
    assert (
        "IX on r1: failed (driver error): "
        "The mock driver returned None for neighbour 192.0.2.13 in VRF "
        "global from get_bgp_neighbors on r1 where NAPALM's contract has a dictionary of its "
        "state." in out.splitlines()
    )
    assert "unexpected" not in out + err
    assert not InternetExchangePeeringSession.objects.exists()

    job = enqueue("discover", target=ixp)
    run(str(job.pk))
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.FAILED, job.error
    assert job.error.startswith("IX on r1: The mock driver returned None for neighbour")
