"""BGP community values: parsing, validation and their canonical text.

Three kinds, each with its own text form:

- standard (RFC 1997): ``ASN:value``, two 16-bit numbers, e.g. ``64500:100``;
- extended (RFC 4360, two-octet-AS / four-octet-AS / IPv4-address specific, RFC 5668):
  ``rt:ASN:value`` or ``soo:ASN:value`` (``target:`` and ``origin:`` are accepted and
  written ``rt:`` / ``soo:``), where the global part is a 16-bit ASN with a 32-bit value, a
  32-bit ASN with a 16-bit value, or an IPv4 address with a 16-bit value;
- large (RFC 8092): ``ASN:value1:value2``, three 32-bit numbers, e.g. ``64500:1:2``.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models

U16 = 0xFFFF
U32 = 0xFFFFFFFF

_EXTENDED_TYPES = {"rt": "rt", "target": "rt", "soo": "soo", "origin": "soo"}
_NUMBER = re.compile(r"^\d{1,10}$")


class CommunityKind(models.TextChoices):
    STANDARD = "standard", "Standard"
    EXTENDED = "extended", "Extended"
    LARGE = "large", "Large"


@dataclass(frozen=True)
class CommunityValue:
    """A parsed community: its kind and its canonical text (as stored and rendered)."""

    kind: str
    text: str


FORMS = (
    "a standard community ASN:value (64500:100), an extended one rt:ASN:value or "
    "soo:ASN:value (rt:64500:100), or a large one ASN:value:value (64500:1:2)"
)


def _number(part: str, limit: int, what: str, value: str) -> int:
    if not _NUMBER.match(part) or int(part) > limit:
        raise ValidationError(f"{value!r}: {what} must be a number from 0 to {limit}.")
    return int(part)


def parse_community(value: str) -> CommunityValue:
    """Parse `value` (surrounding spaces and case ignored) into its kind and canonical text.

    Raises ValidationError naming the value and what is wrong with it.
    """
    text = value.strip().lower()
    parts = text.split(":")
    if parts[0] in _EXTENDED_TYPES:
        if len(parts) != 3:
            raise ValidationError(f"{value!r} is not {FORMS}.")
        kind, admin, assigned = _EXTENDED_TYPES[parts[0]], parts[1], parts[2]
        if "." in admin:
            try:
                ipaddress.IPv4Address(admin)
            except ValueError:
                raise ValidationError(
                    f"{value!r}: {admin!r} is neither an ASN nor an IPv4 address."
                ) from None
            number = _number(assigned, U16, "the value after an IPv4 address", value)
        else:
            asn = _number(admin, U32, "the ASN", value)
            limit = U32 if asn <= U16 else U16
            number = _number(assigned, limit, "the value after this ASN", value)
            admin = str(asn)
        return CommunityValue(CommunityKind.EXTENDED, f"{kind}:{admin}:{number}")
    if len(parts) == 2:
        numbers = [_number(part, U16, "each half", value) for part in parts]
        return CommunityValue(CommunityKind.STANDARD, ":".join(map(str, numbers)))
    if len(parts) == 3:
        numbers = [_number(part, U32, "each part", value) for part in parts]
        return CommunityValue(CommunityKind.LARGE, ":".join(map(str, numbers)))
    raise ValidationError(f"{value!r} is not {FORMS}.")


def validate_community(value: str) -> None:
    """Model/form validator: raises ValidationError unless `value` parses."""
    parse_community(value)
