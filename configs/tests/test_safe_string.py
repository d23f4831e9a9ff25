"""Peers' names reach router descriptions readable: accents transliterated, not dropped."""

import pytest

from configs.rendering import render_router_config
from peering.models import AutonomousSystem

DESCRIPTIONS = (
    "{% for s in sessions %}description {{ s.autonomous_system.name | safe_string }}\n{% endfor %}"
)


@pytest.mark.parametrize(
    ("name", "description"),
    [
        ("TELEFÓNICA DE ESPAÑA", "TELEFONICA DE ESPANA"),
        ("Zürich Fiber AG", "Zurich Fiber AG"),
        ("Ørsted «Net» \u2013 Česko", "Orsted Net - Cesko"),  # an en dash
        ("Ελληνικά Δίκτυα", "Ellinika Diktya"),
        ('Peer; rm -rf /\n"x"', "Peer rm -rf / x"),
    ],
)
def test_a_peer_name_becomes_an_ascii_description(make_inventory, name, description) -> None:
    router = make_inventory(ixp_sessions=1, direct_sessions=0, template=DESCRIPTIONS)
    AutonomousSystem.objects.filter(affiliated=False).update(name=name)
    assert render_router_config(router) == f"description {description}\n"
