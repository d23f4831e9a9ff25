"""configs' API: configuration templates."""

from configs.api.serializers import ConfigTemplateSerializer
from configs.filtersets import ConfigTemplateFilterSet
from configs.models import ConfigTemplate
from core.api.views import ModelViewSet


class ConfigTemplateViewSet(ModelViewSet):
    queryset = ConfigTemplate.objects.all()
    serializer_class = ConfigTemplateSerializer
    filterset_class = ConfigTemplateFilterSet
