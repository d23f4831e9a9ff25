"""Forms of routing policies and communities, and the assignment fields every level's
form has (import and export policies, communities, tags)."""

from __future__ import annotations

from typing import Any

from django import forms
from taggit.forms import TagField
from taggit.models import Tag

from core.forms import JSONObjectFormField
from peering.assignments import (
    ASSIGNMENT_FIELDS,
    policies_for,
    same_tags,
    wrong_direction_of_keys,
)
from peering.policy_models import Community, RoutingPolicy

TAGS_HELP = "Comma-separated; a tag that does not exist yet is created."
TAG_MAX_LENGTH = 100  # taggit's Tag.name


class TagsField(TagField):
    """Tags typed as "gold, europe" (taggit's syntax); a tag longer than a tag may be or
    holding a NUL character is an error beside the field."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", TAGS_HELP)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> list[Tag | str]:
        names = super().clean(value)
        for name in names:
            if len(name) > TAG_MAX_LENGTH:
                raise forms.ValidationError(
                    f"A tag is at most {TAG_MAX_LENGTH} characters: “{name[:40]}…” is longer.",
                    code="tag_too_long",
                )
            if "\x00" in name:
                raise forms.ValidationError("A tag cannot hold a NUL character.", code="tag_nul")
        return same_tags(names)

    def has_changed(self, initial: Any, data: Any) -> bool:
        """Whether the tags differ from `initial` (Tag objects) by name."""
        if self.disabled:
            return False
        try:
            typed = [tag.name if isinstance(tag, Tag) else tag for tag in self.clean(data)]
        except forms.ValidationError:
            return True
        return sorted(tag.name for tag in initial or []) != sorted(typed)


class PolicyChoiceField(forms.ModelMultipleChoiceField):
    """The import (or export) policies of an object: offers only the policies of that
    direction (or import-export); one of the other direction is refused by name."""

    def __init__(self, direction: str, **kwargs: Any) -> None:
        self.direction = direction
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", f"{direction.capitalize()} policies")
        super().__init__(queryset=policies_for(direction), **kwargs)

    def clean(self, value: Any) -> Any:
        try:
            return super().clean(value)
        except forms.ValidationError:
            why = wrong_direction_of_keys(value or [], self.direction)
            if why:
                raise forms.ValidationError(why, code="wrong_policy_type") from None
            raise


class AssignmentForm(forms.ModelForm):
    """What every level's form adds to its own fields (ASSIGNMENT_FIELDS): list them in
    Meta.fields."""

    import_routing_policies = PolicyChoiceField(
        "import", help_text="Applied to routes received; the nearest level with any wins."
    )
    export_routing_policies = PolicyChoiceField(
        "export", help_text="Applied to routes sent; the nearest level with any wins."
    )
    communities = forms.ModelMultipleChoiceField(
        queryset=Community.objects.all(),
        required=False,
        help_text="Added to those of the levels above.",
    )
    tags = TagsField()


class TaggedForm(forms.ModelForm):
    tags = TagsField()


class RoutingPolicyForm(TaggedForm):
    config_context = JSONObjectFormField(
        required=False, label="Config context", help_text="Free data for templates (JSON object)."
    )

    class Meta:
        model = RoutingPolicy
        fields = [
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


class CommunityForm(TaggedForm):
    class Meta:
        model = Community
        fields = ["name", "slug", "value", "type", "description", "tags"]


__all__ = ["ASSIGNMENT_FIELDS", "AssignmentForm", "CommunityForm", "RoutingPolicyForm"]
