import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from devices.models import Router
from peering.models import (
    AutonomousSystem,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
)


@pytest.fixture
def inventory(db):
    ours = AutonomousSystem.objects.create(asn=64500, name="Us", affiliated=True)
    peer = AutonomousSystem.objects.create(asn=64501, name="Peer")
    router = Router.objects.create(name="r1", hostname="198.18.0.11", local_autonomous_system=ours)
    ixp = InternetExchange.objects.create(name="IX", slug="ix", local_autonomous_system=ours)
    connection = Connection.objects.create(
        internet_exchange=ixp,
        router=router,
        ipv4_address="192.0.2.1/24",
        ipv6_address="2001:db8:1::1/64",
    )
    return {"ours": ours, "peer": peer, "router": router, "connection": connection}


@pytest.mark.parametrize("asn", [1, 64500, 4_200_000_000, 4_294_967_295])
def test_asn_in_range_is_accepted(db, asn: int) -> None:
    AutonomousSystem(asn=asn, name="x").full_clean()


@pytest.mark.parametrize(
    ("asn", "message"),
    [(0, "is not an AS number"), (4_294_967_296, "is not an AS number"), (23456, "AS_TRANS")],
)
def test_asn_out_of_range_is_refused(db, asn: int, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        AutonomousSystem(asn=asn, name="x").full_clean()


def test_addresses_are_stored_normalised_and_found_by_any_spelling(inventory) -> None:
    session = InternetExchangePeeringSession(
        ixp_connection=inventory["connection"],
        autonomous_system=inventory["peer"],
        ip_address="2001:DB8:1:0:0:0:0:11",
    )
    session.full_clean()
    session.save()
    session.refresh_from_db()
    assert session.ip_address == "2001:db8:1::11"
    found = InternetExchangePeeringSession.objects.get(ip_address="2001:0db8:0001::0011")
    assert found.pk == session.pk


def test_connection_addresses_are_normalised_interfaces(inventory) -> None:
    connection = inventory["connection"]
    connection.ipv6_address = "2001:DB8:1:0::1/64"
    connection.full_clean()
    assert connection.ipv6_address == "2001:db8:1::1/64"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ipv4_address", "192.0.2.1", "with its prefix length"),
        ("ipv4_address", "2001:db8::1/64", "is not an IPv4 address"),
        ("ipv6_address", "192.0.2.1/24", "is not an IPv6 address"),
        ("ipv4_address", "192.0.2.0/24", "the subnet's own address"),
        ("ipv4_address", "192.0.2.300/24", "is not an interface address"),
    ],
)
def test_connection_addresses_are_validated(inventory, field, value, message) -> None:
    connection = inventory["connection"]
    setattr(connection, field, value)
    with pytest.raises(ValidationError, match=message):
        connection.full_clean()


def test_a_connection_needs_an_address(inventory) -> None:
    connection = inventory["connection"]
    connection.ipv4_address = connection.ipv6_address = None
    with pytest.raises(ValidationError, match="needs an IPv4 address, an IPv6 address or both"):
        connection.full_clean()


def test_a_session_address_must_be_an_address(inventory) -> None:
    session = InternetExchangePeeringSession(
        ixp_connection=inventory["connection"],
        autonomous_system=inventory["peer"],
        ip_address="192.0.2.x",
    )
    with pytest.raises(ValidationError, match="is not an IP address"):
        session.full_clean()


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("198.51.100.7", "not inside the connection's subnet 192.0.2.0/24"),
        ("2001:db8:2::7", "not inside the connection's subnet 2001:db8:1::/64"),
        ("192.0.2.1", "the router's own address"),
    ],
)
def test_an_ixp_session_must_sit_on_the_connection_subnet(inventory, address, message) -> None:
    session = InternetExchangePeeringSession(
        ixp_connection=inventory["connection"],
        autonomous_system=inventory["peer"],
        ip_address=address,
    )
    with pytest.raises(ValidationError, match=message):
        session.full_clean()


def test_an_ixp_session_needs_the_connection_to_have_its_family(inventory) -> None:
    connection = inventory["connection"]
    connection.ipv6_address = None
    connection.save()
    session = InternetExchangePeeringSession(
        ixp_connection=connection, autonomous_system=inventory["peer"], ip_address="2001:db8:1::5"
    )
    with pytest.raises(ValidationError, match="The connection has no IPv6 address"):
        session.full_clean()


@pytest.mark.parametrize(
    ("stored", "spellings"),
    [
        (
            "2001:db8:1::11",
            [
                "2001:DB8:1::11",
                "2001:0db8:0001:0:0::0011",
                "2001:db8:1:0:0:0:0:11",
                " 2001:db8:1::11 ",
            ],
        ),
        ("192.0.2.11", ["192.0.2.11", " 192.0.2.11", "192.0.2.11\n"]),
    ],
)
def test_one_session_per_address_on_a_connection(inventory, stored, spellings) -> None:
    """Every spelling of one address is that address: stored once, in one form, and a
    second session at it is refused however it is written."""
    first, *others = spellings
    fields = {"ixp_connection": inventory["connection"], "autonomous_system": inventory["peer"]}
    session = InternetExchangePeeringSession(**fields, ip_address=first)
    session.full_clean()
    assert session.ip_address == stored
    session.save()
    assert InternetExchangePeeringSession.objects.get().ip_address == stored
    for spelling in others:
        duplicate = InternetExchangePeeringSession(**fields, ip_address=spelling)
        with pytest.raises(ValidationError) as refused:
            duplicate.full_clean()
        assert refused.value.messages == [
            "IXP peering session with this Ixp connection and IP address already exists."
        ]
        with transaction.atomic(), pytest.raises(IntegrityError):
            InternetExchangePeeringSession.objects.create(**fields, ip_address=spelling)
    assert list(InternetExchangePeeringSession.objects.values_list("ip_address", flat=True)) == [
        stored
    ]


@pytest.mark.parametrize("spelling", ["192.0.2.011", "192.000.2.11", "0300.0.2.11", "3221226123"])
def test_an_ipv4_address_with_leading_zeros_or_as_a_number_is_refused(inventory, spelling) -> None:
    """192.0.2.011 is 192.0.2.9 to some tools (octal) and 192.0.2.11 to others: refused
    rather than stored as either."""
    session = InternetExchangePeeringSession(
        ixp_connection=inventory["connection"],
        autonomous_system=inventory["peer"],
        ip_address=spelling,
    )
    with pytest.raises(ValidationError) as refused:
        session.full_clean()
    assert refused.value.message_dict == {
        "ip_address": [f"“{spelling}” is not an IP address, e.g. 192.0.2.1 or 2001:db8::1."]
    }


def test_direct_session_families_must_match(inventory) -> None:
    session = DirectPeeringSession(
        router=inventory["router"],
        autonomous_system=inventory["peer"],
        ip_address="198.51.100.1",
        local_ip_address="2001:db8::1",
    )
    with pytest.raises(
        ValidationError, match="local address is IPv6 but the peer's address is IPv4"
    ):
        session.full_clean()


def test_the_same_peer_address_may_exist_on_two_routers(inventory) -> None:
    other = Router.objects.create(name="r2", hostname="198.18.0.12")
    for router in (inventory["router"], other):
        DirectPeeringSession(
            router=router, autonomous_system=inventory["peer"], ip_address="198.51.100.1"
        ).full_clean()
        DirectPeeringSession.objects.create(
            router=router, autonomous_system=inventory["peer"], ip_address="198.51.100.1"
        )
    assert DirectPeeringSession.objects.filter(ip_address="198.51.100.1").count() == 2
