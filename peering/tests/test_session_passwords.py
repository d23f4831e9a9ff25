"""Session passwords are what a router takes as a TCP-MD5 key, or a form error."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from peering.models import DirectPeeringSession, InternetExchangePeeringSession


@pytest.fixture
def editor_client(make_user) -> Client:
    client = Client()
    client.force_login(
        make_user("peering.change_directpeeringsession",
                  "peering.change_internetexchangepeeringsession", username="editor")
    )  # fmt: skip
    return client


def _form(session: DirectPeeringSession | InternetExchangePeeringSession, password: str) -> dict:
    data = {
        "autonomous_system": session.autonomous_system_id,
        "ip_address": session.ip_address,
        "status": session.status,
        "password": password,
    }
    if isinstance(session, DirectPeeringSession):
        return data | {"router": session.router_id, "bgp_group": session.bgp_group_id or ""}
    return data | {"ixp_connection": session.ixp_connection_id}


def _sessions() -> list[DirectPeeringSession | InternetExchangePeeringSession]:
    return [DirectPeeringSession.objects.get(), InternetExchangePeeringSession.objects.get()]


def _url(session: DirectPeeringSession | InternetExchangePeeringSession) -> str:
    kind = "direct" if isinstance(session, DirectPeeringSession) else "ixp"
    return f"/peering/{kind}-sessions/{session.pk}/edit/"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("p" * 200_000, "at most 80 characters (the TCP-MD5 limit); this one has 200000"),
        ("p" * 81, "at most 80 characters (the TCP-MD5 limit); this one has 81"),
        ("secret\nrouter bgp 1", "printable ASCII"),
        ("contraseña", "printable ASCII"),
    ],
    ids=["200000 characters", "81 characters", "a newline", "not ASCII"],
)
def test_a_password_no_router_accepts_is_refused_beside_the_field(
    editor_client, ui_inventory, password: str, message: str
) -> None:
    for session in _sessions():
        stored = session.password
        response = editor_client.post(_url(session), _form(session, password))
        assert response.status_code == 200
        assert list(response.context["form"].errors) == ["password"]
        assert message in response.context["form"].errors["password"][0]
        assert 'id="id_password_error"' in response.content.decode()
        session.refresh_from_db()
        assert session.password == stored


def test_a_password_of_80_printable_characters_is_stored(editor_client, ui_inventory) -> None:
    password = "Ab1 !~" + "x" * 74
    for session in _sessions():
        response = editor_client.post(_url(session), _form(session, password))
        assert response.status_code == 302
        session.refresh_from_db()
        assert session.password.reveal() == password


def test_the_model_checks_the_plaintext_whoever_sets_it(ui_inventory) -> None:
    for session in _sessions():
        session.password = "p" * 200_000
        with pytest.raises(ValidationError) as caught:
            session.full_clean()
        assert list(caught.value.message_dict) == ["password"]
        session.password = "p" * 80
        session.full_clean()
