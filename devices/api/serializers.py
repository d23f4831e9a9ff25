"""devices' API representations."""

from rest_framework import serializers

from core.api.serializers import ValidatedModelSerializer
from devices.models import Platform


class PlatformSerializer(ValidatedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:devices-platforms-detail")

    class Meta:
        model = Platform
        fields = [
            "id",
            "url",
            "display",
            "name",
            "slug",
            "napalm_driver",
            "napalm_args",
            "description",
        ]
