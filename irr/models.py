"""Prefix lists and AS lists expanded from the IRR, cached per AS-set.

One `PrefixList` row per AS-set (or per single AS, named "AS64501"), written only by the
refresh (irr.refresh) and read by the AS page and the configuration templates
(irr.prefix_lists.prefix_lists_for).

Which AS-set an AS uses: `AutonomousSystem.irr_as_set` when set, else "AS<asn>"
(irr.prefix_lists.as_set_of). Names are stored upper-cased, as they are queried.

The lists, as bgpq4 (https://github.com/bgp/bgpq4) gives them with `-A -j`, normalised:

- `ipv4`, `ipv6`: the aggregated prefix-list entries, in bgpq4's order (by address, then
  length), each a dict with these keys:

      {"prefix": "203.0.113.0/30", "exact": true}
      {"prefix": "203.0.112.0/23", "exact": false, "greater_equal": 24, "less_equal": 24}

  `exact` true: the prefix itself only. `exact` false: any prefix inside `prefix` whose
  length is between `greater_equal` and `less_equal` inclusive (Cisco's `ge`/`le`). bgpq4
  writes "greater-equal" and "less-equal" and leaves "greater-equal" out when it equals the
  prefix's length; here both are always present, with underscores so templates can write
  `entry.greater_equal`. Prefixes are in `ipaddress` compressed form.
- `asns`: the AS list (`bgpq4 -t -j`), the origin ASNs of the AS-set, sorted: [64501, ...].

A refresh that fails (unknown or empty AS-set, no prefixes at all, IRR server unreachable,
bgpq4 timeout, an expansion larger than IRR_MAX_PREFIXES, bgpq4 missing) keeps the lists
and `fetched_at` as they were and writes `error` (one sentence) and `failed_at`; a
successful one replaces the lists, sets `fetched_at` and clears `error` and `failed_at`.
A row that never succeeded has `fetched_at` None and empty lists: templates must not treat
that as "accept nothing announced" by accident; check `fetched_at`.

Size guard: IRR_MAX_PREFIXES bounds each family separately, counted as a router gets the
list: entries of the aggregated list (0 disables the guard). Above it the refresh of that
AS-set fails, `error` = "AS-OVERSIZED expands to 20 IPv4 prefixes after aggregation, more
than IRR_MAX_PREFIXES (19)", and the command's line adds ": the previous list, fetched
2026-11-30 14:05 UTC, is kept" (or ": there is no previous list").

Readers: irr.prefix_lists.prefix_lists_for(names) -> {name as given: PrefixList} in one
query (names matched case-insensitively, absent when never refreshed); as_set_of(asn,
irr_as_set); accepts(entries, "203.0.113.4/30") -> bool, as a router's prefix list matches.
Tests: irr.testing's `local_irr` fixture points IRR_HOST at a real IRRd serving
irr/fixtures/lab.rpsl (session-wide `irrd`), `local_irr_environment(irrd)` does the same
for a child process; irr.refresh.refresh([asn, ...]) fills the rows.
"""

from __future__ import annotations

from django.db import models


class PrefixList(models.Model):
    """The expansion of one AS-SET (or one AS, "AS64501") by bgpq4, as last fetched."""

    as_set = models.CharField("AS-SET", max_length=255, unique=True)
    ipv4 = models.JSONField("IPv4 prefixes", default=list)
    ipv6 = models.JSONField("IPv6 prefixes", default=list)
    asns = models.JSONField("ASNs", default=list)
    fetched_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["as_set"]
        verbose_name = "IRR prefix list"

    def __str__(self) -> str:
        return self.as_set

    def entries(self, family: int) -> list[dict]:
        """The entries of one address family: 4 or 6."""
        return self.ipv4 if family == 4 else self.ipv6


class KeptList(models.Model):
    """The list an AS had from its last successful refresh. When the AS's AS-SET changes
    (by hand, or by following PeeringDB) and the new one is not fetched yet or fails, the
    templates keep this one rather than leaving the peer unfiltered."""

    autonomous_system = models.OneToOneField(
        "peering.AutonomousSystem", on_delete=models.CASCADE, related_name="irr_kept_list"
    )
    prefix_list = models.ForeignKey(PrefixList, on_delete=models.CASCADE, related_name="kept_by")

    class Meta:
        verbose_name = "kept IRR prefix list"

    def __str__(self) -> str:
        return f"{self.autonomous_system}: {self.prefix_list}"
