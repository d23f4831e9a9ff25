from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core.choices import Status
from core.fields import EncryptedTextField, JSONObjectField
from core.models import JobRelation
from core.validators import (
    validate_hostname_or_address,
    validate_napalm_driver,
    validate_napalm_password,
)
from peering.policy_models import PolicyAssignments


class Platform(models.Model):
    """A network operating system and the NAPALM driver that manages it."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    napalm_driver = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_napalm_driver],
        help_text="NAPALM driver name, e.g. junos, eos, iosxr, or a third-party one such as frr.",
    )
    napalm_args = JSONObjectField(
        help_text="Optional arguments for the driver, as a JSON object.",
    )
    poll_with_detail = models.BooleanField(
        "poll with detail",
        default=True,
        help_text="Poll sessions with get_bgp_neighbors_detail, which gives the exact BGP "
        "state. Untick for drivers whose detailed getter is slow (NAPALM's eos parses "
        "text); get_bgp_neighbors then tells established sessions from the others.",
    )
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Router(PolicyAssignments):
    """A router whose BGP sessions Peerkeeper configures and polls."""

    name = models.CharField(max_length=100, unique=True)
    hostname = models.CharField(
        max_length=255,
        validators=[validate_hostname_or_address],
        help_text="Management address or DNS name NAPALM connects to.",
    )
    platform = models.ForeignKey(
        Platform, null=True, blank=True, on_delete=models.PROTECT, related_name="routers"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ENABLED)
    local_autonomous_system = models.ForeignKey(
        "peering.AutonomousSystem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="routers",
        limit_choices_to={"affiliated": True},
    )
    config_template = models.ForeignKey(
        "configs.ConfigTemplate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="routers",
    )
    poll_bgp_sessions_state = models.BooleanField(
        default=True, help_text="Poll this router for the state of its BGP sessions."
    )
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_poll_error = models.TextField(blank=True, editable=False)
    napalm_username = models.CharField(
        max_length=100, blank=True, help_text="Leave blank to use NAPALM_USERNAME."
    )
    # Session passwords replaced or removed since they were pushed, newline-separated:
    # the router may still have them, so what it says (a diff's removed line) masks them.
    retired_session_passwords = EncryptedTextField(editable=False)
    napalm_password = EncryptedTextField(
        validators=[validate_napalm_password], help_text="Leave blank to use NAPALM_PASSWORD."
    )
    napalm_timeout = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3600)],
        help_text="Seconds; leave blank to use NAPALM_TIMEOUT.",
    )
    napalm_args = JSONObjectField(
        help_text="Optional driver arguments for this router only, as a JSON object.",
    )
    description = models.CharField(max_length=200, blank=True)
    # The jobs about this router (core.models.Job.target); kept when the router is deleted.
    jobs = JobRelation()

    class Meta:
        ordering = ["name"]
        permissions = [("deploy_router", "Can deploy configuration to routers")]

    def __str__(self) -> str:
        return self.name
