"""Configuration template pages: list, detail, add, edit and delete
(core/tests/model_views.py)."""

from typing import Any

from configs.models import ConfigTemplate
from core.tests.model_views import ModelPageCases


class TestConfigTemplatePages(ModelPageCases):
    model = ConfigTemplate
    invalid_changes = {"template": "{% for s in sessions %}\n{{ s.ip_address }\n"}

    def make(self) -> ConfigTemplate:
        return ConfigTemplate.objects.create(name="other", template="hostname x\n")

    def form_data(self) -> dict[str, Any]:
        return {
            "name": "peers",
            "template": "{% for s in sessions %}\nneighbor {{ s.ip_address }}\n{% endfor %}\n",
            "trim_blocks": "on",
            "description": "BGP neighbours",
        }
