"""Validators for values a network engineer types into the inventory."""

import re
from typing import Any

from django.core.exceptions import ValidationError

ASN_MIN, ASN_MAX = 1, 4_294_967_295
AS_TRANS = 23456

# What napalm.get_network_driver() accepts: a plain name (napalm.<name>, napalm_<name> or
# custom_napalm.<name> is then tried), or an explicit napalm./custom_napalm. module path.
_DRIVER_NAME = re.compile(r"^((custom_)?napalm\.)?[a-z][a-z0-9_-]*$")
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$",
    re.I,
)


def validate_asn(value: int) -> None:
    if not ASN_MIN <= value <= ASN_MAX:
        raise ValidationError(f"{value} is not an AS number: use 1 to {ASN_MAX}.", code="asn_range")
    if value == AS_TRANS:
        raise ValidationError(
            f"{AS_TRANS} is AS_TRANS, a placeholder for 4-byte AS numbers, not a real AS.",
            code="as_trans",
        )


def validate_napalm_driver(value: str) -> None:
    if not _DRIVER_NAME.match(value):
        raise ValidationError(
            f"“{value}” is not a NAPALM driver name: use lower-case letters, digits and "
            "underscores, e.g. junos, eos, iosxr, frr.",
            code="driver_name",
        )


def validate_json_object(value: Any) -> None:
    if not isinstance(value, dict):
        raise ValidationError(
            'Enter a JSON object, e.g. {"port": 2222}, not a list or a single value.',
            code="not_object",
        )


def validate_hostname_or_address(value: str) -> None:
    import ipaddress

    try:
        ipaddress.ip_address(value)
        return
    except ValueError:
        pass
    if not _HOSTNAME.match(value):
        raise ValidationError(
            f"“{value}” is neither an IP address nor a valid DNS name.", code="hostname"
        )
