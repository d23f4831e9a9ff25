"""configs' API collections."""

from configs.api.views import ConfigTemplateViewSet

ROUTES = [("configs/templates", ConfigTemplateViewSet)]
