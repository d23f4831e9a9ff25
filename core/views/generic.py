"""List, detail, add/edit and delete pages, declared once per model with `ModelViews`.

    class PlatformViews(ModelViews):
        queryset = Platform.objects.all()
        table_class, filterset_class, form_class = PlatformTable, PlatformFilterSet, PlatformForm

    urlpatterns = [*PlatformViews.urls("platforms")]

Each page checks Django's model permission for its action (view, add, change, delete);
a logged-in user without it gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Model, ProtectedError, QuerySet, RestrictedError
from django.forms import BaseForm
from django.http import HttpResponse
from django.urls import URLPattern, path
from django.views.generic import DeleteView, DetailView, UpdateView
from django_filters import FilterSet
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from core.links import add_url, list_url, object_url
from core.views.details import detail_rows

# A related table on a detail page: its title and a function building it from the object.
Related = tuple[str, Callable[[Any], tables.Table]]
RELATED_PER_PAGE = 25


def model_permissions(user: Any, model: type[Model]) -> dict[str, bool]:
    """Which of add / change / delete the user may do, for showing the matching buttons."""
    meta = model._meta
    return {
        action: user.has_perm(f"{meta.app_label}.{action}_{meta.model_name}")
        for action in ("add", "change", "delete")
    }


def refused_deletion(name: str, exc: ProtectedError | RestrictedError) -> str:
    """Why an object (called `name`, e.g. "router") was not deleted: what still uses it."""
    objects = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
    used_by = sorted(str(obj) for obj in objects if obj is not None)
    shown = ", ".join(used_by[:5]) + (f" and {len(used_by) - 5} more" if len(used_by) > 5 else "")
    return f"The {name} cannot be deleted while it is used by: {shown}."


class ObjectPermissionMixin(PermissionRequiredMixin):
    views: type[ModelViews] | None = None
    action = "view"
    raise_exception = True  # 403 for a logged-in user; anonymous ones never get this far

    @property
    def object_model(self) -> type[Model]:
        return self.views.queryset.model

    def get_action(self) -> str:
        return self.action

    def get_permission_required(self) -> list[str]:
        meta = self.object_model._meta
        return [f"{meta.app_label}.{self.get_action()}_{meta.model_name}"]

    def get_queryset(self) -> QuerySet:
        return self.views.queryset.all()

    def page_context(self) -> dict[str, Any]:
        meta = self.object_model._meta
        return {
            "model_meta": meta,
            "can": model_permissions(self.request.user, self.object_model),
            "list_url": list_url(self.object_model) if "list" in self.views.actions else None,
        }


class ObjectListView(ObjectPermissionMixin, SingleTableMixin, FilterView):
    template_name = "core/object_list.html"
    paginate_by = 50

    def get_queryset(self) -> QuerySet:
        # `is None`, not `or`: the truth of a queryset would read every row.
        listed = self.views.list_queryset
        queryset = (self.views.queryset if listed is None else listed).all()
        # GROUP BY (count annotations) drops Meta.ordering; pages need a stable order.
        return (
            queryset if queryset.ordered else queryset.order_by(*self.object_model._meta.ordering)
        )

    def get_table_class(self) -> type[tables.Table]:
        return self.views.table_class

    def get_filterset_class(self) -> type[FilterSet]:
        return self.views.filterset_class

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.page_context())
        if "add" in self.views.actions and context["can"]["add"]:
            context["add_url"] = add_url(self.object_model)
        return context


class ObjectDetailView(ObjectPermissionMixin, DetailView):
    context_object_name = "object"

    def get_template_names(self) -> list[str]:
        return [self.views.detail_template]

    def labels(self) -> dict[str, str]:
        form_class = getattr(self.views, "form_class", None)
        fields = form_class.base_fields.items() if form_class else ()
        return {name: str(field.label) for name, field in fields if field.label} | self.views.labels

    def related_tables(self, obj: Model) -> list[tuple[str, tables.Table]]:
        built = []
        for position, (title, build) in enumerate(self.views.related):
            table = build(obj)
            table.prefix = f"t{position}-"
            RequestConfig(self.request, paginate={"per_page": RELATED_PER_PAGE}).configure(table)
            built.append((title, table))
        return built

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.page_context())
        context["rows"] = detail_rows(self.object, self.views.shown_fields(), self.labels())
        context["related"] = self.related_tables(self.object)
        context["edit_url"] = object_url(self.object, "edit")
        context["delete_url"] = object_url(self.object, "delete")
        return context


class ObjectEditView(ObjectPermissionMixin, UpdateView):
    """Adds an object (no pk in the URL) or changes one; errors show beside their field."""

    template_name = "core/object_edit.html"

    def get_action(self) -> str:
        return "change" if "pk" in self.kwargs else "add"

    def get_object(self, queryset: QuerySet | None = None) -> Model | None:
        return super().get_object(queryset) if "pk" in self.kwargs else None

    def get_form_class(self) -> type[BaseForm]:
        return self.views.form_class

    def get_initial(self) -> dict[str, Any]:
        # "Add a session to this connection" links pre-fill fields from the query string.
        initial = super().get_initial()
        if self.object is None:
            fields = self.views.form_class.base_fields
            initial.update({k: v for k, v in self.request.GET.items() if k in fields})
        return initial

    def form_valid(self, form: BaseForm) -> HttpResponse:
        verb = "Created" if self.object is None else "Saved"
        response = super().form_valid(form)
        messages.success(
            self.request, f"{verb} {self.object_model._meta.verbose_name} {self.object}."
        )
        return response

    def get_success_url(self) -> str:
        return object_url(self.object) or list_url(self.object_model)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.page_context())
        context["cancel_url"] = object_url(self.object) or context["list_url"] or "/"
        return context


class ObjectDeleteView(ObjectPermissionMixin, DeleteView):
    action = "delete"
    template_name = "core/object_delete.html"

    def form_valid(self, form: BaseForm) -> HttpResponse:
        name = f"{self.object_model._meta.verbose_name} {self.object}"
        try:
            response = super().form_valid(form)
        except (ProtectedError, RestrictedError) as exc:
            form.add_error(None, refused_deletion(name, exc))
            return self.form_invalid(form)
        messages.success(self.request, f"Deleted {name}.")
        return response

    def get_success_url(self) -> str:
        return list_url(self.object_model)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.page_context())
        context["cancel_url"] = object_url(self.object)
        return context


class ModelViews:
    """One model's pages: set the attributes in a subclass, then add `urls(prefix)`."""

    queryset: ClassVar[QuerySet]  # detail, edit, delete (select_related what they show)
    list_queryset: ClassVar[QuerySet | None] = None  # the list page, when it needs more
    table_class: ClassVar[type[tables.Table]]
    filterset_class: ClassVar[type[FilterSet]]
    form_class: ClassVar[type[BaseForm]]
    # The detail page shows the form's fields, then these (read-only ones, say)...
    extra_detail_fields: ClassVar[list[str]] = []
    # ...unless this lists exactly what to show.
    detail_fields: ClassVar[list[str] | None] = None
    # Labels of fields the form does not have (the form's labels serve the others).
    labels: ClassVar[dict[str, str]] = {}
    related: ClassVar[list[Related]] = []
    detail_template: ClassVar[str] = "core/object_detail.html"
    actions: ClassVar[tuple[str, ...]] = ("list", "add", "detail", "edit", "delete")
    pk_type: ClassVar[str] = "int"
    list_view: ClassVar[type[ObjectListView]] = ObjectListView
    detail_view: ClassVar[type[ObjectDetailView]] = ObjectDetailView
    edit_view: ClassVar[type[ObjectEditView]] = ObjectEditView
    delete_view: ClassVar[type[ObjectDeleteView]] = ObjectDeleteView

    @classmethod
    def shown_fields(cls) -> list[str]:
        if cls.detail_fields is not None:
            return cls.detail_fields
        return [*cls.form_class._meta.fields, *cls.extra_detail_fields]

    @classmethod
    def urls(cls, prefix: str) -> list[URLPattern]:
        name = cls.queryset.model._meta.model_name
        pk = f"<{cls.pk_type}:pk>"
        routes = {
            "list": (f"{prefix}/", cls.list_view, f"{name}_list"),
            "add": (f"{prefix}/add/", cls.edit_view, f"{name}_add"),
            "detail": (f"{prefix}/{pk}/", cls.detail_view, name),
            "edit": (f"{prefix}/{pk}/edit/", cls.edit_view, f"{name}_edit"),
            "delete": (f"{prefix}/{pk}/delete/", cls.delete_view, f"{name}_delete"),
        }
        return [
            path(route, view.as_view(views=cls), name=url_name)
            for action, (route, view, url_name) in routes.items()
            if action in cls.actions
        ]
