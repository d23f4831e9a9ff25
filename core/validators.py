"""Validators for values a network engineer types into the inventory."""

import ipaddress
import math
import re
from typing import Any

from django.core.exceptions import ValidationError

ASN_MIN, ASN_MAX = 1, 4_294_967_295
AS_TRANS = 23456
# "64499", "AS64499", "as 64499", asdot "1.10" (RFC 5396); surrounding blanks allowed.
_ASN_TEXT = re.compile(r"(?:AS\s*)?(?P<high>[0-9]+)(?:\.(?P<low>[0-9]+))?", re.IGNORECASE)
ASDOT_HALF_MAX = 65535
# Digits of the largest AS number (4294967295), leading zeros aside.
_ASN_DIGITS = len(str(ASN_MAX))

# What napalm.get_network_driver() accepts: a plain name (napalm.<name>, napalm_<name> or
# custom_napalm.<name> is then tried), or an explicit napalm./custom_napalm. module path.
_DRIVER_NAME = re.compile(r"^((custom_)?napalm\.)?[a-z][a-z0-9_-]*$")

HOSTNAME_MAX_LENGTH = 253
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", re.I)
# A last label a resolver reads as a number: decimal, or 0x hexadecimal.
_NUMBER = re.compile(r"^([0-9]+|0x[0-9a-f]*)$", re.I)
# The text programs write where a value is missing or is not a number.
_PLACEHOLDERS = frozenset({"none", "null", "nil", "undefined", "nan", "inf", "infinity"})

# TCP-MD5 keys (RFC 2385) are at most 80 bytes on Linux (TCP_MD5SIG_MAXKEYLEN), which FRR
# and BIRD use, and vendors' CLIs take no more.
BGP_PASSWORD_MAX_LENGTH = 80
_PRINTABLE_ASCII = re.compile(r"^[\x20-\x7e]*$")
# Long enough for any passphrase or token a password manager generates.
NAPALM_PASSWORD_MAX_LENGTH = 1024


def validate_asn(value: int) -> None:
    if not ASN_MIN <= value <= ASN_MAX:
        raise ValidationError(f"{value} is not an AS number: use 1 to {ASN_MAX}.", code="asn_range")
    if value == AS_TRANS:
        raise ValidationError(
            f"{AS_TRANS} is AS_TRANS, a placeholder for 4-byte AS numbers, not a real AS.",
            code="as_trans",
        )


class ASNTextError(ValueError):
    """Text that is not an AS number. The message goes after the text in a sentence
    ("is not an AS number"); `code` says which rule it breaks: syntax, asdot or range."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def asn_from_text(text: str) -> int:
    """The number an AS written as text stands for: asplain "64499", or asdot "1.10"
    (RFC 5396: 1 * 65536 + 10, each half 0 to 65535), optionally after "AS", with blanks
    around it. Raises ASNTextError for anything else, and for a number with more digits
    than any AS number; whether a number of the right size is an AS is `validate_asn`'s.
    """
    match = _ASN_TEXT.fullmatch(text.strip())
    if match is None:
        raise ASNTextError("is not an AS number", "syntax")
    high, low = match["high"], match["low"]
    if low is None:
        if len(high.lstrip("0")) > _ASN_DIGITS:  # and int() of 5,000 digits would fail
            raise ASNTextError(f"is out of range: AS numbers are {ASN_MIN} to {ASN_MAX}", "range")
        return int(high)
    halves = [high.lstrip("0"), low.lstrip("0")]
    if any(
        len(half) > len(str(ASDOT_HALF_MAX)) or int(half or 0) > ASDOT_HALF_MAX for half in halves
    ):
        raise ASNTextError(
            f"is not an asdot AS number: each half is 0 to {ASDOT_HALF_MAX}", "asdot"
        )
    return int(high) * (ASDOT_HALF_MAX + 1) + int(low)


def validate_napalm_driver(value: str) -> None:
    if not _DRIVER_NAME.match(value):
        raise ValidationError(
            f"“{value}” is not a NAPALM driver name: use lower-case letters, digits and "
            "underscores, e.g. junos, eos, iosxr, frr.",
            code="driver_name",
        )


# How deep a JSON object of options may nest (driver options are flat or nearly so).
MAX_JSON_DEPTH = 32


def validate_json_object(value: Any) -> None:
    """A JSON object that every database stores as such: no NaN, Infinity or NUL character,
    nested at most MAX_JSON_DEPTH levels deep.

    PostgreSQL refuses those three inside JSON; refusing them here keeps SQLite and
    PostgreSQL alike and turns the database's error into a message beside the field. Code
    that walks options (masking credentials, encoding) recurses: a bound on the nesting
    keeps it from running out of stack.
    """
    if not isinstance(value, dict):
        raise ValidationError(
            'Enter a JSON object, e.g. {"port": 2222}, not a list or a single value.',
            code="not_object",
        )
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list | tuple) and depth > MAX_JSON_DEPTH:
            raise ValidationError(
                f"JSON nested more than {MAX_JSON_DEPTH} levels deep cannot be stored here.",
                code="too_deep",
            )
        if isinstance(item, dict):
            pending.extend((key, depth + 1) for key in item)
            pending.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list | tuple):
            pending.extend((child, depth + 1) for child in item)
        elif isinstance(item, float) and not math.isfinite(item):
            raise ValidationError(
                "Numbers must be finite: NaN, Infinity and overflowing ones such as 1e999 "
                "cannot be stored.",
                code="not_finite",
            )
        elif isinstance(item, str) and "\x00" in item:
            raise ValidationError(
                "JSON text here cannot contain the NUL character (\\u0000).", code="null_character"
            )


def _hostname_error(value: str) -> str | None:
    """Why `value` is not a DNS name, or None when it is one."""
    name = value[:-1] if value.endswith(".") else value
    if not name or len(name) > HOSTNAME_MAX_LENGTH:
        return f"a DNS name has 1 to {HOSTNAME_MAX_LENGTH} characters."
    labels = name.split(".")
    if not all(_LABEL.match(label) for label in labels):
        return (
            "a DNS name is made of letters, digits and hyphens, in parts of 1 to 63 "
            "characters separated by dots, none beginning or ending with a hyphen."
        )
    if _NUMBER.match(labels[-1]):
        return (
            "a name ending in a number is read as an IPv4 address; write an address as "
            "four numbers from 0 to 255, e.g. 198.51.100.1."
        )
    if name.lower() in _PLACEHOLDERS:
        return "that is what a program writes for a missing value, not a router's name."
    return None


def validate_hostname_or_address(value: str) -> None:
    """An IPv4 or IPv6 address, or a DNS name a resolver looks up as a name.

    A DNS name is RFC 1123 labels (letters, digits and inner hyphens, 1 to 63 characters,
    253 in all; internationalised names in their xn-- form), with an optional final dot.
    Single labels such as `r1` are accepted: the resolver's search domains complete them.
    Also refused, as a resolver would not look them up as names:

    - a name whose last label is a number, decimal or 0x hexadecimal (`999.1.1.1`,
      `2130706433`, `0x7f.1`): resolvers read it as an IPv4 address in some notation
      (RFC 3696 §2; the URL standard's host parser does the same);
    - the words programs write for a missing value or a non-number (`None`, `null`,
      `undefined`, `NaN`, `inf`...), which an import or a script leaves where a name
      was missing.

    A well-formed name is not checked against DNS or the list of top-level domains
    (`os.system` passes): internal names such as `cr1.ams2` or `r1.oob` are legitimate,
    and a name that does not resolve is reported when the router is contacted.
    """
    try:
        ipaddress.ip_address(value)
        return
    except ValueError:
        pass
    reason = _hostname_error(value)
    if reason:
        raise ValidationError(
            f"“{value}” is neither an IP address nor a valid DNS name: {reason}",
            code="hostname",
        )


def validate_bgp_session_password(value: str) -> None:
    """A TCP-MD5 key routers accept: up to 80 printable ASCII characters.

    A longer key is refused by the kernel or the router's CLI when the configuration is
    pushed, and a newline or other control character would end the configuration line.
    """
    if len(value) > BGP_PASSWORD_MAX_LENGTH:
        raise ValidationError(
            f"A BGP session password has at most {BGP_PASSWORD_MAX_LENGTH} characters "
            f"(the TCP-MD5 limit); this one has {len(value)}.",
            code="password_too_long",
        )
    if not _PRINTABLE_ASCII.match(value):
        raise ValidationError(
            "A BGP session password can use letters, digits, punctuation and spaces "
            "(printable ASCII) only: routers' configurations take nothing else.",
            code="password_characters",
        )


def validate_napalm_password(value: str) -> None:
    """A login password or token of a sane size, not a pasted file."""
    if len(value) > NAPALM_PASSWORD_MAX_LENGTH:
        raise ValidationError(
            f"A NAPALM password has at most {NAPALM_PASSWORD_MAX_LENGTH} characters; "
            f"this one has {len(value)}.",
            code="password_too_long",
        )


# An IRR object name an AS-SET field may hold (RFC 2622 5.1): an AS number, an as-set
# name ("AS-FOO"), or a hierarchical one ("AS64500:AS-FOO"), with an IRR source as PeeringDB
# users write it, before ("RIPE::AS-FOO") or after ("AS-FOO@RIPE").
_SET_NAME = r"(?:AS\d+|AS-[A-Z0-9_-]+)(?::(?:AS\d+|AS-[A-Z0-9_-]+))*"
_SOURCE = r"[A-Z][A-Z0-9-]*"
_IRR_OBJECT = re.compile(
    rf"(?:(?P<source>{_SOURCE})::)?(?P<name>{_SET_NAME})(?:@(?P<after>{_SOURCE}))?",
    re.IGNORECASE,
)


def irr_objects(text: str) -> list[str]:
    """The IRR objects an AS-SET field names, as bgpq4 takes them: upper-cased (IRR names
    are case-insensitive, RFC 2622 2), a source as "SOURCE::NAME" (bgpq4's form; "NAME@SOURCE"
    is rewritten), in order, each once. Names are separated by blanks or commas. ValueError
    (one sentence) for anything that is not such a name: an option-like "-R32", a shell
    character, a typo."""
    found: list[str] = []
    for token in text.replace(",", " ").split():
        match = _IRR_OBJECT.fullmatch(token)
        if match is None:
            raise ValueError(
                f"{token[:40]!r} is not an IRR object name (an AS-SET such as AS-FOO or "
                "AS64500:AS-FOO, or an AS number such as AS64500, optionally RIPE::AS-FOO)."
            )
        source = match["source"] or match["after"]
        name = match["name"].upper()
        found_name = f"{source.upper()}::{name}" if source else name
        if found_name not in found:
            found.append(found_name)
    return found


def validate_irr_as_set(value: str) -> None:
    """ValidationError unless `value` is blank or names IRR objects (irr_objects)."""
    try:
        irr_objects(value or "")
    except ValueError as exc:
        raise ValidationError(str(exc), code="irr_as_set") from None
