"""configs' API representations: configuration templates."""

from rest_framework import serializers

from configs.models import ConfigTemplate
from core.api.serializers import BriefSerializer, ValidatedModelSerializer


class BriefConfigTemplateSerializer(BriefSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:configs-templates-detail")

    class Meta:
        model = ConfigTemplate
        fields = ["id", "url", "display", "name"]


class ConfigTemplateSerializer(ValidatedModelSerializer):
    """A Jinja2 template; text that is not Jinja2 is refused naming the line."""

    url = serializers.HyperlinkedIdentityField(view_name="api:configs-templates-detail")

    class Meta:
        model = ConfigTemplate
        fields = [
            "id",
            "url",
            "display",
            "name",
            "template",
            "trim_blocks",
            "lstrip_blocks",
            "description",
        ]
