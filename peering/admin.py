from typing import Any

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
from peering.policy_forms import AssignmentForm, CommunityForm, RoutingPolicyForm
from peering.policy_models import Community, RoutingPolicy
from peeringdb.follow import follow_peeringdb

# The admin's filter by tag (taggit's manager lists the tags in use).
TAG_FILTER = "tags"


@admin.register(AutonomousSystem)
class AutonomousSystemAdmin(admin.ModelAdmin):
    form = AutonomousSystemForm  # the ASN typed as asplain or asdot
    list_display = ["asn", "name", "ipv4_max_prefixes", "ipv6_max_prefixes", "affiliated"]
    list_filter = ["affiliated", TAG_FILTER]
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
    form = AssignmentForm  # policies of the wrong direction refused by name
    list_display = ["name", "local_autonomous_system", "status"]
    list_filter = ["status", TAG_FILTER]
    search_fields = ["name"]
    list_select_related = ["local_autonomous_system"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    form = AssignmentForm
    list_display = ["__str__", "ipv4_address", "ipv6_address", "interface", "vrf", "status"]
    list_filter = ["internet_exchange", "router", "status", TAG_FILTER]
    search_fields = ["ipv4_address", "ipv6_address", "interface"]
    list_select_related = ["internet_exchange", "router"]


@admin.register(BGPGroup)
class BGPGroupAdmin(admin.ModelAdmin):
    form = AssignmentForm
    list_display = ["name", "status", "description"]
    list_filter = ["status", TAG_FILTER]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(DirectPeeringSession)
class DirectPeeringSessionAdmin(AutocompleteAdminMixin, admin.ModelAdmin):
    form = AssignmentForm
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
    list_filter = ["status", "bgp_state", "router", "bgp_group", TAG_FILTER]
    search_fields = ["ip_address", "autonomous_system__name", "=autonomous_system__asn"]
    list_select_related = ["autonomous_system", "router", "bgp_group"]
    readonly_fields = POLLED_FIELDS
    autocomplete_fields = ["autonomous_system"]


@admin.register(InternetExchangePeeringSession)
class InternetExchangePeeringSessionAdmin(AutocompleteAdminMixin, admin.ModelAdmin):
    form = AssignmentForm
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
    list_filter = [
        "status",
        "bgp_state",
        "is_route_server",
        "ixp_connection__internet_exchange",
        TAG_FILTER,
    ]
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


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    form = CommunityForm
    list_display = ["name", "value", "kind", "type", "description"]
    list_filter = ["kind", "type", TAG_FILTER]
    search_fields = ["name", "slug", "value", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, Any, Any, Any]:
        """As Django's, with the policies that match on a community among what protects it
        (peering.policy_models refuses that deletion)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for community in objs:
            protected.extend(
                f"{policy._meta.verbose_name.capitalize()}: {policy} (matches on {community})"
                for policy in community.matched_by_policies.all()
            )
        return deleted, counts, perms_needed, protected


@admin.register(RoutingPolicy)
class RoutingPolicyAdmin(admin.ModelAdmin):
    form = RoutingPolicyForm
    list_display = [
        "name",
        "type",
        "address_family",
        "weight",
        "local_preference",
        "as_path_prepend",
        "description",
    ]
    list_filter = ["type", "address_family", TAG_FILTER]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["match_communities", "set_communities"]
