import io

from django.core.management import call_command

from configs.models import ConfigTemplate
from devices.models import Router
from peering.models import (
    AutonomousSystem,
    DirectPeeringSession,
    InternetExchangePeeringSession,
)


def _counts() -> dict[str, int]:
    models = [
        AutonomousSystem,
        Router,
        ConfigTemplate,
        DirectPeeringSession,
        InternetExchangePeeringSession,
    ]
    return {model.__name__: model.objects.count() for model in models}


def test_the_demo_inventory_matches_the_lab(db) -> None:
    call_command("load_demo", stdout=io.StringIO())
    router = Router.objects.get(name="r1")
    assert router.hostname == "198.18.0.11"
    assert router.platform.napalm_driver == "frr"
    assert router.local_autonomous_system.asn == 64500
    assert router.config_template is not None
    ixp_peers = sorted(
        InternetExchangePeeringSession.objects.values_list("autonomous_system__asn", "ip_address")
    )
    assert ixp_peers == [
        (64501, "192.0.2.11"),
        (64501, "2001:db8:1::11"),
        (64502, "192.0.2.12"),
        (64503, "192.0.2.13"),
        (64503, "2001:db8:1::13"),
    ]
    direct = DirectPeeringSession.objects.get()
    assert (direct.autonomous_system.asn, direct.ip_address, direct.bgp_group.slug) == (
        64504,
        "198.51.100.1",
        "transit",
    )
    for model in (InternetExchangePeeringSession, DirectPeeringSession):
        for session in model.objects.all():
            session.full_clean()


def test_loading_the_demo_twice_creates_nothing_more(db, capsys) -> None:
    call_command("load_demo")
    first = _counts()
    call_command("load_demo")
    assert _counts() == first
    assert "already loaded" in capsys.readouterr().out


def test_loading_the_demo_keeps_a_users_changes(db) -> None:
    call_command("load_demo", stdout=io.StringIO())
    AutonomousSystem.objects.filter(asn=64501).update(ipv4_max_prefixes=250)
    call_command("load_demo", stdout=io.StringIO())
    assert AutonomousSystem.objects.get(asn=64501).ipv4_max_prefixes == 250
