"""The serializers every inventory object's API uses: validated as its form validates it,
related objects written as their id and read as a brief object, secrets write-only.

    class RouterSerializer(ValidatedModelSerializer):
        url = serializers.HyperlinkedIdentityField(view_name="api:devices-routers-detail")
        ...

    class BriefRouterSerializer(BriefSerializer):   # how other objects show a router
        url = serializers.HyperlinkedIdentityField(view_name="api:devices-routers-detail")

        class Meta:
            model = Router
            fields = ["id", "url", "display", "name"]

A foreign key of a ValidatedModelSerializer becomes a `RelatedField` by itself: the request
gives the related object's primary key (`"router": 3`), the response shows the related
model's brief serializer (`{"id": 3, "url": …, "display": "r1", "name": "r1"}`), and the
OpenAPI schema says both (an integer in the request component, the brief one in the
response component).
"""

from __future__ import annotations

import copy
from importlib import import_module
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.http import QueryDict
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.exceptions import validation_detail
from core.secrets import Secret, mask_options, unmask_options
from core.validators import validate_json_object

# The largest primary key any database here stores (a signed 64-bit integer): a bigger
# number names no object, and is not sent to the database (SQLite cannot take it).
MAX_PK = 2**63 - 1

# Brief serializers by model (BriefSerializer registers its subclasses).
_BRIEF: dict[type[models.Model], type[serializers.Serializer]] = {}


def brief_serializer_for(model: type[models.Model]) -> type[serializers.Serializer] | None:
    """The brief serializer of `model`, from its app's `api/serializers.py`; None if none."""
    if model not in _BRIEF:
        try:
            import_module(f"{model._meta.app_label}.api.serializers")
        except ModuleNotFoundError:
            return None
    return _BRIEF.get(model)


class BriefSerializer(serializers.ModelSerializer):
    """How an object shows inside another: `id`, `url`, `display` and its natural key.
    Read-only; each subclass declares `url` and Meta (model, fields)."""

    display = serializers.SerializerMethodField()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        meta = getattr(cls, "Meta", None)
        if meta is not None and getattr(meta, "model", None) is not None:
            _BRIEF[meta.model] = cls
            if "__doc__" not in cls.__dict__ or not cls.__doc__:
                cls.__doc__ = f"A {meta.model._meta.verbose_name} as other objects show it."
            meta.read_only_fields = list(meta.fields)

    def get_display(self, obj: models.Model) -> str:
        return str(obj)


class RelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key: written as the related object's primary key (an integer), read as the
    related model's brief serializer (`brief`)."""

    default_error_messages = {
        **serializers.PrimaryKeyRelatedField.default_error_messages,
        "does_not_exist": "There is no object with id {pk_value} to choose here.",
        "incorrect_type": "Expected the object's id, an integer, but got {data_type}.",
    }

    def __init__(self, brief: type[serializers.Serializer], **kwargs: Any) -> None:
        self.brief = brief
        super().__init__(**kwargs)

    def use_pk_only_optimization(self) -> bool:
        return False  # the brief form shows more than the id

    def to_internal_value(self, data: Any) -> models.Model:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str):  # a form's value (the browsable API's HTML form)
            digits = data.strip()
            # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
            if not (digits.isascii() and digits.isdigit()) or len(digits) > 19:
                self.fail("does_not_exist", pk_value=data[:40])
            data = int(data)
        if not 0 < data <= MAX_PK:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)

    def to_representation(self, value: models.Model) -> dict[str, Any]:
        # One brief serializer per field, reused for every row: building one per object
        # (its fields copied each time) was most of a long list's time.
        brief = self.__dict__.get("_brief_instance")
        if brief is None:
            brief = self.__dict__["_brief_instance"] = self.brief(context=self.context)
        return brief.to_representation(value)

    def get_choices(self, cutoff: int | None = None) -> dict[Any, str]:
        """The choices of the browsable API's form, by id (the value a form sends)."""
        queryset = self.get_queryset()
        if queryset is None:
            return {}
        if cutoff is not None:
            queryset = queryset[:cutoff]
        return {item.pk: self.display_value(item) for item in queryset}


class RelatedFieldScheme(OpenApiSerializerFieldExtension):
    """A RelatedField in the schema: an integer in requests, its brief object in responses."""

    target_class = RelatedField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        if direction == "request":
            return build_basic_type(OpenApiTypes.INT)
        return auto_schema.resolve_serializer(self.target.brief, direction).ref


class NAPALMArgsField(serializers.JSONField):
    """NAPALM optional arguments: a JSON object. Credentials among them are masked in
    responses (core.secrets.mask_options), as the pages show them; a write that sends the
    mask back where a credential was keeps the stored credential (the mask where none is
    stored is a 400)."""

    def to_representation(self, value: Any) -> Any:
        return mask_options(super().to_representation(value))

    def to_internal_value(self, data: Any) -> Any:
        # Checked first: unmasking walks the value, as deep as it nests.
        try:
            validate_json_object(data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        data = super().to_internal_value(data)
        instance = getattr(self.parent, "instance", None)
        stored = (
            getattr(instance, self.source, None) if isinstance(instance, models.Model) else None
        )
        try:
            return unmask_options(data, stored)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


extend_schema_field({"type": "object", "additionalProperties": {}})(NAPALMArgsField)


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

    def to_representation(self, value: Any) -> None:
        return None  # never a Secret's token, should a read ever reach here


@extend_schema_field(OpenApiTypes.BOOL)
class SecretSetField(serializers.Field):
    """Whether a secret field (`secret_field`) holds a value: true or false, nothing more."""

    def __init__(self, secret_field: str, **kwargs: Any) -> None:
        self.secret_field = secret_field
        super().__init__(read_only=True, source="*", **kwargs)

    def to_representation(self, obj: models.Model) -> bool:
        return isinstance(getattr(obj, self.secret_field, None), Secret)


def _concrete_field(model: type[models.Model], name: str) -> models.Field | None:
    try:
        field = model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist: a serializer-only name
        return None
    return field if getattr(field, "concrete", False) else None


def _json_kind(field: serializers.Field) -> tuple[tuple[type, ...], str] | None:
    """The JSON type(s) a field takes in a JSON body, and their name; None: any."""
    if isinstance(field, serializers.BooleanField):
        return (bool,), "a boolean"
    if isinstance(field, serializers.IntegerField | RelatedField):
        return (int,), "an integer"
    if isinstance(field, serializers.CharField | serializers.ChoiceField):
        if isinstance(field, serializers.MultipleChoiceField):
            return (list,), "a list"
        return (str,), "a string"
    if isinstance(field, serializers.DateTimeField | serializers.DateField):
        return (str,), "a string"
    if isinstance(field, serializers.ListField):
        return (list,), "a list"
    return None


def _json_type_name(value: Any) -> str:
    for kind, name in (
        (bool, "a boolean"),
        (int, "an integer"),
        (float, "a number"),
        (str, "a string"),
        (list, "a list"),
        (dict, "an object"),
    ):
        if isinstance(value, kind):
            return name
    return type(value).__name__


class RelatedFieldsMixin:
    """Foreign keys of a ModelSerializer as RelatedFields (the related model's brief
    serializer must exist), limited as the model limits their choices (`limit_choices_to`)."""

    serializer_related_field = RelatedField

    def build_relational_field(
        self, field_name: str, relation_info: Any
    ) -> tuple[type[serializers.Field], dict[str, Any]]:
        field_class, kwargs = super().build_relational_field(field_name, relation_info)  # type: ignore[misc]
        if relation_info.to_many or relation_info.reverse:
            return field_class, kwargs
        brief = brief_serializer_for(relation_info.related_model)
        if brief is None:
            raise TypeError(f"{relation_info.related_model.__name__} has no BriefSerializer")
        model_field = relation_info.model_field
        queryset = kwargs.get("queryset")
        limit = model_field.get_limit_choices_to() if model_field is not None else None
        if queryset is not None and limit:
            kwargs["queryset"] = queryset.complex_filter(limit)
        return RelatedField, {**kwargs, "brief": brief}


class KnownFieldsMixin:
    """A JSON body naming a field the serializer does not have (`"napalm_pasword"`) is a
    400 naming it, rather than a change silently left out. Fields that are only read
    (`id`, `url`, `display`...) are accepted and ignored, so that an object read can be
    written back. Form data (the browsable API) carries fields of its own and is not
    checked."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict) and not isinstance(data, QueryDict):
            unknown = sorted(name for name in data if name not in self.fields)  # type: ignore[attr-defined]
            if unknown:
                raise serializers.ValidationError(
                    {name: ["No field of this name can be written here."] for name in unknown}
                )
        return super().to_internal_value(data)  # type: ignore[misc]


class JSONTypesMixin:
    """In a JSON body every value must be of its field's JSON type: `"name": 5`,
    `"enabled": "true"` or `"status": ["enabled"]` is a 400 naming the field (DRF would
    turn 5 into "5" and "true" into True). Form data (the browsable API) is text, and
    converted as usual."""

    def to_internal_value(self, data: Any) -> Any:
        errors = self.json_type_errors(data)
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]

    def json_type_errors(self, data: Any) -> dict[str, list[str]]:
        """The fields of `data` (a JSON body) whose value is of the wrong JSON type."""
        if not isinstance(data, dict) or isinstance(data, QueryDict):
            return {}
        errors = {}
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            if field.read_only or name not in data or data[name] is None:
                continue
            kind = _json_kind(field)
            value = data[name]
            if kind is None:
                continue
            types, expected = kind
            if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
                errors[name] = [f"Expected {expected}, got {_json_type_name(value)}."]
        return errors


class ValidatedModelSerializer(
    KnownFieldsMixin, JSONTypesMixin, RelatedFieldsMixin, serializers.ModelSerializer
):
    """A ModelSerializer that also runs the model's own validation (`full_clean`: field
    validators, `clean()`, uniqueness and constraints), so the API accepts exactly what the
    pages accept and a bad value is a 400 naming its field, never a database error.

    - Adds `display` (the object's name as the pages show it) to every representation.
    - Foreign keys are RelatedFields (the related model's brief serializer must exist),
      limited as the model limits their choices (`limit_choices_to`).
    - In a JSON body every value must be of its field's JSON type: `"name": 5` or
      `"status": ["enabled"]` is a 400 (DRF would turn 5 into "5"); form data (the
      browsable API) is text and converted as usual (JSONTypesMixin). A field it does not
      have is a 400 too (KnownFieldsMixin).
    - `check(instance, attrs)`: what the pages' form checks beyond the model (a
      subclass's hook; the form and it call the same shared function).
    """

    display = serializers.SerializerMethodField(read_only=True)

    def get_display(self, obj: models.Model) -> str:
        return str(obj)

    def build_standard_field(
        self, field_name: str, model_field: models.Field
    ) -> tuple[type[serializers.Field], dict[str, Any]]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        # Integers within what every supported database stores (PostgreSQL's ranges), so
        # that SQLite accepts no number PostgreSQL would refuse.
        bounds = BaseDatabaseOperations.integer_field_ranges.get(model_field.get_internal_type())
        if bounds is not None and issubclass(field_class, serializers.IntegerField):
            low, high = bounds
            kwargs["min_value"] = max(kwargs.get("min_value", low), low)
            kwargs["max_value"] = min(kwargs.get("max_value", high), high)
        return field_class, kwargs

    def get_unique_together_validators(self) -> list[Any]:
        # The model's constraints are checked by full_clean (validate), as the forms do.
        return []

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
        # Saved as the model cleaned them (addresses normalised, blanks stripped...), so
        # that the response shows what is stored.
        for name in attrs:
            field = _concrete_field(model, name)
            if field is not None and not field.is_relation:
                attrs[name] = getattr(instance, field.attname)
        errors = self.check(instance, attrs)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def check(self, instance: models.Model, attrs: dict[str, Any]) -> dict[str, str]:
        """Errors by field of what the model's form checks beyond the model itself, on
        `instance` (a copy holding the new values); none by default."""
        return {}


class ReadOnlyModelSerializer(RelatedFieldsMixin, serializers.ModelSerializer):
    """A read-only collection's serializer: `display`, every model field read-only, and
    foreign keys as brief objects."""

    display = serializers.SerializerMethodField()

    def get_display(self, obj: models.Model) -> str:
        return str(obj)

    def get_extra_kwargs(self) -> dict[str, Any]:
        extra = super().get_extra_kwargs()
        for name in self.Meta.fields:
            extra.setdefault(name, {})["read_only"] = True
        return extra
