"""The serializer every inventory object's API uses: validated as its form validates it."""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.exceptions import validation_detail
from core.secrets import Secret


class ValidatedModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer that also runs the model's own validation (`full_clean`: field
    validators, `clean()`, uniqueness), so the API accepts exactly what the pages accept
    and a bad value is a 400 naming its field, never a database error.

    Adds `display` (the object's name as the pages show it) to every representation."""

    display = serializers.SerializerMethodField(read_only=True)

    def get_display(self, obj: models.Model) -> str:
        return str(obj)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        model = self.Meta.model
        many_to_many = {f.name for f in model._meta.many_to_many}
        # A copy: a rejected value must not stay on the instance the view holds.
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            if name not in many_to_many:
                setattr(instance, name, value)
        try:
            instance.full_clean(exclude=list(many_to_many))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(validation_detail(exc)) from None
        return attrs


class SecretField(serializers.CharField):
    """A password or key: written, never read back. Empty or null on write removes it; a
    field left out keeps the stored value. Reads see `<name>_set` (see SecretSetField)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("write_only", True)
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("style", {"input_type": "password"})
        super().__init__(**kwargs)


@extend_schema_field(OpenApiTypes.BOOL)
class SecretSetField(serializers.Field):
    """Whether a secret field (`secret_field`) holds a value: true or false, nothing more."""

    def __init__(self, secret_field: str, **kwargs: Any) -> None:
        self.secret_field = secret_field
        super().__init__(read_only=True, source="*", **kwargs)

    def to_representation(self, obj: models.Model) -> bool:
        return isinstance(getattr(obj, self.secret_field, None), Secret)
