from django import forms

from core.forms import MaskedOptionsFormMixin
from devices.models import Platform, Router
from peering.policy_forms import ASSIGNMENT_FIELDS, AssignmentForm


class PlatformForm(MaskedOptionsFormMixin, forms.ModelForm):
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
        labels = {"napalm_driver": "NAPALM driver", "napalm_args": "NAPALM arguments"}


class RouterForm(MaskedOptionsFormMixin, AssignmentForm):
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
            *ASSIGNMENT_FIELDS,
        ]
        labels = {
            "local_autonomous_system": "Local AS",
            "config_template": "Configuration template",
            "poll_bgp_sessions_state": "Poll BGP sessions",
            "napalm_username": "NAPALM username",
            "napalm_password": "NAPALM password",
            "napalm_timeout": "NAPALM timeout",
            "napalm_args": "NAPALM arguments",
        }
