from django import forms
from django.utils import timezone
from django.utils.text import capfirst

from core.forms import ASNFormField
from peering.models import (
    PEERINGDB_FIELDS,
    AutonomousSystem,
    BGPGroup,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peering.policy_forms import ASSIGNMENT_FIELDS, AssignmentForm
from peeringdb.follow import follow_peeringdb, kept_local
from peeringdb.forms import (
    IXChoiceField,
    IXLanChoiceField,
    check_connection,
    check_exchange_ix,
)


class AutonomousSystemForm(AssignmentForm):
    """An AS. A field that follows PeeringDB (peeringdb.follow) and is given a value other
    than PeeringDB's is kept local, so that the next synchronisation does not undo the
    edit; a field no longer kept local takes PeeringDB's value when saved."""

    # Typed as asplain or asdot (RFC 5396), stored as the integer.
    asn = ASNFormField(label="ASN")
    # What saving took from PeeringDB (peeringdb.follow.FieldChange), for the page to say.
    followed: list = []
    local_fields = forms.MultipleChoiceField(
        label="Kept local",
        choices=[
            (name, f"{capfirst(AutonomousSystem._meta.get_field(name).verbose_name)} kept local")
            for name in PEERINGDB_FIELDS
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="These fields keep the value set here; the others follow PeeringDB. "
        "A value changed here that differs from PeeringDB's is kept local.",
    )

    class Meta:
        model = AutonomousSystem
        fields = [
            "asn",
            "name",
            "ipv4_max_prefixes",
            "ipv6_max_prefixes",
            "irr_as_set",
            "peering_policy",
            "local_fields",
            "affiliated",
            "description",
            *ASSIGNMENT_FIELDS,
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        local = kept_local(
            cleaned.get("asn"), cleaned, self.changed_data, cleaned.get("local_fields")
        )
        if local is not None:
            cleaned["local_fields"] = local
        return cleaned

    def save(self, commit: bool = True) -> AutonomousSystem:
        system = super().save(commit)
        if commit:
            self.followed = follow_peeringdb(timezone.now(), [system])
        return system


class InternetExchangeForm(AssignmentForm):
    peeringdb_ix = IXChoiceField()

    class Meta:
        model = InternetExchange
        fields = [
            "name",
            "slug",
            "local_autonomous_system",
            "status",
            "peeringdb_ix",
            "description",
            *ASSIGNMENT_FIELDS,
        ]
        labels = {"local_autonomous_system": "Local AS"}

    def clean(self) -> dict:
        cleaned = super().clean()
        check_exchange_ix(self)  # the IX of its connections' IX LANs, when they have one
        return cleaned


class ConnectionForm(AssignmentForm):
    peeringdb_ixlan = IXLanChoiceField()

    class Meta:
        model = Connection
        fields = [
            "internet_exchange",
            "router",
            "ipv4_address",
            "ipv6_address",
            "peeringdb_ixlan",
            "interface",
            "vrf",
            "status",
            "description",
            *ASSIGNMENT_FIELDS,
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        # An IX LAN whose prefixes hold its subnets, of the IX its exchange is linked to.
        check_connection(self)
        return cleaned


class BGPGroupForm(AssignmentForm):
    class Meta:
        model = BGPGroup
        fields = ["name", "slug", "status", "description", *ASSIGNMENT_FIELDS]


class DirectPeeringSessionForm(AssignmentForm):
    class Meta:
        model = DirectPeeringSession
        fields = [
            "router",
            "bgp_group",
            "autonomous_system",
            "local_autonomous_system",
            "ip_address",
            "local_ip_address",
            "vrf",
            "status",
            "password",
            "multihop_ttl",
            "description",
            *ASSIGNMENT_FIELDS,
        ]
        labels = {
            "bgp_group": "BGP group",
            "autonomous_system": "Peer AS",
            "local_autonomous_system": "Local AS",
        }


class InternetExchangePeeringSessionForm(AssignmentForm):
    class Meta:
        model = InternetExchangePeeringSession
        fields = [
            "ixp_connection",
            "autonomous_system",
            "ip_address",
            "is_route_server",
            "status",
            "password",
            "multihop_ttl",
            "description",
            *ASSIGNMENT_FIELDS,
        ]
        labels = {
            "ixp_connection": "Connection",
            "autonomous_system": "Peer AS",
            "is_route_server": "Route server",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A connection's name is "<IXP> on <router>": fetch both with the choices.
        connections = self.fields["ixp_connection"]
        connections.queryset = connections.queryset.select_related("internet_exchange", "router")
