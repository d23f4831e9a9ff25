"""Who may do what through the API: the pages' Django model permissions, and read-only
tokens."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from core.models import Token


class ModelPermissions(permissions.DjangoModelPermissions):
    """Django's model permissions, reading included: listing or reading an object needs
    `<app>.view_<model>`, as its pages do."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


class TokenWritePermission(permissions.BasePermission):
    """A read-only token may only read (GET, HEAD, OPTIONS)."""

    message = "This token is read-only."

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return not (isinstance(request.auth, Token) and not request.auth.write_enabled)
