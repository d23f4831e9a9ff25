"""The AS form takes an AS number as network engineers write it: asplain (64500) or asdot
(1.10, RFC 5396), and stores the integer. What is not an AS number says why."""

from __future__ import annotations

import pytest
from django.test import Client

from peering.forms import AutonomousSystemForm
from peering.models import AutonomousSystem


def _form(asn: str, instance: AutonomousSystem | None = None) -> AutonomousSystemForm:
    return AutonomousSystemForm(data={"asn": asn, "name": "Peer"}, instance=instance)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("64500", 64500),
        (" 64500 ", 64500),
        ("1.10", 65546),  # 1 * 65536 + 10
        ("0.64500", 64500),  # asdot+ writes small numbers with a zero high half
        ("65535.65535", 4_294_967_295),
        ("4294967295", 4_294_967_295),
        ("AS64500", 64500),
        ("as1.10", 65546),
    ],
)
def test_asplain_and_asdot_are_stored_as_the_integer(db, typed: str, stored: int) -> None:
    form = _form(typed)
    assert form.is_valid(), form.errors
    assert form.save().asn == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("4294967296", "4294967296 is not an AS number: use 1 to 4294967295."),
        ("0", "0 is not an AS number: use 1 to 4294967295."),
        ("0.0", "0 is not an AS number: use 1 to 4294967295."),
        ("9" * 40, f"“{'9' * 40}” is not an AS number: use 1 to 4294967295."),
        ("9" * 5000, "is not an AS number: use 1 to 4294967295."),
        ("1.65536", "“1.65536” is not an asdot AS number: each half is 0 to 65535."),
        ("65536.0", "“65536.0” is not an asdot AS number: each half is 0 to 65535."),
        ("1.2.3", "“1.2.3” is not an AS number: write it as a whole number (asplain, 64500) "),
        ("-1", "“-1” is not an AS number"),
        ("64500x", "“64500x” is not an AS number"),
        ("1,10", "“1,10” is not an AS number"),
        ("23456", "23456 is AS_TRANS"),
        ("0.23456", "23456 is AS_TRANS"),
        ("", "This field is required."),
    ],
)
def test_what_is_not_an_as_number_is_an_error_saying_why(db, typed: str, message: str) -> None:
    form = _form(typed)
    assert not form.is_valid()
    [error] = form.errors["asn"]
    assert message in error
    assert len(error) < 200


def test_an_as_typed_in_asdot_is_the_same_as_in_asplain(db) -> None:
    AutonomousSystem.objects.create(asn=65546, name="Existing")
    form = _form("1.10")
    assert not form.is_valid()
    assert form.errors["asn"] == ["Autonomous system with this ASN already exists."]


def test_an_unchanged_as_is_not_a_change(db) -> None:
    existing = AutonomousSystem.objects.create(asn=65546, name="Peer")
    assert "asn" not in _form("1.10", instance=existing).changed_data
    assert "asn" not in _form("65546", instance=existing).changed_data
    assert "asn" in _form("1.11", instance=existing).changed_data


def test_the_page_takes_asdot_and_shows_its_errors(make_user) -> None:
    client = Client()
    client.force_login(make_user("peering.add_autonomoussystem", username="editor"))
    page = client.get("/peering/autonomous-systems/add/").content.decode()
    # A text box: a browser's number box would refuse asdot before it is sent.
    assert 'type="text" name="asn"' in page
    response = client.post("/peering/autonomous-systems/add/", {"asn": "1.10", "name": "Dot"})
    created = AutonomousSystem.objects.get(name="Dot")
    assert created.asn == 65546
    assert response["Location"] == f"/peering/autonomous-systems/{created.pk}/"
    response = client.post("/peering/autonomous-systems/add/", {"asn": "1.70000", "name": "X"})
    assert response.context["form"].errors["asn"] == [
        "“1.70000” is not an asdot AS number: each half is 0 to 65535."
    ]


def test_the_admin_takes_asdot_too(admin_client) -> None:
    response = admin_client.post(
        "/admin/peering/autonomoussystem/add/", {"asn": "1.10", "name": "Asdot Networks"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AutonomousSystem.objects.get(name="Asdot Networks").asn == 65546
