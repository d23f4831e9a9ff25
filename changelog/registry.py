"""Which models the change log follows, and which of their fields.

The inventory: what users create, change and delete (pages, admin, API, commands). Not
the PeeringDB mirror (peeringdb.*), the IRR prefix lists (irr.*), jobs, or the history
tables (state changes, PeeringDB changes): those are written by Peerkeeper itself.

Of each model, the concrete fields users can edit are followed. Fields declared
`editable=False` are written by Peerkeeper, not by a user: the state a poll stores (BGP
state, prefix counts, when it was polled, whether the router has the session, the
poll's error) and bookkeeping (a router's retired session passwords). They are left
out, so that polling, which writes them in bulk every few minutes, never adds a change.

Many-to-many fields (a level's import and export policies and communities, a policy's
communities) and tags are followed too: adding or removing one is an entry of the object
it was added to or removed from, naming what was added or removed (`tracked_m2m_fields`).
"""

from __future__ import annotations

from django.apps import apps
from django.db import models

# "app_label.ModelName" of every model whose changes are recorded.
INVENTORY_MODELS = (
    "devices.Platform",
    "devices.Router",
    "peering.AutonomousSystem",
    "peering.InternetExchange",
    "peering.Connection",
    "peering.BGPGroup",
    "peering.DirectPeeringSession",
    "peering.InternetExchangePeeringSession",
    "peering.RoutingPolicy",
    "peering.Community",
    "configs.ConfigTemplate",
)


def tracked_models() -> list[type[models.Model]]:
    """The models of INVENTORY_MODELS, in that order."""
    return [apps.get_model(label) for label in INVENTORY_MODELS]


def is_tracked(model: type[models.Model]) -> bool:
    return model._meta.label in INVENTORY_MODELS


def tracked_fields(model: type[models.Model]) -> list[str]:
    """The names of the fields of `model` whose changes are recorded: its concrete,
    editable fields but the primary key."""
    return [
        field.name
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key
    ]


def tracked_m2m_fields(model: type[models.Model]) -> list[str]:
    """The many-to-many fields of `model` (tags included) whose additions and removals
    are recorded."""
    return [
        field.name for field in model._meta.get_fields() if field.many_to_many and field.concrete
    ]


def untracked_fields(model: type[models.Model]) -> list[str]:
    """The concrete fields of `model` the change log ignores (see the module's text)."""
    tracked = set(tracked_fields(model))
    return [
        field.name
        for field in model._meta.concrete_fields
        if field.name not in tracked and not field.primary_key
    ]


def register_inventory() -> None:
    """Register each inventory model with django-auditlog: its tracked fields, and its
    secrets masked (changelog.masking). Called once, by the app's ready()."""
    from auditlog.registry import auditlog

    from changelog.masking import secret_fields

    for model in tracked_models():
        auditlog.register(
            model,
            include_fields=tracked_fields(model),
            exclude_fields=untracked_fields(model),
            mask_fields=sorted(secret_fields(model)),
            m2m_fields=set(tracked_m2m_fields(model)),
        )
