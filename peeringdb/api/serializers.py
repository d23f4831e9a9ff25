"""The local PeeringDB copy, read-only, in PeeringDB's own field names: references to
other PeeringDB objects are their ids (`ix_id`, `ixlan_id`, `net_id`), as in PeeringDB's
API, because the copy keeps them without a constraint (the object may be absent)."""

from rest_framework import serializers

from core.api.serializers import BriefSerializer, ReadOnlyModelSerializer
from peeringdb.models import IX, IXLan, IXLanPrefix, Network, NetworkIXLan

COMMON = ["id", "display", "created", "updated", "status"]


class BriefIXSerializer(BriefSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:peeringdb-ixes-detail")

    class Meta:
        model = IX
        fields = ["id", "url", "display", "name"]


class BriefIXLanSerializer(BriefSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:peeringdb-ixlans-detail")

    class Meta:
        model = IXLan
        fields = ["id", "url", "display", "name"]


class NetworkSerializer(ReadOnlyModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:peeringdb-networks-detail")

    class Meta:
        model = Network
        fields = [
            "url",
            *COMMON,
            "asn",
            "name",
            "aka",
            "website",
            "irr_as_set",
            "info_type",
            "info_prefixes4",
            "info_prefixes6",
            "policy_general",
            "policy_url",
        ]


class IXSerializer(ReadOnlyModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:peeringdb-ixes-detail")

    class Meta:
        model = IX
        fields = ["url", *COMMON, "name", "name_long", "city", "country", "website"]


class IXLanSerializer(ReadOnlyModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:peeringdb-ixlans-detail")
    ix_id = serializers.IntegerField(read_only=True, help_text="PeeringDB IX id.")

    class Meta:
        model = IXLan
        fields = ["url", *COMMON, "ix_id", "name", "descr", "mtu", "rs_asn"]


class IXLanPrefixSerializer(ReadOnlyModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:peeringdb-ixlan-prefixes-detail")
    ixlan_id = serializers.IntegerField(read_only=True, help_text="PeeringDB IX LAN id.")

    class Meta:
        model = IXLanPrefix
        fields = ["url", *COMMON, "ixlan_id", "protocol", "prefix"]


class NetworkIXLanSerializer(ReadOnlyModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:peeringdb-netixlans-detail")
    net_id = serializers.IntegerField(read_only=True, help_text="PeeringDB network id.")
    ixlan_id = serializers.IntegerField(read_only=True, help_text="PeeringDB IX LAN id.")

    class Meta:
        model = NetworkIXLan
        fields = [
            "url",
            *COMMON,
            "net_id",
            "ix_id",
            "ixlan_id",
            "asn",
            "ipaddr4",
            "ipaddr6",
            "is_rs_peer",
            "speed",
            "operational",
        ]
