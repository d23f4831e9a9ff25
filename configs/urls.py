from configs.views import ConfigTemplateViews

app_name = "configs"

urlpatterns = [*ConfigTemplateViews.urls("templates")]
