"""Configuration template pages."""

from django.test import Client

from configs.models import ConfigTemplate
from core.tests.html import visible_text


def test_a_template_syntax_error_is_shown_with_its_line(make_user, db) -> None:
    client = Client()
    client.force_login(make_user("configs.add_configtemplate", username="author"))
    text = "router bgp 64500\n{% for s in sessions %}\n neighbor {{ s.ip_address }\n"
    response = client.post(
        "/configs/templates/add/", {"name": "broken", "template": text, "trim_blocks": "on"}
    )
    [error] = response.context["form"].errors["template"]
    assert error.startswith("Line 3: ")
    assert 'id="id_template_error"' in response.content.decode()
    assert not ConfigTemplate.objects.exists()

    fixed = text.replace("}\n", "}}\n") + "{% endfor %}\n"
    response = client.post("/configs/templates/add/", {"name": "fine", "template": fixed})
    template = ConfigTemplate.objects.get(name="fine")
    assert response["Location"] == f"/configs/templates/{template.pk}/"


def test_the_template_page_shows_its_text_and_routers(viewer_client, ui_inventory) -> None:
    template = ui_inventory.config_template
    text = visible_text(viewer_client.get(f"/configs/templates/{template.pk}/"))
    assert "router bgp {{ local_as.asn }}" in text
    assert "Routers using it" in text
    assert "r1 127.0.0.1 Enabled FRRouting AS64500 Us 2" in text


def test_the_template_list_searches_the_text(viewer_client, ui_inventory) -> None:
    ConfigTemplate.objects.create(name="other", template="hostname x")
    response = viewer_client.get("/configs/templates/", {"q": "local_as"})
    assert [row.record.name for row in response.context["table"].paginated_rows] == ["main"]
