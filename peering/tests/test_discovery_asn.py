"""Discovery reads the peer's AS in whatever form the router's driver reports it.

The lab's FRR always reports integers, so these neighbours come from NAPALM's `mock`
driver, which returns the JSON it is given: the forms other drivers produce.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devices.models import Platform, Router
from peering.models import (
    AutonomousSystem,
    Connection,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peerkeeper.testing import run_command, summary_peer


@pytest.fixture
def mocked_ixp(db, tmp_path: Path) -> InternetExchange:
    """An IXP whose one router reports its neighbours' ASes as strings, asdot and worse."""
    neighbors = {
        "global": {
            "router_id": "192.0.2.1",
            "peers": {
                "192.0.2.11": summary_peer(remote_as="64499"),
                "192.0.2.12": summary_peer(remote_as="1.10"),
                "192.0.2.13": summary_peer(remote_as="AS64502"),
                "192.0.2.14": summary_peer(remote_as="1.70000"),
                "192.0.2.15": summary_peer(remote_as="4294967296"),
                "192.0.2.16": summary_peer(remote_as=0),
            },
        }
    }
    (tmp_path / "get_bgp_neighbors.1").write_text(json.dumps(neighbors))
    ours = AutonomousSystem.objects.create(asn=64500, name="Us", affiliated=True)
    platform = Platform.objects.create(name="Mock", slug="mock", napalm_driver="mock")
    router = Router.objects.create(
        name="r1", hostname="127.0.0.1", platform=platform, napalm_args={"path": str(tmp_path)}
    )
    ixp = InternetExchange.objects.create(
        name="Demo IX", slug="demo-ix", local_autonomous_system=ours
    )
    Connection.objects.create(internet_exchange=ixp, router=router, ipv4_address="192.0.2.1/24")
    return ixp


def test_string_and_asdot_ases_create_their_sessions(mocked_ixp) -> None:
    status, out, _ = run_command("discover_ixp_sessions", "demo-ix")
    assert status == 0, out
    assert "Demo IX on r1: 3 created, 0 already known, 3 ignored" in out
    created = sorted(
        InternetExchangePeeringSession.objects.values_list("ip_address", "autonomous_system__asn")
    )
    assert created == [("192.0.2.11", 64499), ("192.0.2.12", 65546), ("192.0.2.13", 64502)]
    assert AutonomousSystem.objects.get(asn=65546).name == "AS65546"
    for line in [
        "ignored 192.0.2.14: the router reported an unusable peer AS ('1.70000' is not an "
        "asdot AS number: each half is 0 to 65535)",
        "ignored 192.0.2.15: the router reported an unusable peer AS ('4294967296' is out of "
        "range: AS numbers are 1 to 4294967295)",
        "ignored 192.0.2.16: the router did not report the peer's AS",
    ]:
        assert line in out
