import json

from django.core.exceptions import ValidationError

from core.commands import RouterCommand
from core.operations import InputError
from core.validators import ASNTextError, asn_from_text, validate_asn
from peering.queries import find_ixp
from peeringdb.peer_sessions import SessionsCreated, create_sessions, every_peer
from peeringdb.peers import (
    AvailablePeer,
    AvailablePeers,
    ConnectionPeers,
    PeerAddress,
    available_peers,
)

NAME_WIDTH = 32
COLUMNS = ("ASN", "NAME", "POLICY", "IPV4", "IPV6", "RS PEER", "ROUTE SERVER", "IN INVENTORY")
HAS_SESSION_MARK = "*"


def parse_asns(text: str) -> list[int]:
    """The ASNs of `--create` ("64501,AS64502, 1.10"); InputError naming the first that
    is not one (malformed, or a number that is no AS number: 0, AS_TRANS, above
    4294967295)."""
    asns = []
    for part in text.split(","):
        if not part.strip():
            continue
        try:
            asn = asn_from_text(part)
            validate_asn(asn)
        except ASNTextError as exc:
            raise InputError(f"--create: {part.strip()!r} {exc}.") from None
        except ValidationError as exc:
            raise InputError(f"--create: {exc.messages[0]}") from None
        asns.append(asn)
    if not asns:
        raise InputError("--create needs at least one ASN (e.g. --create 64501,64502).")
    return asns


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _cells(peer: AvailablePeer) -> list[list[str]]:
    """A peer's row: a list of lines per column (a peer may have several addresses)."""

    def addresses(family: list[PeerAddress]) -> list[str]:
        shown = [a.address + (HAS_SESSION_MARK if a.has_session else "") for a in family]
        return shown or ["-"]

    return [
        [f"AS{peer.asn}"],
        [_cut(peer.name or "-", NAME_WIDTH)],
        [peer.policy or "-"],
        addresses(peer.ipv4),
        addresses(peer.ipv6),
        ["yes" if peer.is_rs_peer else "no"],
        ["yes" if peer.is_route_server else ""],
        ["yes" if peer.in_inventory else ""],
    ]


def table_lines(rows: list[list[list[str]]], indent: str = "  ") -> list[str]:
    """Rows of multi-line cells as aligned text, under COLUMNS."""
    rows = [[[title] for title in COLUMNS], *rows]
    widths = [max(len(line) for row in rows for line in row[i]) for i in range(len(COLUMNS))]
    lines = []
    for row in rows:
        for n in range(max(len(cell) for cell in row)):
            parts = [
                (cell[n] if n < len(cell) else "").ljust(width)
                for cell, width in zip(row, widths, strict=True)
            ]
            lines.append((indent + "  ".join(parts)).rstrip())
    return lines


def connection_lines(item: ConnectionPeers) -> list[str]:
    """A connection's heading, its peers' table and what was left out."""
    heading = f"{item.connection}: PeeringDB {item.link}"
    if not item.link.linked:
        return [heading]
    count = len(item.peers)
    lines = [f"{heading}; {count} available peer{'' if count == 1 else 's'}"]
    if item.peers:
        lines += table_lines([_cells(peer) for peer in item.peers])
    if item.left_out_line:
        lines.append(f"  {item.left_out_line}")
    if any(a.has_session for peer in item.peers for a in peer.addresses):
        lines.append(f"  {HAS_SESSION_MARK} the connection already has a session with it")
    return lines


def listing_lines(peers: AvailablePeers) -> list[str]:
    lines = [f"{peers.ixp}: PeeringDB IX {peers.ix}"]
    for item in peers.connections:
        lines += ["", *connection_lines(item)]
    return lines


class Command(RouterCommand):
    help = (
        "List the networks PeeringDB shows on an Internet exchange's IX LANs that a "
        "connection has no session with yet (from the local PeeringDB mirror), and create "
        "sessions with the chosen ones: one per address, in each family the connection has."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("ixp", help="The Internet exchange's slug or name.")
        choice = parser.add_mutually_exclusive_group()
        choice.add_argument(
            "--create",
            metavar="ASN[,ASN...]",
            help="Create sessions with these peers, on every connection whose IX LAN has them.",
        )
        choice.add_argument(
            "--all",
            action="store_true",
            dest="create_all",
            help="Create sessions with every listed peer. Route servers are included only "
            "where our own PeeringDB entry on the IX LAN says we peer with the route "
            "servers, and networks whose PeeringDB policy is No (they do not peer) are "
            "left out; name one in --create otherwise.",
        )
        self.add_output_arguments(parser)

    def handle(
        self, *args, ixp: str, create: str | None, create_all: bool, as_json: bool, **options
    ) -> None:
        asns = parse_asns(create) if create is not None else None
        exchange = find_ixp(ixp)
        if exchange is None:
            raise InputError(f"Unknown Internet exchange: {ixp}.")
        if asns is not None:
            self._print_created(create_sessions(exchange, asns), as_json)
            return
        peers = available_peers(exchange)
        if not peers.linked:
            raise InputError(peers.not_linked)
        if create_all:
            selection, left_out = every_peer(peers, "--all", "--create")
            self._print_created(create_sessions(exchange, selection), as_json, left_out)
        elif as_json:
            self.stdout.write(json.dumps(peers.as_dict(), indent=2))
        else:
            for line in listing_lines(peers):
                self.stdout.write(line)

    def _print_created(
        self, result: SessionsCreated, as_json: bool, notes: list[str] | None = None
    ) -> None:
        if as_json:
            self.stdout.write(json.dumps({**result.as_dict(), "notes": notes or []}, indent=2))
            return
        for line in [*(notes or []), *result.lines()]:
            self.stdout.write(line)
