from django.contrib import admin

from core.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["created", "kind", "router", "status", "user", "finished"]
    list_filter = ["status", "kind"]
    list_select_related = ["router", "user"]
    search_fields = ["id", "router__name"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
