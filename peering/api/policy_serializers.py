"""The API of routing policies, communities and tags: the policies' and communities' own
representations, and the assignment fields (`import_routing_policies`,
`export_routing_policies`, `communities`: lists of ids; `tags`: a list of names) that
every level's serializer has."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import QueryDict
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import MAX_PK, ValidatedModelSerializer
from core.validators import validate_json_object
from peering.assignments import same_tags, wrong_direction
from peering.policy_models import Community, RoutingPolicy

TAG_MAX_LENGTH = 100  # taggit's Tag.name


class KeyField(serializers.PrimaryKeyRelatedField):
    """An object written and read as its id; an id no object has is a 400 naming it."""

    default_error_messages = {
        **serializers.PrimaryKeyRelatedField.default_error_messages,
        "does_not_exist": "There is no object with id {pk_value} to choose here.",
        "incorrect_type": "Expected the object's id, an integer, but got {data_type}.",
    }

    def to_internal_value(self, data: Any) -> models.Model:
        if isinstance(data, str) and data.strip().isascii() and data.strip().isdigit():
            data = int(data.strip())  # a form's value (the browsable API)
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 0 < data <= MAX_PK:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class KeyListField(serializers.ManyRelatedField):
    """A list of ids; anything but a list (an object, a string) is a 400."""

    def to_internal_value(self, data: Any) -> list[models.Model]:
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        # In a JSON body an id is a number ("1" is refused, as everywhere in the API); a
        # form's values (the browsable API) are text.
        form = isinstance(getattr(self.parent, "initial_data", None), QueryDict)
        if not form:
            for item in data:
                if isinstance(item, bool) or not isinstance(item, int):
                    kind = type(item).__name__
                    raise serializers.ValidationError(
                        f"Expected a list of ids (integers), got {kind} {item!r:.40}."
                    )
        return super().to_internal_value(data)


@extend_schema_field({"type": "object", "additionalProperties": {}})
class JSONObjectField(serializers.JSONField):
    """A JSON object (free data for templates): anything else, text with a NUL character
    or nesting deeper than allowed is a 400."""

    def to_internal_value(self, data: Any) -> Any:
        try:
            validate_json_object(data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return super().to_internal_value(data)


def keys(queryset: models.QuerySet, help_text: str) -> KeyListField:
    """A list of ids of objects of `queryset`; optional, empty by default."""
    return KeyListField(
        child_relation=KeyField(queryset=queryset), required=False, help_text=help_text
    )


@extend_schema_field({"type": "array", "items": {"type": "string", "maxLength": TAG_MAX_LENGTH}})
class TagListField(serializers.Field):
    """Tags as a list of names; writing replaces them (a name not known yet creates the
    tag), `[]` removes them all."""

    default_error_messages = {
        "not_a_list": "Expected a list of tag names, got {kind}.",
        "not_a_name": "Each tag is a non-blank string of at most {limit} characters: {value}.",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "Tag names; writing replaces them.")
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> list[str]:
        return sorted(tag.name for tag in value.all())

    def to_internal_value(self, data: Any) -> list[str]:
        if not isinstance(data, list):
            self.fail("not_a_list", kind=type(data).__name__)
        names: list[str] = []
        for item in data:
            name = item.strip() if isinstance(item, str) else ""
            if not name or len(name) > TAG_MAX_LENGTH or "\x00" in name:
                self.fail("not_a_name", limit=TAG_MAX_LENGTH, value=repr(item)[:60])
            if name not in names:
                names.append(name)
        return names


class TaggedSerializer(ValidatedModelSerializer):
    """A ValidatedModelSerializer with `tags` (TagListField), written after the object."""

    tags = TagListField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        tags = attrs.pop("tags", None)
        attrs = super().validate(attrs)
        if tags is not None:
            attrs["tags"] = tags
        return attrs

    def create(self, validated_data: dict[str, Any]) -> models.Model:
        tags = validated_data.pop("tags", None)
        instance = super().create(validated_data)
        if tags is not None:
            instance.tags.set(same_tags(tags))
        return instance

    def update(self, instance: models.Model, validated_data: dict[str, Any]) -> models.Model:
        tags = validated_data.pop("tags", None)
        instance = super().update(instance, validated_data)
        if tags is not None:
            instance.tags.set(same_tags(tags))
        return instance


class AssignedSerializer(TaggedSerializer):
    """What every level's serializer has beside its own fields (list them in Meta.fields,
    peering.assignments.ASSIGNMENT_FIELDS): its import and export policies and its
    communities by id, and its tags. A policy of the wrong direction is a 400 naming it."""

    import_routing_policies = keys(
        RoutingPolicy.objects.all(),
        "Ids of import or import-export policies, applied to routes received.",
    )
    export_routing_policies = keys(
        RoutingPolicy.objects.all(),
        "Ids of export or import-export policies, applied to routes sent.",
    )
    communities = keys(Community.objects.all(), "Ids of communities assigned at this level.")

    def validate_import_routing_policies(self, value: list[RoutingPolicy]) -> list[RoutingPolicy]:
        return _one_direction(value, "import")

    def validate_export_routing_policies(self, value: list[RoutingPolicy]) -> list[RoutingPolicy]:
        return _one_direction(value, "export")


def _one_direction(policies: list[RoutingPolicy], direction: str) -> list[RoutingPolicy]:
    why = wrong_direction(policies, direction)
    if why:
        raise serializers.ValidationError(why)
    return policies


class RoutingPolicySerializer(TaggedSerializer):
    """A routing policy: what it matches (`match_communities`, ids; none: every route),
    what it sets (`set_communities`, `local_preference` on import, `as_path_prepend` on
    export), its order within a level (`weight`) and free data for templates
    (`config_context`)."""

    url = serializers.HyperlinkedIdentityField(view_name="api:peering-routing-policies-detail")
    match_communities = keys(Community.objects.all(), "Ids of the communities matched.")
    set_communities = keys(Community.objects.all(), "Ids of the communities added.")
    config_context = JSONObjectField(
        required=False, help_text="Free data for templates, a JSON object."
    )
    # A number, as stored (the model refuses any but these).
    address_family = serializers.IntegerField(
        required=False, help_text="0: IPv4 and IPv6 (default), 4: IPv4 only, 6: IPv6 only."
    )

    class Meta:
        model = RoutingPolicy
        fields = [
            "id",
            "url",
            "display",
            "name",
            "slug",
            "type",
            "address_family",
            "weight",
            "match_communities",
            "set_communities",
            "local_preference",
            "as_path_prepend",
            "config_context",
            "description",
            "tags",
        ]


class CommunitySerializer(TaggedSerializer):
    """A BGP community; `value` is stored in its canonical text and `kind` (standard,
    extended, large) follows from it."""

    url = serializers.HyperlinkedIdentityField(view_name="api:peering-communities-detail")

    class Meta:
        model = Community
        fields = ["id", "url", "display", "name", "slug", "value", "kind", "type"]
        fields = [*fields, "description", "tags"]
        read_only_fields = ["kind"]
