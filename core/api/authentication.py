"""API tokens in the Authorization header: `Authorization: Token pk_…` (or `Bearer pk_…`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from core.models import Token

# last_used is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(seconds=60)
KEYWORDS = (b"token", b"bearer")


class TokenAuthentication(authentication.BaseAuthentication):
    """Authenticates a request by its API token (core.models.Token).

    No Authorization header: not this scheme (the next one, the browser's session, may
    apply; without any the API answers 401). A header of this scheme with an unknown,
    expired or malformed key, or a key of an inactive user: 401 with the reason."""

    def authenticate(self, request: Request) -> tuple[Any, Token] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "The Authorization header must be `Token <key>`, with the key and nothing else."
            )
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        token = Token.objects.select_related("user").filter(digest=Token.digest_of(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.is_expired:
            raise exceptions.AuthenticationFailed("This token has expired.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("This token's user is inactive.")
        self._touch(token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes a request without credentials a 401 (with this challenge), not a 403.
        return "Token"

    @staticmethod
    def _touch(token: Token) -> None:
        now = timezone.now()
        if token.last_used is None or now - token.last_used >= LAST_USED_RESOLUTION:
            Token.objects.filter(pk=token.pk).update(last_used=now)
            token.last_used = now


class TokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes TokenAuthentication."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`, with a key created on the API tokens page.",
        }
