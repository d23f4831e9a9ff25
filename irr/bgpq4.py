"""Running bgpq4 (https://github.com/bgp/bgpq4) to expand an AS-set from an IRR server.

One expansion is three bgpq4 runs, each a subprocess with a timeout:

    bgpq4 -h HOST[:PORT] [-S SOURCES] [-p] -j -4 -A -l prefixes -- AS-SET   # IPv4 prefix list
    bgpq4 -h HOST[:PORT] [-S SOURCES] [-p] -j -6 -A -l prefixes -- AS-SET   # IPv6 prefix list
    bgpq4 -h HOST[:PORT] [-S SOURCES] [-p] -j -t -l asns -- AS-SET          # the AS list

The objects come after `--`, so none is ever read as an option whatever its text; a name
of several objects separated by blanks ("AS-FOO RIPE::AS-BAR") is several arguments, which
bgpq4 expands together in one run.

bgpq4's facts used here (bgpq4(8); its source, printer.c and expander.c, release 1.9 as
Debian packages it and 1.16):
- `-j` prints one JSON object keyed by the `-l` name: a prefix list is a list of
  `{"prefix": "192.0.2.0\\/24", "exact": true}` or `{"prefix": ..., "exact": false,
  "greater-equal": G, "less-equal": L}`, "greater-equal" left out when it equals the
  prefix's length (printer.c bgpq4_print_json_prefix); with `-t`, an AS list is a list of
  numbers (bgpq4_print_json_aspath). `-A` aggregates adjacent prefixes into ge/le entries.
- An AS-set the server does not know expands to an empty list, with status 0 and nothing
  on stderr (the server's "D" answer is only shown with -d).
- Without `-p`, private and reserved ASNs (23456, 64496-65551, 4200000000 and above) are
  left out of the AS list, each with "ERROR:Invalid AS number: N" on stderr, status 0
  (expander.c bgpq_expander_add_as).
- A server that cannot be reached, a name that does not resolve or a source the server
  lacks: status 1 and a line "ERROR:..." ("All attempts to connect 127.0.0.1 failed, last
  error: Connection refused", "Unable to resolve ...", "Invalid source(s) 'X': F One or
  more selected sources are unavailable.").
- Some errors leave the status 0: a source missing from the server while others are
  asked gives "ERROR:Error expanding !sRIPE" and an expansion from the other sources.
  Any "ERROR" or "FATAL" line on stderr (the private-ASN lines above aside) fails the
  expansion: what it printed on stdout is not kept.
- bgpq4 waits for the server without a timeout (select() with none, expander.c): a server
  that accepts and never answers holds it forever, hence the subprocess timeout.
"""

from __future__ import annotations

import ipaddress
import json
import re
import subprocess
from dataclasses import dataclass, field
from typing import Any, ClassVar

from core.operations import Category, OperationError

NOT_INSTALLED = "bgpq4 is not installed: make system-packages"
_INVALID_ASN = re.compile(r"Invalid AS number: (\d+)")


class Bgpq4Error(OperationError):
    """An expansion failed; the message is one sentence for the user, the class says of
    what kind (core.operations.Category)."""


class Bgpq4Missing(Bgpq4Error):
    category: ClassVar[Category] = Category.DRIVER_MISSING


class IRRUnreachable(Bgpq4Error):
    category: ClassVar[Category] = Category.UNREACHABLE


class IRRTimeout(Bgpq4Error):
    category: ClassVar[Category] = Category.TIMEOUT


class UnknownASSet(Bgpq4Error):
    """The IRR has no such AS-set, or nothing usable in it: fix the AS's AS-set."""

    category: ClassVar[Category] = Category.INPUT


@dataclass(frozen=True)
class Server:
    """Where and how bgpq4 asks: `host` ("rr.ntt.net" or "127.0.0.1:4343"), `sources`
    (["RIPE", ...]; empty: all of the server's), `timeout` (seconds per run) and
    `private_asns` (expand private and reserved ASNs: bgpq4 -p)."""

    host: str
    sources: tuple[str, ...] = ()
    timeout: float = 60
    private_asns: bool = False

    def describe(self) -> str:
        """ "127.0.0.1:4343 (sources PEERKEEPER)", for messages."""
        return f"{self.host} (sources {','.join(self.sources)})" if self.sources else self.host


@dataclass
class Expansion:
    """What one AS-set expands to: normalised entries (see irr.models) and sorted ASNs."""

    ipv4: list[dict[str, Any]] = field(default_factory=list)
    ipv6: list[dict[str, Any]] = field(default_factory=list)
    asns: list[int] = field(default_factory=list)


def expand(server: Server, as_set: str) -> Expansion:
    """The IPv4 and IPv6 prefix lists and the AS list of `as_set`, from `server`.

    Raises a Bgpq4Error of its kind with one sentence: bgpq4 missing, the server
    unreachable or too slow, the set unknown, with no members or no prefixes at all, only
    private ASNs without `private_asns`, or output bgpq4 should not give.
    """
    asns, skipped = _run_asns(server, as_set)
    if not asns:
        if skipped:
            listed = ", ".join(str(asn) for asn in skipped)
            raise UnknownASSet(
                f"{as_set} has only private or reserved ASNs ({listed}), which are left "
                "out unless IRR_ALLOW_PRIVATE_ASNS is True"
            )
        raise UnknownASSet(
            f"{as_set} was not found in the IRR at {server.describe()}, or has no members"
        )
    expansion = Expansion(
        ipv4=_normalise(_run(server, as_set, "-4", "-A", "-l", "prefixes")),
        ipv6=_normalise(_run(server, as_set, "-6", "-A", "-l", "prefixes")),
        asns=asns,
    )
    if not expansion.ipv4 and not expansion.ipv6:
        raise UnknownASSet(
            f"{as_set} expands to no prefixes: no route or route6 object of the IRR at "
            f"{server.describe()} has "
            + ("its ASN as origin" if len(asns) == 1 else f"one of its {len(asns)} ASNs as origin")
        )
    return expansion


def command(server: Server, as_set: str, *options: str) -> list[str]:
    """The bgpq4 command line of one run: the options, then `--` and the objects of
    `as_set` (split on blanks), so that no object is ever read as an option."""
    args = ["bgpq4", "-h", server.host]
    if server.sources:
        args += ["-S", ",".join(server.sources)]
    if server.private_asns:
        args.append("-p")
    return [*args, "-j", *options, "--", *as_set.split()]


def _run_asns(server: Server, as_set: str) -> tuple[list[int], list[int]]:
    """The AS list, and the ASNs bgpq4 left out as private or reserved."""
    output, stderr = _execute(server, as_set, "-t", "-l", "asns")
    values = _value(output, as_set)
    if not all(isinstance(asn, int) and not isinstance(asn, bool) for asn in values):
        raise Bgpq4Error(f"bgpq4 gave an AS list for {as_set} that is not a list of numbers")
    return sorted(set(values)), sorted({int(n) for n in _INVALID_ASN.findall(stderr)})


def _run(server: Server, as_set: str, *options: str) -> list[Any]:
    output, _ = _execute(server, as_set, *options)
    return _value(output, as_set)


def _execute(server: Server, as_set: str, *options: str) -> tuple[str, str]:
    try:
        done = subprocess.run(
            command(server, as_set, *options),
            capture_output=True,
            text=True,
            timeout=server.timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except FileNotFoundError:
        raise Bgpq4Missing(NOT_INSTALLED) from None
    except subprocess.TimeoutExpired:
        raise IRRTimeout(
            f"the IRR server {server.host} did not answer within IRR_TIMEOUT "
            f"({server.timeout:g} s) expanding {as_set}"
        ) from None
    if done.returncode:
        raise _failure(server, done.stderr, done.returncode)
    errors = [
        line
        for line in done.stderr.splitlines()
        if line.startswith(("ERROR", "FATAL")) and not _INVALID_ASN.search(line)
    ]
    if errors:  # bgpq4 went on after it: what it printed is not the whole expansion
        raise _failure(server, errors[0], 0)
    return done.stdout, done.stderr


def _failure(server: Server, stderr: str, status: int) -> Bgpq4Error:
    """bgpq4's last "ERROR:" (or "FATAL:") line as the error of its kind."""
    errors = [_reason(line) for line in stderr.splitlines()]
    errors = [line for line in errors if line]
    last = errors[-1] if errors else f"bgpq4 exited with status {status}"
    if "All attempts to connect" in last:
        reason = last.rsplit(":", 1)[-1].strip().lower()  # "connection refused"
        return IRRUnreachable(f"the IRR server {server.host} is unreachable: {reason}")
    if "Unable to resolve" in last:
        return IRRUnreachable(f"the IRR server {server.host} is unreachable: {last}")
    if "Invalid source" in last or "Error expanding !s" in last:
        return Bgpq4Error(f"the IRR server {server.host} lacks one of IRR_SOURCES: {last}")
    return Bgpq4Error(f"bgpq4 failed asking {server.host}: {last}")


def _reason(line: str) -> str:
    """ "ERROR:Error expanding !sRIPE" → "Error expanding !sRIPE": one line, no prefix."""
    for prefix in ("ERROR:", "FATAL:", "ERROR", "FATAL"):
        if line.startswith(prefix):
            return line.removeprefix(prefix).strip()
    return line.strip()


def _value(output: str, as_set: str) -> list[Any]:
    try:
        document = json.loads(output)
    except json.JSONDecodeError:
        raise Bgpq4Error(f"bgpq4 gave output for {as_set} that is not JSON") from None
    if not isinstance(document, dict) or len(document) != 1:
        raise Bgpq4Error(f"bgpq4 gave JSON for {as_set} that is not one named list")
    (value,) = document.values()
    if not isinstance(value, list):
        raise Bgpq4Error(f"bgpq4 gave JSON for {as_set} that is not one named list")
    return value


def _normalise(entries: list[Any]) -> list[dict[str, Any]]:
    """bgpq4's entries in the stored shape (irr.models): compressed prefixes, and both
    bounds on every non-exact entry."""
    normalised = []
    for entry in entries:
        try:
            network = ipaddress.ip_network(entry["prefix"])
            if entry["exact"] is True:
                normalised.append({"prefix": network.compressed, "exact": True})
                continue
            normalised.append(
                {
                    "prefix": network.compressed,
                    "exact": False,
                    "greater_equal": int(entry.get("greater-equal", network.prefixlen)),
                    "less_equal": int(entry["less-equal"]),
                }
            )
        except (KeyError, TypeError, ValueError):
            raise Bgpq4Error(
                f"bgpq4 gave a prefix-list entry Peerkeeper cannot read: {entry}"
            ) from None
    return normalised
