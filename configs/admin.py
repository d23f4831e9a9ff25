from django.contrib import admin

from configs.models import ConfigTemplate


@admin.register(ConfigTemplate)
class ConfigTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "trim_blocks", "lstrip_blocks", "description"]
    search_fields = ["name", "template"]
