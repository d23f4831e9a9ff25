from changelog.views import ChangeViews

# The pages are named after the model's app label, "auditlog" (see core.links).
app_name = "auditlog"

urlpatterns = [*ChangeViews.urls("changelog")]
