"""configure_routers, poll_bgp_sessions and ping against the lab's rs1: a real BIRD 2,
managed over SSH with the napalm-bird driver and the shipped BIRD template."""

from __future__ import annotations

from pathlib import Path

import pytest

from configs.models import ConfigTemplate
from core.choices import BGPState
from devices.models import Platform, Router
from lab.errors import LabError
from peering.models import AutonomousSystem, DirectPeeringSession
from peering.policy_models import Community, RoutingPolicy
from peerkeeper.testing import run_command, wait_for

BIRD_TEMPLATE = Path(__file__).resolve().parents[1] / "platforms" / "bird.j2"
R1_V4, R1_V6 = "192.0.2.1", "2001:db8:1::1"
RS1_V4, RS1_V6 = "192.0.2.100", "2001:db8:1::100"
CONFIRM_S = 8
# BIRD reverts CONFIRM_S after the commit; the session then takes a few seconds to return.
REVERT_S = CONFIRM_S + 20


def _configure_r1_side(lab, rs1_asn: int) -> None:
    """r1 (FRR) gets rs1 as a neighbour, IPv4 and IPv6; the lab's reset removes it."""
    lines = [f"router bgp {lab.router('r1').asn}"]
    for address in (RS1_V4, RS1_V6):
        lines += [f"neighbor {address} remote-as {rs1_asn}", f"neighbor {address} timers connect 1"]
    for family, address in (("ipv4", RS1_V4), ("ipv6", RS1_V6)):
        lines += [f"address-family {family} unicast", f"neighbor {address} activate", "exit"]
    lab.router("r1").vtysh("configure terminal", *lines)


@pytest.fixture
def rs1(demo_inventory, clean_lab) -> Router:
    """rs1 in the inventory, with sessions to r1 over IPv4 and IPv6 (r1's side too)."""
    lab = clean_lab
    spec = lab.router("rs1")
    params = lab.napalm_params("rs1")
    ours = AutonomousSystem.objects.create(asn=spec.asn, name="Route servers", affiliated=True)
    template = ConfigTemplate.objects.create(
        name="bird-peering", template=BIRD_TEMPLATE.read_text(), trim_blocks=True,
        lstrip_blocks=True,
    )  # fmt: skip
    platform = Platform.objects.create(name="BIRD", slug="bird", napalm_driver="bird")
    router = Router.objects.create(
        name="rs1", hostname=params["hostname"], platform=platform,
        local_autonomous_system=ours, config_template=template, napalm_username="root",
        napalm_args=params["optional_args"],
    )  # fmt: skip
    r1_as = AutonomousSystem.objects.get(asn=lab.router("r1").asn)
    # r1 passes on every route of its peers: no limit below that on rs1's side
    AutonomousSystem.objects.filter(pk=r1_as.pk).update(
        ipv4_max_prefixes=None, ipv6_max_prefixes=None
    )
    for address, local in ((R1_V4, RS1_V4), (R1_V6, RS1_V6)):
        DirectPeeringSession.objects.create(
            router=router, autonomous_system=r1_as, ip_address=address, local_ip_address=local
        )
    _configure_r1_side(lab, spec.asn)
    return router


def _bird_files(lab) -> tuple[str, str]:
    paths = lab.router("rs1").paths
    return paths.bird_conf.read_text(), paths.bird_include.read_text()


def _protocols(lab) -> dict[str, str]:
    """rs1's BGP sessions: neighbour address -> BGP state."""
    return {s["neighbour"]: s["state"] for s in lab.sessions("rs1")}


def _r1_accepted(lab, family: str) -> int:
    """What r1 holds in a family, from its peers: what it sends rs1."""
    return sum(
        s["prefixes_received"]
        for s in lab.sessions("r1")
        if (":" in s["neighbour"]) == (family == "ipv6") and s["neighbour"] not in (RS1_V4, RS1_V6)
    )


def _deploy_and_wait(lab) -> None:
    status, out, err = run_command("configure_routers", "--limit", "rs1")
    assert status == 0, out + err
    assert "rs1: changed: committed" in out
    wait_for(
        lambda: _protocols(lab) == {R1_V4: "Established", R1_V6: "Established"},
        20,
        "rs1's sessions with r1 established",
    )


def test_deploy_brings_sessions_up_a_second_run_changes_nothing_and_poll_counts(rs1, lab):
    _deploy_and_wait(lab)
    before = _bird_files(lab)
    assert f"neighbor {R1_V4} as 64500;" in before[1]
    status, out, _ = run_command("configure_routers", "--limit", "rs1")
    assert status == 0
    assert "rs1: unchanged: nothing to change" in out
    assert _bird_files(lab) == before

    expected = {R1_V4: _r1_accepted(lab, "ipv4"), R1_V6: _r1_accepted(lab, "ipv6")}
    assert all(expected.values())

    def polled() -> bool:
        status, out, err = run_command("poll_bgp_sessions", "--limit", "rs1")
        assert status == 0, out + err
        sessions = {s.ip_address: s for s in DirectPeeringSession.objects.filter(router=rs1)}
        return all(
            sessions[a].bgp_state == BGPState.ESTABLISHED
            and sessions[a].received_prefix_count == count
            and sessions[a].accepted_prefix_count == count
            for a, count in expected.items()
        )

    wait_for(polled, 20, "polled states and prefix counts of rs1")
    assert DirectPeeringSession.objects.get(ip_address=R1_V4).advertised_prefix_count == 0


def test_a_commit_whose_sessions_do_not_come_back_is_reverted_by_bird(rs1, lab):
    _deploy_and_wait(lab)
    before = _bird_files(lab)
    # The wrong AS for r1: BIRD refuses r1's OPEN, the session stays down.
    wrong = AutonomousSystem.objects.create(asn=64499, name="Wrong")
    DirectPeeringSession.objects.filter(router=rs1, ip_address=R1_V4).update(
        autonomous_system=wrong
    )
    status, out, err = run_command(
        "configure_routers", "--limit", "rs1", "--commit-confirm", str(CONFIRM_S)
    )
    assert status != 0
    assert "rs1" in out + err and "did not come back" in out + err
    assert _bird_files(lab) == before  # the files never held the unconfirmed change
    wait_for(
        lambda: _protocols(lab) == {R1_V4: "Established", R1_V6: "Established"},
        REVERT_S,
        "BIRD reverted to the configuration before the commit",
    )
    assert "64499" not in lab.router("rs1").birdc("show protocols all")
    assert _bird_files(lab) == before


def test_a_configuration_bird_rejects_fails_rs1_and_changes_nothing(rs1, lab):
    _deploy_and_wait(lab)
    before = _bird_files(lab)
    protocols_before = lab.router("rs1").birdc("show protocols")
    secret = 'quote"inside'
    session = DirectPeeringSession.objects.get(router=rs1, ip_address=R1_V4)
    session.password = secret
    session.save()
    status, out, err = run_command("configure_routers", "--limit", "rs1")
    assert status != 0
    assert "rs1" in out + err and "BIRD rejected" in out + err
    assert secret not in out + err
    assert _bird_files(lab) == before
    assert lab.router("rs1").is_running()
    after = lab.router("rs1").birdc("show protocols")
    assert [line.split()[:2] for line in after.splitlines()] == [
        line.split()[:2] for line in protocols_before.splitlines()
    ]
    assert _protocols(lab) == {R1_V4: "Established", R1_V6: "Established"}


def test_ping_reaches_rs1_with_the_bird_driver(rs1, lab):
    status, out, err = run_command("ping_routers", "--limit", "rs1")
    assert status == 0, out + err
    assert "rs1" in out


def test_routing_policies_and_communities_reach_the_routes_rs1_receives(rs1, lab):
    tag = Community.objects.create(name="From r1", slug="from-r1", value="65100:64500",
                                   type="ingress")  # fmt: skip
    mark = Community.objects.create(name="Preferred", slug="preferred", value="65100:1:2")
    prefer = RoutingPolicy.objects.create(
        name="Prefer r1", slug="prefer-r1", type="import", local_preference=250
    )
    prefer.set_communities.add(mark)
    rs1.communities.add(tag)
    DirectPeeringSession.objects.get(router=rs1, ip_address=R1_V4).import_routing_policies.add(
        prefer
    )
    _deploy_and_wait(lab)
    prefix = lab.topology.router("p1").announced_in("ipv4")[0]

    def route() -> str:
        try:
            return lab.router("rs1").birdc(f"show route for {prefix} all")
        except LabError:  # birdc fails until the route is there: "Network not found"
            return ""

    wait_for(lambda: "BGP.local_pref" in route(), 20, f"rs1 has {prefix} from r1")
    shown = route()
    assert "BGP.local_pref: 250" in shown
    assert "(65100,64500)" in shown  # the router's ingress community, on import
    assert "(65100, 1, 2)" in shown  # the policy's large community
    included = lab.router("rs1").paths.bird_include.read_text()
    # The policy is written into the session's own import filter, no function of its own.
    begin = included.index("filter IMPORT_AS64500_" + R1_V4.replace(".", "_") + "\n")
    imported = included[begin : included.index("\n}\n", begin)]
    assert "  # Prefer r1\n  bgp_local_pref = 250;\n" in imported
    assert "function " not in included
