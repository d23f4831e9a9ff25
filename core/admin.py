from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest

from core.models import Job, Token


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = [
        "created", "kind", "target_name", "status", "origin", "requested_by", "finished"
    ]  # fmt: skip
    list_filter = ["status", "kind", "origin"]
    list_select_related = ["user"]
    search_fields = ["id", "target_name"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Token)
class TokenAdmin(admin.ModelAdmin):
    """API tokens of every user: revoke (delete) or narrow them here; users create their
    own on the API tokens page, which shows the key once."""

    list_display = ["prefix", "user", "description", "write_enabled", "expires", "last_used"]
    list_filter = ["write_enabled"]
    list_select_related = ["user"]
    search_fields = ["prefix", "description", "user__username"]
    fields = ["user", "prefix", "description", "write_enabled", "expires", "created", "last_used"]
    readonly_fields = ["user", "prefix", "created", "last_used"]

    def has_add_permission(self, request: object) -> bool:
        return False


class KeyCheckingAutocompleteSelect(AutocompleteSelect):
    """The admin's search-as-you-type select, showing a submitted value that is no key as none.

    Django's own looks the submitted value up to show it again, and a value that is not a
    key (a mistyped or tampered form) raises there instead of being reported beside the
    field like any other choice that does not exist.
    """

    def optgroups(self, name: str, value: list[Any], attrs: dict[str, Any] | None = None) -> Any:
        target = self.field.target_field
        keys = []
        for item in value:
            try:
                target.to_python(item)
            except ValidationError:
                continue
            keys.append(item)
        return super().optgroups(name, keys, attrs)


class AutocompleteAdminMixin(admin.ModelAdmin):
    """Use in a ModelAdmin with `autocomplete_fields`, for their key-checking select."""

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeyCheckingAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
