"""Routing policies, BGP communities and where they are assigned.

A policy or a community is assigned at any of these levels, nearest first: a session; its
BGP group (direct sessions) or its IXP connection and then its Internet exchange (IXP
sessions); the peer's autonomous system; the router (its defaults). configs/context.py
gives each session its effective policies and communities and the level each came from
(documented in docs/templates.md).
"""

from __future__ import annotations

import contextlib

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from taggit.managers import TaggableManager

from core.fields import JSONObjectField
from peering.communities import CommunityKind, parse_community, validate_community


class PolicyType(models.TextChoices):
    """Which direction a routing policy may be applied in."""

    IMPORT = "import", "Import"
    EXPORT = "export", "Export"
    IMPORT_EXPORT = "import-export", "Import and export"


class AddressFamily(models.IntegerChoices):
    ALL = 0, "IPv4 and IPv6"
    IPV4 = 4, "IPv4"
    IPV6 = 6, "IPv6"


class CommunityType(models.TextChoices):
    """What a template does with a community assigned to a session or one of its levels."""

    INGRESS = "ingress", "Ingress (set on routes received)"
    EGRESS = "egress", "Egress (added to routes sent)"


def _keep_matched(communities: models.QuerySet | list) -> None:
    """Refuse to delete communities a policy matches on: the policy would then accept every
    route (no match communities means any route). ProtectedError names the policies, as
    Django's own PROTECT does, before anything is deleted."""
    policies = set(RoutingPolicy.objects.filter(match_communities__in=communities).distinct())
    if policies:
        names = ", ".join(sorted(policy.name for policy in policies))
        raise models.ProtectedError(
            f"Matched on by {names}: without it they would accept every route.", policies
        )


class CommunityQuerySet(models.QuerySet):
    def delete(self) -> tuple[int, dict[str, int]]:
        _keep_matched(self)
        return super().delete()


class Community(models.Model):
    """A BGP community: standard (RFC 1997), extended (RFC 4360) or large (RFC 8092).

    One that a routing policy matches on cannot be deleted (ProtectedError)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    value = models.CharField(
        max_length=64,
        unique=True,
        validators=[validate_community],
        help_text="64500:100 (standard), rt:64500:100 or soo:64500:100 (extended), "
        "64500:1:2 (large).",
    )
    kind = models.CharField(
        max_length=16, choices=CommunityKind.choices, editable=False, default="standard"
    )
    type = models.CharField(
        max_length=16,
        choices=CommunityType.choices,
        blank=True,
        help_text="Where templates use it when assigned to a session or one of its levels; "
        "blank: the template decides.",
    )
    description = models.CharField(max_length=200, blank=True)
    tags = TaggableManager(blank=True)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        ordering = ["value", "name"]
        verbose_name_plural = "communities"

    def __str__(self) -> str:
        return f"{self.name} ({self.value})"

    def save(self, *args, **kwargs) -> None:
        parsed = parse_community(self.value)
        self.value, self.kind = parsed.text, parsed.kind
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs) -> tuple[int, dict[str, int]]:
        _keep_matched([self])
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        # The field's validator reports a value that does not parse; here it is normalised.
        with contextlib.suppress(ValidationError):
            self.value = parse_community(self.value).text


class RoutingPolicy(models.Model):
    """A named route policy (an FRR/EOS route-map, a Junos policy-statement, an IOS-XR
    route-policy, a BIRD filter) that templates render from these fields.

    It accepts the routes that carry one of `match_communities` (any route when empty), sets
    `local_preference` and adds `set_communities` on them, and prepends our AS
    `as_path_prepend` times on routes sent. A session's policies are tried in order and the
    first that accepts a route decides; a route none accepts is refused (docs/templates.md).
    `config_context` is free data for templates.
    """

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    type = models.CharField(
        max_length=16, choices=PolicyType.choices, default=PolicyType.IMPORT_EXPORT
    )
    address_family = models.PositiveSmallIntegerField(
        choices=AddressFamily.choices, default=AddressFamily.ALL
    )
    weight = models.PositiveSmallIntegerField(
        default=0,
        help_text="Order of the policies of one level: lower first, then by name.",
    )
    description = models.CharField(max_length=200, blank=True)
    match_communities = models.ManyToManyField(
        Community,
        blank=True,
        related_name="matched_by_policies",
        help_text="Accept only routes carrying one of these; none: every route.",
    )
    set_communities = models.ManyToManyField(
        Community,
        blank=True,
        related_name="set_by_policies",
        help_text="Added to the routes the policy accepts.",
    )
    local_preference = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(0xFFFFFFFF)],
        help_text="Set on the routes an import policy accepts; blank: unchanged.",
    )
    as_path_prepend = models.PositiveSmallIntegerField(
        "AS path prepend",
        default=0,
        validators=[MaxValueValidator(10)],
        help_text="Times our AS is prepended to routes an export policy sends (0 to 10).",
    )
    config_context = JSONObjectField(
        help_text="Free data for templates, as a JSON object (policy.config_context)."
    )
    tags = TaggableManager(blank=True)

    class Meta:
        ordering = ["weight", "name"]
        verbose_name = "routing policy"
        verbose_name_plural = "routing policies"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.local_preference is not None and self.type == PolicyType.EXPORT:
            raise ValidationError(
                {
                    "local_preference": "Local preference is set on routes received: an "
                    "export policy cannot set it."
                }
            )
        if self.pk is not None and self.type != (
            RoutingPolicy.objects.filter(pk=self.pk).values_list("type", flat=True).first()
        ):
            from peering.assignments import unsupported_uses  # it imports this module

            refused = unsupported_uses(self)
            if refused:
                raise ValidationError({"type": refused})
        if self.as_path_prepend and self.type == PolicyType.IMPORT:
            raise ValidationError(
                {
                    "as_path_prepend": "Prepending applies to routes sent: an import policy "
                    "cannot prepend."
                }
            )


class PolicyAssignments(models.Model):
    """Routing policies, communities and tags assigned to an object (a level of a session)."""

    import_routing_policies = models.ManyToManyField(
        RoutingPolicy,
        blank=True,
        related_name="%(app_label)s_%(class)s_import",
        limit_choices_to={"type__in": [PolicyType.IMPORT, PolicyType.IMPORT_EXPORT]},
        help_text="Applied to routes received; the nearest level with any wins.",
    )
    export_routing_policies = models.ManyToManyField(
        RoutingPolicy,
        blank=True,
        related_name="%(app_label)s_%(class)s_export",
        limit_choices_to={"type__in": [PolicyType.EXPORT, PolicyType.IMPORT_EXPORT]},
        help_text="Applied to routes sent; the nearest level with any wins.",
    )
    communities = models.ManyToManyField(
        Community,
        blank=True,
        related_name="%(app_label)s_%(class)s",
        help_text="Added to those of the levels above.",
    )
    tags = TaggableManager(blank=True)

    class Meta:
        abstract = True
