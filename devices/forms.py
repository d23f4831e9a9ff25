import json
from typing import Any

from django import forms
from django.forms.fields import InvalidJSONInput

from devices.models import Platform, Router

JSON_BOX = forms.Textarea(attrs={"rows": 4})


class IndentedJSONField(forms.JSONField):
    """Driver options shown one a line, so that a long path is easy to edit."""

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, InvalidJSONInput):
            return value
        return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, cls=self.encoder)


class PlatformForm(forms.ModelForm):
    class Meta:
        model = Platform
        fields = [
            "name",
            "slug",
            "napalm_driver",
            "napalm_args",
            "poll_with_detail",
            "description",
        ]
        widgets = {"napalm_args": JSON_BOX}
        field_classes = {"napalm_args": IndentedJSONField}
        labels = {"napalm_driver": "NAPALM driver", "napalm_args": "NAPALM arguments"}


class RouterForm(forms.ModelForm):
    class Meta:
        model = Router
        fields = [
            "name",
            "hostname",
            "platform",
            "status",
            "local_autonomous_system",
            "config_template",
            "poll_bgp_sessions_state",
            "napalm_username",
            "napalm_password",
            "napalm_timeout",
            "napalm_args",
            "description",
        ]
        widgets = {"napalm_args": JSON_BOX}
        field_classes = {"napalm_args": IndentedJSONField}
        labels = {
            "local_autonomous_system": "Local AS",
            "config_template": "Configuration template",
            "poll_bgp_sessions_state": "Poll BGP sessions",
            "napalm_username": "NAPALM username",
            "napalm_password": "NAPALM password",
            "napalm_timeout": "NAPALM timeout",
            "napalm_args": "NAPALM arguments",
        }
