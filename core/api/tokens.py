"""The API's own tokens: a user lists, creates and revokes theirs (`/api/core/tokens/`)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.permissions import TokenWritePermission
from core.api.serializers import JSONTypesMixin, KnownFieldsMixin
from core.api.views import APIViewMixin
from core.models import Token


class TokenSerializer(KnownFieldsMixin, JSONTypesMixin, serializers.ModelSerializer):
    """A token as its user sees it: never its key, which only creation returns."""

    url = serializers.HyperlinkedIdentityField(view_name="api:core-tokens-detail")

    class Meta:
        model = Token
        fields = [
            "id",
            "url",
            "prefix",
            "description",
            "write_enabled",
            "created",
            "expires",
            "last_used",
        ]
        read_only_fields = ["prefix", "created", "last_used"]

    def validate_expires(self, value: Any) -> Any:
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError("The expiry must be in the future.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """A request authenticated by a token that expires makes or changes tokens only up
        to that expiry: a leaked short-lived token cannot outlive itself."""
        attrs = super().validate(attrs)
        request = self.context.get("request")
        auth = getattr(request, "auth", None)
        limited = isinstance(auth, Token) and auth.expires is not None
        if limited and (self.instance is None or "expires" in attrs):
            expires = attrs.get("expires")
            if expires is None or expires > auth.expires:
                raise serializers.ValidationError(
                    {
                        "expires": [
                            f"This request's token expires at {auth.expires.isoformat()}: "
                            "a token it makes or changes must expire no later."
                        ]
                    }
                )
        return attrs


class NewTokenSerializer(TokenSerializer):
    """A token just created, with its key: shown this once, kept nowhere."""

    key = serializers.CharField(read_only=True)

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "key"]


class TokenViewSet(
    APIViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The requesting user's tokens. Creating one answers with its key, once; deleting one
    revokes it at once. A read-only token can do none of the writes."""

    serializer_class = TokenSerializer
    permission_classes = [IsAuthenticated, TokenWritePermission]
    filterset_class = None
    queryset = Token.objects.none()  # for the schema; get_queryset gives the user's own

    def get_queryset(self) -> QuerySet[Token]:
        return Token.objects.filter(user=self.request.user)

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return NewTokenSerializer if self.action == "create" else TokenSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = TokenSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        token, key = Token.issue(request.user, **serializer.validated_data)
        token.key = key
        data = NewTokenSerializer(token, context=self.get_serializer_context()).data
        return Response(data, status=201)
