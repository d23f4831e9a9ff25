from django.contrib import admin
from django.http import HttpRequest

from irr.models import PrefixList


@admin.register(PrefixList)
class PrefixListAdmin(admin.ModelAdmin):
    """The cached lists: only the refresh (irr.refresh) writes them."""

    list_display = ["as_set", "fetched_at", "failed_at", "error"]
    search_fields = ["as_set"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
