"""Fields the apps' API bodies share."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import JSONTypesMixin
from core.validators import ASN_MAX, ASN_MIN, ASNTextError, asn_from_text

# Integers a database here stores and compares: signed 64-bit.
DATABASE_INTEGER = 2**63


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "minimum": ASN_MIN, "maximum": ASN_MAX},
            {"type": "string", "example": "AS64501"},
        ]
    }
)
class ASNField(serializers.Field):
    """An AS number in a body: 64501, or as the commands take it ("64501", "AS64501",
    asdot "1.10"). Whether the number is an AS number (0, AS_TRANS...) is for the service
    that uses it to say (core.validators.validate_asn); one past 64 bits is refused here."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int | str):
            raise serializers.ValidationError(f"{data!r} is not an AS number.")
        if isinstance(data, int):
            # Past 64 bits no database can even look the number up: refused here; the
            # service says why a smaller one is no AS number.
            if not -DATABASE_INTEGER <= data < DATABASE_INTEGER:
                shown = str(data) if len(str(data)) <= 40 else str(data)[:39] + "…"
                raise serializers.ValidationError(
                    f"{shown} is out of range: AS numbers are {ASN_MIN} to {ASN_MAX}."
                )
            return data
        try:
            return asn_from_text(data)
        except ASNTextError as exc:
            shown = data if len(data) <= 40 else data[:39] + "…"
            raise serializers.ValidationError(f"{shown!r} {exc}.") from None

    def to_representation(self, value: int) -> int:
        return value


class StrictSerializer(JSONTypesMixin, serializers.Serializer):
    """A body serializer that refuses fields it does not know (400 naming them), so that a
    misspelt option is never silently ignored, and values of the wrong JSON type
    (JSONTypesMixin)."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(f"Unknown field: {', '.join(unknown)}.")
        return super().validate(attrs)
