"""The IRR prefix lists' API representations (read-only: only the refresh writes them)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import BriefSerializer, ReadOnlyModelSerializer
from irr.models import KeptList, PrefixList

ENTRIES = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "prefix": {"type": "string"},
            "exact": {"type": "boolean"},
            "greater_equal": {"type": "integer"},
            "less_equal": {"type": "integer"},
        },
        "required": ["prefix", "exact"],
    },
}


@extend_schema_field(ENTRIES)
class EntriesField(serializers.JSONField):
    """Prefix-list entries as irr.models documents them."""


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class ASNListField(serializers.JSONField):
    """The origin ASNs of an AS-SET, sorted."""


class BriefPrefixListSerializer(BriefSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:irr-prefix-lists-detail")

    class Meta:
        model = PrefixList
        fields = ["id", "url", "display", "as_set"]


class PrefixListSerializer(ReadOnlyModelSerializer):
    """One AS-SET's expansion as last fetched: `fetched_at` null means it never succeeded
    (the lists are then empty, not "accept nothing"); `error` and `failed_at` say why and
    when the last refresh failed (blank and null after a success)."""

    url = serializers.HyperlinkedIdentityField(view_name="api:irr-prefix-lists-detail")
    ipv4 = EntriesField(read_only=True)
    ipv6 = EntriesField(read_only=True)
    asns = ASNListField(read_only=True)

    class Meta:
        model = PrefixList
        fields = [
            "id",
            "url",
            "display",
            "as_set",
            "ipv4",
            "ipv6",
            "asns",
            "fetched_at",
            "error",
            "failed_at",
        ]


class KeptListSerializer(ReadOnlyModelSerializer):
    """The list an AS had from its last successful refresh, kept while its AS-SET's own
    list is missing or failing."""

    url = serializers.HyperlinkedIdentityField(view_name="api:irr-kept-lists-detail")

    class Meta:
        model = KeptList
        fields = ["id", "url", "display", "autonomous_system", "prefix_list"]
