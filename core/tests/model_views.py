"""The pages of a model, tested once for every model (after the idea of NetBox's
ViewTestCases; our own code). Declare a model's cases with the actions its pages have:

    class TestPlatformPages(ModelPageCases):
        model = Platform
        invalid_changes = {"napalm_args": "[1, 2]"}

        def make(self) -> Platform: ...          # a new instance, saved
        def form_data(self) -> dict: ...         # what a browser posts for a valid form

`ModelPageCases` tests list, detail, add, edit and delete; a model with fewer pages
combines the cases of the ones it has (`ListPageCases`, `DetailPageCases`...). For each
page, GET and (for forms) POST:

- anonymous: sent to the login page, nothing changed;
- logged in with every permission but the page's own: 403, nothing changed;
- with only the page's permission: the page, or the redirect and the object created,
  changed (as posted) or deleted;
- a form with invalid data: the form again, the error beside its field, nothing saved.

The model's pages are found in the URL configuration (core.views.generic.ModelViews), so
the cases follow the URLs; core/tests/test_model_views.py checks that every model with
pages has cases for every page it has.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import quote

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.db.models import Model
from django.forms import BaseForm
from django.forms.utils import ErrorList
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from core.forms import SecretFormField
from core.links import add_url, list_url, object_url
from core.tests.html import visible_text
from core.views.generic import ModelViews

APPS = ("core", "devices", "peering", "configs", "changelog")
NON_FIELD_ERRORS = "__all__"
# What each page of a model needs (Django's model permissions).
PERMISSION_OF_ACTION = {
    "list": "view",
    "detail": "view",
    "add": "add",
    "edit": "change",
    "delete": "delete",
}
# Filter and sort parameters no list page knows, or with values no filter takes.
JUNK_QUERY = {"q": "\x00'\"<>", "status": "no-such", "sort": "no_such_column", "per_page": "x"}


def _patterns(entries: list[URLPattern | URLResolver]) -> Iterator[URLPattern]:
    for entry in entries:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns)
        else:
            yield entry


def all_model_views() -> dict[type[Model], type[ModelViews]]:
    """Every model with pages, and its ModelViews, from the URL configuration."""
    found: dict[type[Model], type[ModelViews]] = {}
    for pattern in _patterns(get_resolver().url_patterns):
        views = getattr(pattern.callback, "view_initkwargs", {}).get("views")
        if views is not None and issubclass(views, ModelViews):
            found[views.queryset.model] = views
    return found


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the apps' tables, to tell that a refused request changed nothing."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for label in APPS
        for model in apps.get_app_config(label).get_models()
    }


def permission_name(model: type[Model], action: str) -> str:
    """The permission a model's page needs: "devices.change_router" for its edit page."""
    meta = model._meta
    return f"{meta.app_label}.{PERMISSION_OF_ACTION[action]}_{meta.model_name}"


def _permissions(names: list[str]) -> list[Permission]:
    found = []
    for name in names:
        app_label, codename = name.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


def user_with(*names: str, username: str = "allowed") -> User:
    """A user with exactly these permissions ("app.codename")."""
    user = User.objects.create_user(username)  # force_login: no password to hash
    user.user_permissions.set(_permissions(list(names)))
    return user


def user_without(name: str, username: str = "refused") -> User:
    """A user with every permission there is but this one."""
    user = User.objects.create_user(username)
    user.user_permissions.set(
        Permission.objects.exclude(pk__in=[p.pk for p in _permissions([name])])
    )
    return user


def login_redirect(url: str) -> str:
    """Where an anonymous request for `url` is sent."""
    return f"{resolve_url(settings.LOGIN_URL)}?next={quote(url, safe='/')}"


def changed_fields(form: BaseForm) -> list[str]:
    """The fields whose data differs from the form's object. Unlike form.changed_data,
    without the hidden "initial-" inputs a browser sends for fields with a callable
    default (they would make such a field always changed here)."""
    return [
        name
        for name, field in form.fields.items()
        if field.has_changed(form[name].initial, form[name].data)
    ]


class PageCases:
    """What the cases of every page share: the model, its pages' URLs, clients."""

    model: ClassVar[type[Model]]

    def make(self) -> Model:
        """A new instance of the model, saved (with whatever it needs)."""
        raise NotImplementedError

    @property
    def views(self) -> type[ModelViews]:
        return all_model_views()[self.model]

    def url(self, action: str, obj: Model | None = None) -> str:
        if action == "list":
            return list_url(self.model)
        if action == "add":
            return add_url(self.model)
        url = object_url(obj, "" if action == "detail" else action)
        assert url is not None, f"{self.model.__name__} has no {action} page"
        return url

    def client_with(self, action: str) -> Client:
        """Logged in as a user with only the permission the page of `action` needs."""
        client = Client()
        client.force_login(user_with(permission_name(self.model, action)))
        return client

    def client_without(self, action: str) -> Client:
        """Logged in as a user with every permission but the one the page needs."""
        client = Client()
        client.force_login(user_without(permission_name(self.model, action)))
        return client

    def assert_refused_to_anonymous(self, client: Client, method: str, url: str) -> None:
        before = snapshot()
        response = getattr(client, method)(url, {})
        assert response.status_code == 302, (method, url, response.status_code)
        assert response["Location"] == login_redirect(url)
        assert snapshot() == before

    def assert_forbidden(
        self, action: str, method: str, url: str, data: dict | None = None
    ) -> None:
        before = snapshot()
        response = getattr(self.client_without(action), method)(url, data or {})
        assert response.status_code == 403, (method, url, response.status_code)
        assert snapshot() == before


class ListPageCases(PageCases):
    """The list page: the objects in a table, filters, sorting, paging."""

    def test_list_sends_anonymous_users_to_log_in(self, client: Client, db) -> None:
        self.assert_refused_to_anonymous(client, "get", self.url("list"))

    def test_list_is_forbidden_without_the_view_permission(self, db) -> None:
        self.make()
        self.assert_forbidden("list", "get", self.url("list"))

    def test_list_shows_the_objects(self, db) -> None:
        obj = self.make()
        response = self.client_with("list").get(self.url("list"))
        assert response.status_code == 200
        assert obj in [row.record for row in response.context["table"].paginated_rows]

    def test_list_answers_unknown_filters_and_sorting(self, db) -> None:
        obj = self.make()
        response = self.client_with("list").get(self.url("list"), JUNK_QUERY)
        assert response.status_code == 200
        assert obj not in [row.record for row in response.context["table"].paginated_rows]

    def test_list_answers_a_negative_page_size(self, db) -> None:
        self.make()
        client = self.client_with("list")
        client.raise_request_exception = False
        response = client.get(self.url("list"), {"per_page": "-1"})
        assert response.status_code == 200


class DetailPageCases(PageCases):
    """The object's page: its fields, related tables, and the buttons the user may use."""

    def test_detail_sends_anonymous_users_to_log_in(self, client: Client, db) -> None:
        self.assert_refused_to_anonymous(client, "get", self.url("detail", self.make()))

    def test_detail_is_forbidden_without_the_view_permission(self, db) -> None:
        self.assert_forbidden("detail", "get", self.url("detail", self.make()))

    def heading(self, obj: Model) -> str:
        """What the object's page says it is, in its heading."""
        return str(obj)

    def test_detail_shows_the_object(self, db) -> None:
        obj = self.make()
        response = self.client_with("detail").get(self.url("detail", obj))
        assert response.status_code == 200
        assert response.context["object"] == obj
        assert self.heading(obj) in visible_text(response)

    def test_detail_answers_a_negative_page_size_in_its_tables(self, db) -> None:
        obj = self.make()
        client = self.client_with("detail")
        client.raise_request_exception = False
        query = {f"t{position}-per_page": "-1" for position in range(len(self.views.related))}
        response = client.get(self.url("detail", obj), query)
        assert response.status_code == 200

    def test_detail_of_a_missing_object_is_not_found(self, db) -> None:
        obj = self.make()
        url = self.url("detail", obj)
        obj.delete()
        assert self.client_with("detail").get(url).status_code == 404

    def test_detail_shows_edit_and_delete_only_to_who_may(self, db) -> None:
        obj = self.make()
        links = [
            f'href="{url}"'
            for url in (object_url(obj, "edit"), object_url(obj, "delete"))
            if url is not None
        ]
        viewer = self.client_with("detail")
        page = viewer.get(self.url("detail", obj)).content.decode()
        assert not [link for link in links if link in page]
        meta = self.model._meta
        editor = Client()
        editor.force_login(
            user_with(
                *(f"{meta.app_label}.{p}_{meta.model_name}" for p in ("view", "change", "delete")),
                username="editor",
            )
        )
        page = editor.get(self.url("detail", obj)).content.decode()
        assert [link for link in links if link in page] == links


class FormPageCases(PageCases):
    """What the add and edit pages share: valid and invalid data, and checking it stored."""

    # Changes to form_data() that the form must refuse (None: leave the field out)...
    invalid_changes: ClassVar[dict[str, str | None]]
    # ...and the field whose error says so (NON_FIELD_ERRORS: an error about the whole form).
    invalid_field: ClassVar[str | None] = None

    def form_data(self) -> dict[str, Any]:
        """What a browser posts for a valid form (a checked box is "on", an unchecked one
        is left out); different from what make() creates, so that an edit changes it."""
        raise NotImplementedError

    def invalid_form_data(self) -> dict[str, Any]:
        data = self.form_data()
        for name, value in self.invalid_changes.items():
            if value is None:
                data.pop(name, None)
            else:
                data[name] = value
        return data

    def error_field(self) -> str:
        if self.invalid_field is not None:
            return self.invalid_field
        [name] = self.invalid_changes
        return name

    def bound_form(self, data: dict[str, Any], obj: Model | None = None) -> BaseForm:
        return self.views.form_class(data=data, instance=obj)

    def assert_stored(self, obj: Model, data: dict[str, Any]) -> None:
        """The object, read afresh, holds what was posted: the same form on it sees no
        change (a secret, never shown, is compared with what it reveals)."""
        obj = type(obj).objects.get(pk=obj.pk)
        form = self.bound_form(data, obj)
        assert form.is_valid(), form.errors
        secrets = {
            name for name, field in form.fields.items() if isinstance(field, SecretFormField)
        }
        changed = [name for name in changed_fields(form) if name not in secrets]
        assert changed == [], {name: form[name].initial for name in changed}
        for name in secrets:
            if data.get(name):
                assert getattr(obj, name).reveal() == data[name]

    def assert_refused_beside_the_field(self, response: HttpResponse) -> None:
        assert response.status_code == 200, response.status_code
        form = response.context["form"]
        field = self.error_field()
        errors: ErrorList = form.errors.get(field)
        assert errors, f"no error for {field}: {form.errors.as_data()}"
        if field == NON_FIELD_ERRORS:
            for error in errors:
                assert error in visible_text(response)
        else:
            assert f'id="id_{field}_error"' in response.content.decode()


class AddPageCases(FormPageCases):
    """The add page: an empty form; a valid one creates the object and opens its page."""

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_add_sends_anonymous_users_to_log_in(self, client: Client, db, method: str) -> None:
        self.assert_refused_to_anonymous(client, method, self.url("add"))

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_add_is_forbidden_without_the_add_permission(self, db, method: str) -> None:
        self.assert_forbidden("add", method, self.url("add"), self.form_data())

    def test_add_creates_the_object(self, db) -> None:
        client = self.client_with("add")
        assert client.get(self.url("add")).status_code == 200
        data = self.form_data()
        existing = set(self.model.objects.values_list("pk", flat=True))
        response = client.post(self.url("add"), data)
        assert response.status_code == 302, response.context and response.context["form"].errors
        [obj] = self.model.objects.exclude(pk__in=existing)
        assert response["Location"] == (object_url(obj) or list_url(self.model))
        self.assert_stored(obj, data)

    def test_add_refuses_invalid_data_beside_the_field(self, db) -> None:
        data = self.invalid_form_data()
        before = snapshot()
        self.assert_refused_beside_the_field(self.client_with("add").post(self.url("add"), data))
        assert snapshot() == before

    def test_add_takes_any_initial_value_from_the_link(self, db) -> None:
        """Links pre-fill the add form from the query string; junk there is shown, not a 500."""
        fields = self.views.form_class.base_fields
        query = dict.fromkeys(fields, "junk'\"<>")
        assert self.client_with("add").get(self.url("add"), query).status_code == 200


class EditPageCases(FormPageCases):
    """The edit page: the object's form; a valid one saves it and opens its page."""

    def edit_data(self, obj: Model) -> dict[str, Any]:
        """Valid data that changes `obj`."""
        return self.form_data()

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_edit_sends_anonymous_users_to_log_in(self, client: Client, db, method: str) -> None:
        self.assert_refused_to_anonymous(client, method, self.url("edit", self.make()))

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_edit_is_forbidden_without_the_change_permission(self, db, method: str) -> None:
        obj = self.make()
        self.assert_forbidden("edit", method, self.url("edit", obj), self.edit_data(obj))

    def test_edit_saves_the_object(self, db) -> None:
        obj = self.make()
        data = self.edit_data(obj)
        assert changed_fields(self.bound_form(data, obj)), "edit_data() changes nothing"
        client = self.client_with("edit")
        assert client.get(self.url("edit", obj)).status_code == 200
        response = client.post(self.url("edit", obj), data)
        assert response.status_code == 302, response.context and response.context["form"].errors
        assert response["Location"] == (object_url(obj) or list_url(self.model))
        self.assert_stored(obj, data)

    def test_edit_refuses_invalid_data_beside_the_field(self, db) -> None:
        obj = self.make()
        data = self.edit_data(obj)
        for name, value in self.invalid_changes.items():
            if value is None:
                data.pop(name, None)
            else:
                data[name] = value
        before = snapshot()
        response = self.client_with("edit").post(self.url("edit", obj), data)
        self.assert_refused_beside_the_field(response)
        assert snapshot() == before

    def test_edit_of_a_missing_object_is_not_found(self, db) -> None:
        obj = self.make()
        url = self.url("edit", obj)
        obj.delete()
        client = self.client_with("edit")
        assert client.get(url).status_code == 404
        assert client.post(url, self.form_data()).status_code == 404


class DeletePageCases(PageCases):
    """The delete page: a confirmation; posting it deletes the object and opens the list."""

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_delete_sends_anonymous_users_to_log_in(self, client: Client, db, method: str) -> None:
        self.assert_refused_to_anonymous(client, method, self.url("delete", self.make()))

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_delete_is_forbidden_without_the_delete_permission(self, db, method: str) -> None:
        self.assert_forbidden("delete", method, self.url("delete", self.make()))

    def test_delete_deletes_the_object(self, db) -> None:
        obj = self.make()
        client = self.client_with("delete")
        page = client.get(self.url("delete", obj))
        assert page.status_code == 200
        assert str(obj) in visible_text(page)
        response = client.post(self.url("delete", obj))
        assert response.status_code == 302
        assert response["Location"] == list_url(self.model)
        assert not self.model.objects.filter(pk=obj.pk).exists()


class InUseDeleteCases(PageCases):
    """For a model that other objects keep from being deleted (on_delete=PROTECT)."""

    def make_in_use(self) -> Model:
        """An instance that another object keeps from being deleted."""
        raise NotImplementedError

    def test_delete_of_an_object_in_use_says_what_uses_it(self, db) -> None:
        obj = self.make_in_use()
        before = snapshot()
        response = self.client_with("delete").post(self.url("delete", obj))
        assert response.status_code == 200
        assert "cannot be deleted while it is used by: " in visible_text(response)
        assert snapshot() == before


class ModelPageCases(ListPageCases, DetailPageCases, AddPageCases, EditPageCases, DeletePageCases):
    """Every page of a model: list, detail, add, edit and delete."""


# Which cases test which page (core/tests/test_model_views.py checks every page has them).
CASES_OF_ACTION: dict[str, type[PageCases]] = {
    "list": ListPageCases,
    "detail": DetailPageCases,
    "add": AddPageCases,
    "edit": EditPageCases,
    "delete": DeletePageCases,
}
