from django import forms
from django.contrib import admin

from core.forms import MaskedOptionsFormMixin
from devices.models import Platform, Router
from peering.policy_forms import AssignmentForm


class MaskedOptionsAdminForm(MaskedOptionsFormMixin, forms.ModelForm):
    """The admin's form of a platform: NAPALM arguments' credentials masked."""


class RouterAdminForm(MaskedOptionsFormMixin, AssignmentForm):
    """The admin's form of a router: NAPALM arguments' credentials masked, policies of the
    wrong direction refused by name."""


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    form = MaskedOptionsAdminForm
    list_display = ["name", "napalm_driver", "poll_with_detail", "description"]
    search_fields = ["name", "napalm_driver"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Router)
class RouterAdmin(admin.ModelAdmin):
    form = RouterAdminForm
    list_display = [
        "name",
        "hostname",
        "platform",
        "status",
        "local_autonomous_system",
        "config_template",
        "poll_bgp_sessions_state",
        "last_polled_at",
    ]
    list_filter = ["status", "platform", "poll_bgp_sessions_state", "tags"]
    search_fields = ["name", "hostname", "description"]
    list_select_related = ["platform", "local_autonomous_system", "config_template"]
    readonly_fields = ["last_polled_at", "last_poll_error"]
    fieldsets = [
        (None, {"fields": ["name", "hostname", "platform", "status", "description"]}),
        ("Peering", {"fields": ["local_autonomous_system", "config_template"]}),
        (
            "Policies and tags",
            {
                "fields": [
                    "import_routing_policies",
                    "export_routing_policies",
                    "communities",
                    "tags",
                ]
            },
        ),
        (
            "NAPALM",
            {"fields": ["napalm_username", "napalm_password", "napalm_timeout", "napalm_args"]},
        ),
        (
            "Polling",
            {"fields": ["poll_bgp_sessions_state", "last_polled_at", "last_poll_error"]},
        ),
    ]
