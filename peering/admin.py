from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from core.admin import AutocompleteAdminMixin
from peering.forms import AutonomousSystemForm
from peering.models import (
    POLLED_FIELDS,
    AutonomousSystem,
    BGPGroup,
    BGPSessionStateChange,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peeringdb.follow import follow_peeringdb


@admin.register(AutonomousSystem)
class AutonomousSystemAdmin(admin.ModelAdmin):
    form = AutonomousSystemForm  # the ASN typed as asplain or asdot
    list_display = ["asn", "name", "ipv4_max_prefixes", "ipv6_max_prefixes", "affiliated"]
    list_filter = ["affiliated"]
    search_fields = ["=asn", "name", "irr_as_set"]

    def save_model(self, request: HttpRequest, obj: AutonomousSystem, form, change: bool) -> None:
        """Saved as the pages save it: the fields that follow PeeringDB take its values."""
        super().save_model(request, obj, form, change)
        followed = follow_peeringdb(timezone.now(), [obj])
        if followed:
            taken = "; ".join(str(change) for change in followed)
            self.message_user(request, f"From PeeringDB (fields not kept local): {taken}.")


@admin.register(InternetExchange)
class InternetExchangeAdmin(admin.ModelAdmin):
    list_display = ["name", "local_autonomous_system", "status"]
    list_filter = ["status"]
    search_fields = ["name"]
    list_select_related = ["local_autonomous_system"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "ipv4_address", "ipv6_address", "interface", "vrf", "status"]
    list_filter = ["internet_exchange", "router", "status"]
    search_fields = ["ipv4_address", "ipv6_address", "interface"]
    list_select_related = ["internet_exchange", "router"]


@admin.register(BGPGroup)
class BGPGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "description"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(DirectPeeringSession)
class DirectPeeringSessionAdmin(AutocompleteAdminMixin, admin.ModelAdmin):
    list_display = [
        "ip_address",
        "autonomous_system",
        "router",
        "bgp_group",
        "status",
        "bgp_state",
        "received_prefix_count",
        "last_polled_at",
    ]
    list_filter = ["status", "bgp_state", "router", "bgp_group"]
    search_fields = ["ip_address", "autonomous_system__name", "=autonomous_system__asn"]
    list_select_related = ["autonomous_system", "router", "bgp_group"]
    readonly_fields = POLLED_FIELDS
    autocomplete_fields = ["autonomous_system"]


@admin.register(InternetExchangePeeringSession)
class InternetExchangePeeringSessionAdmin(AutocompleteAdminMixin, admin.ModelAdmin):
    list_display = [
        "ip_address",
        "autonomous_system",
        "ixp_connection",
        "is_route_server",
        "status",
        "bgp_state",
        "received_prefix_count",
        "last_polled_at",
    ]
    list_filter = ["status", "bgp_state", "is_route_server", "ixp_connection__internet_exchange"]
    search_fields = ["ip_address", "autonomous_system__name", "=autonomous_system__asn"]
    list_select_related = [
        "autonomous_system",
        "ixp_connection__internet_exchange",
        "ixp_connection__router",
    ]
    readonly_fields = POLLED_FIELDS
    autocomplete_fields = ["autonomous_system"]


@admin.register(BGPSessionStateChange)
class BGPSessionStateChangeAdmin(admin.ModelAdmin):
    list_display = ["at", "session", "from_state", "to_state"]
    list_filter = ["to_state"]
    list_select_related = [
        "direct_session__autonomous_system",
        "direct_session__router",
        "ixp_session__autonomous_system",
        "ixp_session__ixp_connection__internet_exchange",
        "ixp_session__ixp_connection__router",
    ]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
