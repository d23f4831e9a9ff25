import ipaddress

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import capfirst

from core.choices import BGPState, Status
from core.fields import (
    EncryptedTextField,
    IPAddressField,
    IPInterfaceField,
    ip_network_of,
    parse_ip,
)
from core.validators import validate_asn, validate_bgp_session_password, validate_irr_as_set
from peering.policy_models import (  # noqa: F401 - Community, RoutingPolicy: importable here
    Community,
    PolicyAssignments,
    RoutingPolicy,
)


class PeeringPolicy(models.TextChoices):
    """A network's general peering policy, in PeeringDB's words (net.policy_general)."""

    OPEN = "open", "Open"
    SELECTIVE = "selective", "Selective"
    RESTRICTIVE = "restrictive", "Restrictive"
    NO = "no", "No"


# The fields of an AS that follow its PeeringDB record unless kept local (peeringdb.follow).
PEERINGDB_FIELDS = (
    "name",
    "irr_as_set",
    "ipv4_max_prefixes",
    "ipv6_max_prefixes",
    "peering_policy",
)


class AutonomousSystem(PolicyAssignments):
    asn = models.PositiveBigIntegerField(
        "ASN", unique=True, validators=[validate_asn], help_text="1 to 4294967295."
    )
    name = models.CharField(max_length=200)
    ipv4_max_prefixes = models.PositiveIntegerField(
        "IPv4 max prefixes", null=True, blank=True, help_text="Blank: no limit configured."
    )
    ipv6_max_prefixes = models.PositiveIntegerField(
        "IPv6 max prefixes", null=True, blank=True, help_text="Blank: no limit configured."
    )
    irr_as_set = models.CharField(
        "IRR AS-SET",
        max_length=255,
        blank=True,
        validators=[validate_irr_as_set],
        help_text="e.g. AS-EXAMPLE, RIPE::AS-EXAMPLE; several separated by spaces or commas.",
    )
    peering_policy = models.CharField(
        max_length=16, choices=PeeringPolicy.choices, blank=True, help_text="Blank: not known."
    )
    affiliated = models.BooleanField(default=False, help_text="One of our own autonomous systems.")
    description = models.CharField(max_length=200, blank=True)
    local_fields = models.JSONField(
        "kept local",
        default=list,
        blank=True,
        help_text="Fields whose local value wins over PeeringDB's (names of PEERINGDB_FIELDS).",
    )

    class Meta:
        ordering = ["asn"]
        verbose_name = "autonomous system"

    def __str__(self) -> str:
        return f"AS{self.asn} {self.name}"


class InternetExchange(PolicyAssignments):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    local_autonomous_system = models.ForeignKey(
        AutonomousSystem,
        on_delete=models.PROTECT,
        related_name="internet_exchanges",
        limit_choices_to={"affiliated": True},
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ENABLED)
    description = models.CharField(max_length=200, blank=True)
    peeringdb_ix = models.ForeignKey(
        "peeringdb.IX",
        verbose_name="PeeringDB IX",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="internet_exchanges",
        help_text="Blank: the IX of its connections' IX LANs.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "Internet exchange"

    def __str__(self) -> str:
        return self.name


class Connection(PolicyAssignments):
    """A router's port on an Internet exchange's peering LAN."""

    internet_exchange = models.ForeignKey(
        InternetExchange, on_delete=models.CASCADE, related_name="connections"
    )
    router = models.ForeignKey(
        "devices.Router", on_delete=models.PROTECT, related_name="connections"
    )
    ipv4_address = IPInterfaceField(
        "IPv4 address", protocol="ipv4", null=True, blank=True, help_text="e.g. 192.0.2.1/24"
    )
    ipv6_address = IPInterfaceField(
        "IPv6 address", protocol="ipv6", null=True, blank=True, help_text="e.g. 2001:db8::1/64"
    )
    interface = models.CharField(max_length=100, blank=True)
    vrf = models.CharField(
        "VRF", max_length=100, blank=True, help_text="Blank: the default routing table."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ENABLED)
    description = models.CharField(max_length=200, blank=True)
    peeringdb_ixlan = models.ForeignKey(
        "peeringdb.IXLan",
        verbose_name="PeeringDB IX LAN",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="connections",
        help_text="Blank: the IX LAN whose prefix is the connection's subnet.",
    )

    class Meta:
        ordering = ["internet_exchange", "router"]

    def __str__(self) -> str:
        return f"{self.internet_exchange} on {self.router}"

    def clean(self) -> None:
        if not self.ipv4_address and not self.ipv6_address:
            raise ValidationError("A connection needs an IPv4 address, an IPv6 address or both.")

    def subnet(self, version: int) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
        return ip_network_of(self.ipv4_address if version == 4 else self.ipv6_address)


class AutonomousSystemChange(models.Model):
    """One change a PeeringDB synchronisation made to one field of an AS: old → new."""

    autonomous_system = models.ForeignKey(
        AutonomousSystem, on_delete=models.CASCADE, related_name="changes"
    )
    field = models.CharField(max_length=32)
    old_value = models.CharField(max_length=255, blank=True)
    new_value = models.CharField(max_length=255, blank=True)
    at = models.DateTimeField(db_index=True)
    source = models.CharField(max_length=32, default="PeeringDB")

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "autonomous system change"

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value or '(blank)'} → {self.new_value or '(blank)'}"

    @property
    def field_label(self) -> str:
        """The field as the AS's pages name it ("IPv4 max prefixes")."""
        try:
            return capfirst(AutonomousSystem._meta.get_field(self.field).verbose_name)
        except FieldDoesNotExist:
            return self.field

    def shown(self, value: str) -> str:
        """A recorded value as pages show it: a choice by its label, blank as "not set"."""
        try:
            choices = dict(AutonomousSystem._meta.get_field(self.field).choices or ())
        except FieldDoesNotExist:
            choices = {}
        return str(choices.get(value, value)) or "not set"

    @property
    def old_shown(self) -> str:
        return self.shown(self.old_value)

    @property
    def new_shown(self) -> str:
        return self.shown(self.new_value)


class BGPGroup(PolicyAssignments):
    """A group of direct (non-IXP) sessions configured alike: transit, customers, PNIs."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ENABLED)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "BGP group"

    def __str__(self) -> str:
        return self.name


# What polling reads from the router onto a session (peering.polling writes them, in this
# order; the pages, the admin and the API show them read-only).
POLLED_FIELDS = [
    "bgp_state",
    "received_prefix_count",
    "accepted_prefix_count",
    "advertised_prefix_count",
    "last_established_state",
    "last_polled_at",
    "configured_on_router",
]


class BGPSession(PolicyAssignments):
    """What every BGP session has, including the state read from the router by polling."""

    autonomous_system = models.ForeignKey(
        AutonomousSystem, on_delete=models.PROTECT, related_name="%(class)ss"
    )
    ip_address = IPAddressField("IP address")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ENABLED)
    password = EncryptedTextField(
        validators=[validate_bgp_session_password],
        help_text="MD5 password of the session (up to 80 characters); write-only.",
    )
    multihop_ttl = models.PositiveSmallIntegerField(
        "multihop TTL",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(255)],
    )
    description = models.CharField(max_length=200, blank=True)

    # Polled state; null means not known (never polled, or the router did not say).
    bgp_state = models.CharField(  # noqa: DJ001 - null is "unknown", distinct from any state
        "BGP state", max_length=16, choices=BGPState.choices, null=True, blank=True, editable=False
    )
    received_prefix_count = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    accepted_prefix_count = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    advertised_prefix_count = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    last_established_state = models.DateTimeField(null=True, blank=True, editable=False)
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    configured_on_router = models.BooleanField(
        null=True,
        blank=True,
        editable=False,
        help_text="Whether the router had this session at the last poll (blank: not polled).",
    )

    class Meta:
        abstract = True

    @property
    def ip_version(self) -> int:
        return ipaddress.ip_address(self.ip_address).version


class DirectPeeringSession(BGPSession):
    """A session outside Internet exchanges: transit, customer, private interconnect."""

    router = models.ForeignKey(
        "devices.Router", on_delete=models.PROTECT, related_name="direct_sessions"
    )
    bgp_group = models.ForeignKey(
        BGPGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    local_autonomous_system = models.ForeignKey(
        AutonomousSystem,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="local_direct_sessions",
        limit_choices_to={"affiliated": True},
        help_text="Blank: the router's own AS.",
    )
    local_ip_address = IPAddressField("local IP address", null=True, blank=True)
    vrf = models.CharField(
        "VRF", max_length=100, blank=True, help_text="Blank: the default routing table."
    )

    class Meta:
        ordering = ["router", "ip_address"]
        verbose_name = "direct peering session"
        constraints = [
            models.UniqueConstraint(
                fields=["router", "vrf", "ip_address"], name="unique_direct_session_per_router"
            )
        ]

    def __str__(self) -> str:
        return f"AS{self.autonomous_system.asn} {self.ip_address} on {self.router}"

    def clean(self) -> None:
        remote, local = parse_ip(self.ip_address), parse_ip(self.local_ip_address)
        if remote is None or local is None:
            return
        if remote.version != local.version:
            raise ValidationError(
                {
                    "local_ip_address": f"The local address is IPv{local.version} but the "
                    f"peer's address is IPv{remote.version}."
                }
            )
        if remote == local:
            raise ValidationError(
                {"local_ip_address": "The local address is the same as the peer's address."}
            )


class InternetExchangePeeringSession(BGPSession):
    """A session with a peer (or a route server) over an Internet exchange's LAN."""

    ixp_connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="sessions"
    )
    is_route_server = models.BooleanField(default=False)

    class Meta:
        ordering = ["ixp_connection", "ip_address"]
        verbose_name = "IXP peering session"
        constraints = [
            models.UniqueConstraint(
                fields=["ixp_connection", "ip_address"], name="unique_ixp_session_per_connection"
            )
        ]

    def __str__(self) -> str:
        return f"AS{self.autonomous_system.asn} {self.ip_address} on {self.ixp_connection}"

    def clean(self) -> None:
        address = parse_ip(self.ip_address)
        if address is None or not self.ixp_connection_id:
            return
        connection = self.ixp_connection
        subnet = connection.subnet(address.version)
        if subnet is None:
            raise ValidationError(
                {"ip_address": f"The connection has no IPv{address.version} address."}
            )
        if address not in subnet:
            raise ValidationError(
                {"ip_address": f"{address} is not inside the connection's subnet {subnet}."}
            )
        own = connection.ipv4_address if address.version == 4 else connection.ipv6_address
        if address == ipaddress.ip_interface(own).ip:
            raise ValidationError(
                {"ip_address": f"{address} is the router's own address on this connection."}
            )


class BGPSessionStateChange(models.Model):
    """One transition of a session's BGP state, as seen by polling."""

    direct_session = models.ForeignKey(
        DirectPeeringSession,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="state_changes",
    )
    ixp_session = models.ForeignKey(
        InternetExchangePeeringSession,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="state_changes",
    )
    # null: the state was unknown (before the first poll, or the router lost the session).
    from_state = models.CharField(  # noqa: DJ001
        max_length=16, choices=BGPState.choices, null=True, blank=True
    )
    to_state = models.CharField(  # noqa: DJ001
        max_length=16, choices=BGPState.choices, null=True, blank=True
    )
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = "BGP session state change"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(direct_session__isnull=False, ixp_session__isnull=True)
                    | models.Q(direct_session__isnull=True, ixp_session__isnull=False)
                ),
                name="state_change_has_exactly_one_session",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_state or 'unknown'} → {self.to_state or 'unknown'} at {self.at}"

    @property
    def session(self) -> BGPSession:
        return self.direct_session or self.ixp_session
