"""How a connection finds its PeeringDB IX LAN, and an exchange its IX: chosen, else by
subnet; how each was found is said; many connections cost what one does."""

from __future__ import annotations

import pytest

from core.tests.builders import internet_exchange, router
from peering.models import Connection, InternetExchange
from peeringdb.links import (
    NOT_LINKED,
    connection_ixlan,
    connection_ixlans,
    ixp_ix,
    peeringdb_asns,
)
from peeringdb.tests.factories import demo_exchange, demo_ixlan, ix, ixlan, netixlan, network


def _connection(exchange: InternetExchange, name: str, **fields) -> Connection:
    return Connection.objects.create(internet_exchange=exchange, router=router(name), **fields)


@pytest.fixture
def demo(db) -> Connection:
    """r1's connection to the demo's Demo IX, and the lab's Demo IX in the mirror."""
    demo_ixlan()
    return demo_exchange().connections.get()


def test_a_connection_is_matched_by_its_ipv4_subnet(demo) -> None:
    link = connection_ixlan(demo)
    assert link.ixlan.pk == 1
    assert link.how == "matched by subnet 192.0.2.0/24"
    assert str(link) == "Demo IX: IX LAN 1 (matched by subnet 192.0.2.0/24)"


def test_an_ipv6_only_connection_is_matched_by_its_ipv6_subnet_however_written(demo) -> None:
    v6 = _connection(
        demo.internet_exchange, "r2", ipv6_address="2001:0DB8:0001:0000:0000:0000:0000:0002/64"
    )
    link = connection_ixlan(v6)
    assert (link.ixlan.pk, link.how) == (1, "matched by subnet 2001:db8:1::/64")


def test_the_chosen_ix_lan_wins_over_the_subnet(demo) -> None:
    other = ixlan(ix("Other IX"), "198.51.100.0/24")
    demo.peeringdb_ixlan = other
    demo.save()
    link = connection_ixlan(demo)
    assert (link.ixlan, link.how, link.label) == (other, "chosen", f"Other IX: {other}")


def test_a_connection_whose_subnet_no_ix_lan_has_is_not_linked(demo) -> None:
    elsewhere = _connection(demo.internet_exchange, "r2", ipv4_address="203.0.113.1/24")
    link = connection_ixlan(elsewhere)
    assert not link.linked
    assert str(link) == NOT_LINKED == "not linked: choose its IX LAN on the connection"


def test_subnets_of_two_ix_lans_take_the_ipv4_ones_and_say_so(demo) -> None:
    other = ixlan(ix("Other IX"), "2001:db8:2::/64")
    split = _connection(
        demo.internet_exchange,
        "r2",
        ipv4_address="192.0.2.2/24",
        ipv6_address="2001:db8:2::2/64",
    )
    link = connection_ixlan(split)
    assert link.ixlan.pk == 1
    assert (
        link.how
        == f"matched by subnet 192.0.2.0/24; its subnet 2001:db8:2::/64 is a prefix of {other}"
    )


def test_many_connections_cost_what_one_does(demo, django_assert_num_queries) -> None:
    exchange = demo.internet_exchange
    lans = [ixlan(ix(f"IX {n}"), f"198.51.100.{n * 8}/29") for n in range(10)]
    many = [demo]
    for n, lan in enumerate(lans):
        many.append(_connection(exchange, f"m{n}", ipv4_address=f"198.51.100.{n * 8 + 1}/29"))
        many.append(
            _connection(exchange, f"c{n}", ipv4_address="203.0.113.1/24", peeringdb_ixlan=lan)
        )
    with django_assert_num_queries(2):  # the prefixes, the IX LANs with their IX's name
        links = connection_ixlans(many)
    assert [links[c.pk].ixlan.pk for c in many[1::2]] == [lan.pk for lan in lans]
    assert {links[c.pk].how for c in many[2::2]} == {"chosen"}
    assert links[demo.pk].how == "matched by subnet 192.0.2.0/24"


def test_the_exchange_takes_the_ix_of_its_connections_ix_lans(demo) -> None:
    exchange = demo.internet_exchange
    link = ixp_ix(exchange, connection_ixlans([demo]).values())
    assert (str(link.ix), link.how) == ("Demo IX", "from its connections' IX LANs")


def test_the_chosen_ix_wins(demo) -> None:
    exchange = demo.internet_exchange
    exchange.peeringdb_ix = chosen = ix("Chosen IX")
    exchange.save()
    link = ixp_ix(exchange, connection_ixlans([demo]).values())
    assert (link.ix, str(link)) == (chosen, "Chosen IX (chosen)")


def test_connections_on_two_ixes_link_the_exchange_to_neither(demo) -> None:
    ixlan(ix("Other IX"), "198.51.100.0/24")
    other = _connection(demo.internet_exchange, "r2", ipv4_address="198.51.100.1/24")
    link = ixp_ix(demo.internet_exchange, connection_ixlans([demo, other]).values())
    assert not link.linked
    assert (
        link.how == "not linked: its connections' IX LANs are of several IXes (Demo IX, Other IX)"
    )


def test_an_exchange_without_linked_connections_is_not_linked(db) -> None:
    exchange = internet_exchange()
    link = ixp_ix(exchange, [])
    assert str(link) == "not linked: choose its IX, or an IX LAN on a connection"


def test_peeringdb_names_who_is_at_an_address(demo, django_assert_num_queries) -> None:
    netixlan(ixlan(ix("Other IX"), "198.51.100.0/24"), network(64599), "192.0.2.99")
    with django_assert_num_queries(3):
        found = peeringdb_asns(demo, {"192.0.2.12", "2001:db8:1::13", "192.0.2.99", "192.0.2.77"})
    # 192.0.2.99 is AS64599's, but on another IX LAN.
    assert found == {"192.0.2.12": 64502, "2001:db8:1::13": 64503}
