"""The five shipped templates apply a session's policies alike (docs/templates.md, "Shipped
templates"): the sets of a policy follow the direction it is used in, prepending uses the
session's local AS, which the session runs as, a session's own communities are added
after its policies have matched, EOS sequence numbers stay unique, Junos writes a 4-byte
AS in an extended community with L, and FRR shuts a disabled session down."""

from __future__ import annotations

import re

import pytest

from configs.rendering import render_router
from configs.tests.platform_checks import CHECKERS
from configs.tests.platform_inventory import fixture_router, use_template
from peering.models import (
    AutonomousSystem,
    Community,
    DirectPeeringSession,
    InternetExchangePeeringSession,
    RoutingPolicy,
)

PLATFORMS = ["bird", "eos", "frr", "iosxr", "junos"]
OTHER_AS = 65010  # the transit session's local AS, not the router's (64500)

# Where a session's policy for one direction is written, per platform: its first line and
# what ends it.
BLOCKS = {
    "frr": ("no route-map PEER-{frr}-{DIR}\n", "\nno route-map |\nrouter bgp "),
    "eos": ("no route-map PEER-{dash}-{DIR}\n", "\nno route-map |\nrouter bgp "),
    "bird": ("filter {BIRD}_AS{asn}_{sym}\n", "\n}\n"),
    "iosxr": ("route-policy PEER-{dash}-{DIR}\n", "\nend-policy"),
    "junos": ("policy-statement PEER-{dash}-{DIR} {{\n", "\n    }\n"),
}
LOCAL_PREFERENCE = {
    "frr": "set local-preference 150",
    "eos": "set local-preference 150",
    "bird": "bgp_local_pref = 150;",
    "iosxr": "set local-preference 150",
    "junos": "local-preference 150;",
}
PREPEND = {
    "frr": f"set as-path prepend {OTHER_AS} {OTHER_AS} {OTHER_AS}",
    "eos": f"set as-path prepend {OTHER_AS} {OTHER_AS} {OTHER_AS}",
    "bird": f"  bgp_path.prepend({OTHER_AS});\n" * 3,
    "iosxr": f"prepend as-path {OTHER_AS} 3",
    "junos": f'as-path-prepend "{OTHER_AS} {OTHER_AS} {OTHER_AS}";',
}
LOCAL_AS_LINE = {
    "frr": f" neighbor 198.51.100.1 local-as {OTHER_AS} no-prepend replace-as\n",
    "eos": f"   neighbor 198.51.100.1 local-as {OTHER_AS} no-prepend replace-as\n",
    "bird": f"  local 198.51.100.0 as {OTHER_AS};\n",
    "iosxr": f"  local-as {OTHER_AS} no-prepend replace-as\n",
    "junos": f"local-as {OTHER_AS} private no-prepend-global-as;\n",
}


def block(text: str, platform: str, address: str, asn: int, direction: str) -> str:
    start, end = BLOCKS[platform]
    first = start.format(
        frr=address.replace(".", "_").replace(":", "_"),
        dash=address.replace(".", "-").replace(":", "-"),
        DIR=direction.upper(),
        BIRD="IMPORT" if direction == "in" else "EXPORT",
        asn=asn,
        sym=address.upper().replace(".", "_").replace(":", "_"),
    )
    begin = text.index(first)
    found = re.search(end, text[begin + len(first) :])
    return text[begin : begin + len(first) + (found.start() if found else len(text))]


def _community(slug: str, value: str, type_: str = "") -> Community:
    return Community.objects.create(name=slug.title(), slug=slug, value=value, type=type_)


def inventory() -> None:
    """The fixture inventory (platform_inventory.fixture_router), and:
    - `both-ways`, import-export with local preference 150, prepend 3 and a community,
      used on import by 192.0.2.11 and on export by the transit session 198.51.100.1;
    - the transit session runs as AS65010, not the router's AS64500;
    - 192.0.2.12 imports with `only-from-ixp`, which matches 64500:100, the very
      community the IXP tags every route received with, and exports with `many-match`,
      which matches on 12 communities, one a 4-byte AS route target."""
    both = RoutingPolicy.objects.create(
        name="Both ways", slug="both-ways", type="import-export", local_preference=150
    )
    both.as_path_prepend = 3
    both.save()
    both.set_communities.set([_community("both-set", "64500:777")])
    InternetExchangePeeringSession.objects.get(ip_address="192.0.2.11").import_routing_policies.set(
        [both]
    )
    transit = DirectPeeringSession.objects.get(ip_address="198.51.100.1")
    transit.export_routing_policies.set([both])
    transit.local_autonomous_system = AutonomousSystem.objects.create(
        asn=OTHER_AS, name="Peerkeeper Other", affiliated=True
    )
    transit.save()

    only = RoutingPolicy.objects.create(name="Only from IXP", slug="only-from-ixp", type="import")
    only.match_communities.set([Community.objects.get(slug="from-ixp")])
    many = RoutingPolicy.objects.create(name="Many match", slug="many-match", type="export")
    many.match_communities.set(
        [_community(f"m-{n:02}", f"64500:{900 + n}") for n in range(1, 12)]
        + [_community("rt-4byte", "rt:4200000000:100")]
    )
    rs = InternetExchangePeeringSession.objects.get(ip_address="192.0.2.12")
    rs.import_routing_policies.set([only])
    rs.export_routing_policies.set([many])


@pytest.fixture
def rendered(db) -> dict[str, str]:
    router = fixture_router()
    inventory()
    texts = {}
    for platform in PLATFORMS:
        texts[platform] = render_router(use_template(router, platform)).text
        assert CHECKERS[platform](texts[platform]) == [], platform
    return texts


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_import_export_policy_sets_only_what_belongs_to_its_direction(
    rendered: dict[str, str], platform: str
) -> None:
    text = rendered[platform]
    on_import = block(text, platform, "192.0.2.11", 64501, "in")
    assert LOCAL_PREFERENCE[platform] in on_import
    assert "prepend" not in on_import
    on_export = block(text, platform, "198.51.100.1", 64504, "out")
    assert PREPEND[platform] in on_export
    assert "local-pref" not in on_export
    for side in (on_import, on_export):  # its community is set either way
        assert "64500:777" in side or "BOTH-SET" in side or "(64500,777)" in side


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_session_runs_as_its_local_as_and_prepends_it(
    rendered: dict[str, str], platform: str
) -> None:
    text = rendered[platform]
    assert LOCAL_AS_LINE[platform] in text
    assert text.count(str(OTHER_AS)) >= 2  # the session's line and its prepend
    # A session of the router's own AS gets no such line.
    assert "local-as 64500" not in text and "as 64500;\n  neighbor 198.51.100.1" not in text
    # The router's AS is prepended where the session's local AS is the router's.
    assert "64500" in block(text, platform, "192.0.2.11", 64501, "out")


def test_a_policy_matching_the_sessions_own_community_sees_the_route_as_received(
    rendered: dict[str, str],
) -> None:
    """192.0.2.12 tags every route it receives with 64500:100 (FROM-IXP) and imports with
    a policy that matches 64500:100: the tag is added only once the policy has matched,
    so a route without the community is refused."""
    frr = block(rendered["frr"], "frr", "192.0.2.12", 64502, "in")
    entry, deny, tagging = (frr + "\n").split("exit\n")[:3]
    assert " match community FROM-IXP\n on-match goto 65000\n" in entry
    assert "64500:100" not in entry
    assert deny.startswith("route-map PEER-192_0_2_12-IN deny 64999")
    assert (
        tagging == "route-map PEER-192_0_2_12-IN permit 65000\n set community 64500:100 additive\n"
    )

    # EOS: the entry's matches are tried on the route as received, its sets applied after.
    eos = block(rendered["eos"], "eos", "192.0.2.12", 64502, "in")
    assert eos.count("route-map PEER-192-0-2-12-IN permit") == 1
    assert "   match community FROM-IXP\n" in eos
    assert "   set community 64500:100 additive" in eos

    bird = block(rendered["bird"], "bird", "192.0.2.12", 64502, "in")
    assert bird.index("if (64500,100) ~ bgp_community then {") < bird.index(
        "bgp_community.add((64500,100));"
    )
    assert bird.endswith("    accept;\n  }\n  reject;")

    iosxr = block(rendered["iosxr"], "iosxr", "192.0.2.12", 64502, "in")
    lines = [line.strip() for line in iosxr.splitlines() if not line.strip().startswith("#")]
    matched = lines.index("if community matches-any FROM-IXP then")
    assert not any(line.startswith("set ") for line in lines[:matched])
    assert lines[matched + 1 :] == ["set community FROM-IXP additive", "done", "endif", "drop"]

    junos = rendered["junos"]
    assert "ADD-" not in junos  # no policy adds the session's communities before the match
    assert "import [ PEER-192-0-2-12-IN ];" in junos
    statement = block(junos, "junos", "192.0.2.12", 64502, "in")
    assert (
        "        term only-from-ixp {\n"
        "            from community [ FROM-IXP ];\n"
        "            then {\n"
        "                community add FROM-IXP;\n"
        "                accept;\n"
        "            }\n"
        "        }\n"
        "        then reject;"
    ) in statement


def test_eos_entries_of_a_policy_matching_twelve_communities_have_unique_sequence_numbers(
    rendered: dict[str, str],
) -> None:
    text = block(rendered["eos"], "eos", "192.0.2.12", 64502, "out")
    numbers = [
        int(n) for n in re.findall(r"^route-map PEER-192-0-2-12-OUT permit (\d+)$", text, re.M)
    ]
    assert len(numbers) == 12
    assert numbers == sorted(set(numbers))
    assert all(number < 65536 for number in numbers)


def test_junos_writes_a_4_byte_as_route_target_with_l(rendered: dict[str, str]) -> None:
    text = rendered["junos"]
    assert "members target:4200000000L:100;\n" in text
    assert "members target:64500:100;\n" in text  # a 2-byte AS: as it is
    assert "members origin:192.0.2.1:7;\n" in text  # an IPv4 address: as it is
    assert CHECKERS["junos"](text.replace("4200000000L", "4200000000"))


def test_frr_shuts_a_disabled_session_down_and_keeps_the_others_up(
    rendered: dict[str, str],
) -> None:
    text = rendered["frr"]
    disabled = [line for line in text.splitlines() if "192.0.2.13" in line]
    assert disabled == [
        " neighbor 192.0.2.13 remote-as 64502",
        " neighbor 192.0.2.13 description Peer Zwei Zurich",
        " neighbor 192.0.2.13 timers connect 1",
        " neighbor 192.0.2.13 shutdown",
    ]
    for address in ("192.0.2.11", "192.0.2.12", "2001:db8:1::11", "198.51.100.1"):
        assert f" no neighbor {address} shutdown\n" in text


def test_every_policy_a_neighbour_names_is_defined(rendered: dict[str, str]) -> None:
    """The per-session objects exist for every session that names them (a disabled
    session names none)."""
    junos = rendered["junos"]
    named = {
        name
        for chain in re.findall(r"^ *(?:import|export) \[ (.*) \];$", junos, re.M)
        for name in chain.split()
    }
    defined = set(re.findall(r"^ *policy-statement (\S+) \{$", junos, re.M))
    assert named and named <= defined
    assert "PEER-192-0-2-13" not in junos
    iosxr = rendered["iosxr"]
    named = set(re.findall(r"^ *route-policy (\S+) (?:in|out)$", iosxr, re.M))
    assert named and named <= set(re.findall(r"^route-policy (\S+)$", iosxr, re.M))
    frr = rendered["frr"]
    named = set(re.findall(r"route-map (\S+) (?:in|out)$", frr, re.M))
    assert named and named <= set(re.findall(r"^route-map (\S+) (?:permit|deny)", frr, re.M))
