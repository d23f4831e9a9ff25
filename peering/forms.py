from django import forms

from core.forms import ASNFormField
from peering.models import (
    AutonomousSystem,
    BGPGroup,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
)


class AutonomousSystemForm(forms.ModelForm):
    # Typed as asplain or asdot (RFC 5396), stored as the integer.
    asn = ASNFormField(label="ASN")

    class Meta:
        model = AutonomousSystem
        fields = [
            "asn",
            "name",
            "ipv4_max_prefixes",
            "ipv6_max_prefixes",
            "irr_as_set",
            "affiliated",
            "description",
        ]


class InternetExchangeForm(forms.ModelForm):
    class Meta:
        model = InternetExchange
        fields = ["name", "slug", "local_autonomous_system", "status", "description"]
        labels = {"local_autonomous_system": "Local AS"}


class ConnectionForm(forms.ModelForm):
    class Meta:
        model = Connection
        fields = [
            "internet_exchange",
            "router",
            "ipv4_address",
            "ipv6_address",
            "interface",
            "vrf",
            "status",
            "description",
        ]


class BGPGroupForm(forms.ModelForm):
    class Meta:
        model = BGPGroup
        fields = ["name", "slug", "status", "description"]


class DirectPeeringSessionForm(forms.ModelForm):
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
        ]
        labels = {
            "bgp_group": "BGP group",
            "autonomous_system": "Peer AS",
            "local_autonomous_system": "Local AS",
        }


class InternetExchangePeeringSessionForm(forms.ModelForm):
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
