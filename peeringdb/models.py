"""A local copy of the PeeringDB objects peering needs, as the PeeringDB API gives them.

Each model mirrors one PeeringDB object type (https://www.peeringdb.com/apidocs/): `net`
(Network), `ix` (IX), `ixlan` (IXLan), `ixpfx` (IXLanPrefix) and `netixlan`
(NetworkIXLan). The primary key is PeeringDB's own `id`, so a synchronisation matches rows
by it. Objects PeeringDB deletes are deleted here. Nothing but the synchronisation
(peeringdb.sync) writes these tables; the inventory links to them (an Internet exchange
to an IX, a connection to an IX LAN) and reads from them.

References between these tables carry no database constraint: PeeringDB is the authority
on their consistency, and one incremental answer may name an object that a later one
brings.
"""

from django.db import models


class PeeringDBObject(models.Model):
    """What every PeeringDB object has: its id, when it was created and last updated (by
    PeeringDB's clock) and its status ("ok"; "pending" for some new objects)."""

    id = models.PositiveBigIntegerField("PeeringDB id", primary_key=True)
    created = models.DateTimeField()
    updated = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=16, default="ok")

    class Meta:
        abstract = True


def _reference(model: str, related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        model,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name=related_name,
    )


class Network(PeeringDBObject):
    """A PeeringDB network (`net`): one autonomous system's public peering record."""

    asn = models.PositiveBigIntegerField("ASN", db_index=True)
    name = models.CharField(max_length=255)
    aka = models.CharField("also known as", max_length=255, blank=True)
    website = models.CharField(max_length=255, blank=True)
    irr_as_set = models.CharField("IRR AS-SET", max_length=255, blank=True)
    info_type = models.CharField("type", max_length=60, blank=True)
    # PeeringDB's 0 ("not set") is stored as null.
    info_prefixes4 = models.PositiveBigIntegerField("IPv4 prefixes", null=True, blank=True)
    info_prefixes6 = models.PositiveBigIntegerField("IPv6 prefixes", null=True, blank=True)
    policy_general = models.CharField("general policy", max_length=40, blank=True)
    policy_url = models.CharField("policy URL", max_length=255, blank=True)

    class Meta:
        ordering = ["asn"]
        verbose_name = "PeeringDB network"

    def __str__(self) -> str:
        return f"AS{self.asn} {self.name}"


class IX(PeeringDBObject):
    """A PeeringDB Internet exchange (`ix`)."""

    name = models.CharField(max_length=255)
    name_long = models.CharField("long name", max_length=255, blank=True)
    city = models.CharField(max_length=255, blank=True)
    country = models.CharField(max_length=2, blank=True)
    website = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "PeeringDB IX"
        verbose_name_plural = "PeeringDB IXes"

    def __str__(self) -> str:
        return self.name


class IXLan(PeeringDBObject):
    """A PeeringDB IX LAN (`ixlan`): a peering LAN of an IX, with its route servers' ASN."""

    ix = _reference(IX, "ixlans")
    name = models.CharField(max_length=255, blank=True)
    descr = models.TextField("description", blank=True)
    mtu = models.PositiveIntegerField("MTU", null=True, blank=True)
    rs_asn = models.PositiveBigIntegerField("route servers' ASN", null=True, blank=True)

    class Meta:
        ordering = ["ix_id", "id"]
        verbose_name = "PeeringDB IX LAN"

    def __str__(self) -> str:
        return f"IX LAN {self.id}" + (f" {self.name}" if self.name else "")


class IXLanPrefix(PeeringDBObject):
    """A PeeringDB IX LAN prefix (`ixpfx`): a subnet of a peering LAN."""

    ixlan = _reference(IXLan, "prefixes")
    protocol = models.CharField(max_length=4)  # "IPv4" or "IPv6"
    # Normalised (ipaddress' compressed form), so a connection's subnet matches by equality.
    prefix = models.CharField(max_length=43, db_index=True)

    class Meta:
        ordering = ["ixlan_id", "protocol", "prefix"]
        verbose_name = "PeeringDB IX LAN prefix"
        verbose_name_plural = "PeeringDB IX LAN prefixes"

    def __str__(self) -> str:
        return self.prefix


class NetworkIXLan(PeeringDBObject):
    """A network's presence on an IX LAN (`netixlan`): its addresses there, whether it
    peers with the route servers, its port speed (Mbit/s)."""

    net = _reference(Network, "netixlans")
    ixlan = _reference(IXLan, "netixlans")
    ix_id = models.PositiveBigIntegerField("PeeringDB IX id", db_index=True)
    asn = models.PositiveBigIntegerField("ASN", db_index=True)
    # Normalised like every address of the inventory (null: none in this family).
    ipaddr4 = models.CharField("IPv4 address", max_length=15, null=True, blank=True)  # noqa: DJ001
    ipaddr6 = models.CharField("IPv6 address", max_length=39, null=True, blank=True)  # noqa: DJ001
    is_rs_peer = models.BooleanField("peers with the route servers", default=False)
    speed = models.PositiveBigIntegerField("speed (Mbit/s)", default=0)
    operational = models.BooleanField(default=True)

    class Meta:
        ordering = ["ixlan_id", "asn", "id"]
        verbose_name = "PeeringDB network on an IX LAN"
        verbose_name_plural = "PeeringDB networks on IX LANs"

    def __str__(self) -> str:
        addresses = " ".join(a for a in (self.ipaddr4, self.ipaddr6) if a)
        return f"AS{self.asn} {addresses}"


class SyncSource(models.Model):
    """Where the local copy was last synchronised from: the API's URL, or a directory of
    saved answers. One row, written only when it changes; a synchronisation from anywhere
    else reads everything again rather than mixing two data sets."""

    source = models.CharField(max_length=1000)

    class Meta:
        verbose_name = "PeeringDB synchronisation source"

    def __str__(self) -> str:
        return self.source
