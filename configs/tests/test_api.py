"""The API's configuration templates: CRUD, the Jinja2 check, filters, permissions."""

from __future__ import annotations

import pytest

from configs.models import ConfigTemplate
from core.tests import builders
from core.tests.api import assert_bad, check_model_permissions, ids

TEMPLATES = "/api/configs/templates/"


def test_template_round_trip(api, db) -> None:
    body = {"name": "edge", "template": "hostname {{ router.name }}\n", "trim_blocks": False}
    response = api.post(TEMPLATES, body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["trim_blocks"] is False and created["lstrip_blocks"] is True
    assert api.get(created["url"]).json() == created
    response = api.put(created["url"], {**created, "template": "{% if x %}y{% endif %}"})
    assert response.status_code == 200, response.content
    response = api.patch(created["url"], {"description": "edge routers"})
    assert response.json()["description"] == "edge routers"
    assert ConfigTemplate.objects.get(name="edge").template == "{% if x %}y{% endif %}"
    assert api.delete(created["url"]).status_code == 204
    assert not ConfigTemplate.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"template": "{% if x %}"}, "template"),
        ({"template": "{{ " + "(" * 5000 + " }}"}, "template"),
        ({"template": "a\x00b"}, "template"),
        ({"template": ["a"]}, "template"),
        ({"name": ""}, "name"),
        ({"name": "n" * 101}, "name"),
        ({"trim_blocks": "no"}, "trim_blocks"),
    ],
)
def test_bad_templates_are_400(api, db, change, field) -> None:
    assert_bad(api.post(TEMPLATES, {"name": "t", "template": "x", **change}), field)
    template = builders.config_template()
    assert_bad(api.patch(f"{TEMPLATES}{template.pk}/", change), field)


def test_syntax_errors_name_the_line(api, db) -> None:
    response = api.post(TEMPLATES, {"name": "t", "template": "ok\n{% for %}"})
    assert response.json()["template"][0].startswith("Line 2:")


def test_deleting_a_template_in_use_leaves_the_router_without_one(api, db) -> None:
    router = builders.router("r1")
    assert api.delete(f"{TEMPLATES}{router.config_template_id}/").status_code == 204
    router.refresh_from_db()
    assert router.config_template is None


def test_filters_and_permissions(api, db) -> None:
    main = builders.config_template("main")
    other = ConfigTemplate.objects.create(name="bird", template="protocol bgp {}")
    assert ids(api.get(TEMPLATES, {"q": "protocol bgp"})) == [other.pk]
    assert ids(api.get(TEMPLATES)) == [other.pk, main.pk]
    check_model_permissions(TEMPLATES, ConfigTemplate, {"name": "new", "template": "x"})
