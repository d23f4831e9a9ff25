"""A crawl of every page and form: no page answers 500, and no bad input changes anything.

The pages come from the URL configuration and the admin's registry, so a new model's
pages are crawled without being listed here. Every field of every add and edit form is
sent input that users, imports and scripts have sent: a refused form answers 200 with the
error beside the field and leaves the database as it was; an accepted one stores exactly
what was typed. Nothing here talks to a router.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.validators import MaxLengthValidator
from django.db import models, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from core.choices import BGPState
from core.fields import EncryptedTextField, JSONObjectField
from core.forms import SecretFormField
from core.models import Job, Token
from core.validators import (
    validate_bgp_session_password,
    validate_hostname_or_address,
    validate_irr_as_set,
    validate_napalm_password,
)
from core.views.generic import ModelViews
from devices.models import Router
from peering.models import BGPSessionStateChange, InternetExchangePeeringSession

APPS = ("core", "devices", "peering", "configs")
# What a refused form must not have changed: those apps' tables and the tags.
SNAPSHOT_APPS = (*APPS, "taggit")

# Input each kind of field must refuse, with an error beside it.
BAD_JSON = [
    "null",
    "[1, 2]",
    '"port=22"',
    "{port: 22}",
    '{"port": NaN}',
    '{"port": 1e999}',
    '{"key_file": "\\u0000"}',
    '{"port": ' + "9" * 5000 + "}",
    "[" * 100_000,
]
BAD_HOSTNAMES = ["999.1.1.1", "NaN", "0x7f.0.0.1", "r1;reboot", "x" * 300]
BAD_SESSION_PASSWORDS = ["p" * 200_000, "p" * 81, "secret\nrouter bgp 1", "contraseña"]
BAD_NAPALM_PASSWORDS = ["p" * 200_000]
# Input any field may refuse or accept; an accepted value must be stored as typed.
ANY_TEXT = ["x" * 200_000, "NUL \x00 byte", "TELEFÓNICA DE ESPAÑA", "Zürich Fiber AG"]
ANY_NUMBER = ["-1", "9" * 30, "1.5", "NaN", "1e999"]
ANY_CHOICE = ["999999", "not-a-choice"]
# Input a field accepts, and what it stores.
GOOD = {
    "json": [("", {})],
    "hostname": [("os.system", "os.system")],
    "irr": [("as-foo, RIPE::AS-BAR", "as-foo, RIPE::AS-BAR")],
}
# What bgpq4 must never be given as an AS-SET: an option, a shell character, free text.
BAD_IRR_OBJECTS = ["-R32", "AS-X;id", "TELEFÓNICA DE ESPAÑA", "x" * 300]


@dataclass(frozen=True)
class Attempt:
    field: str
    value: str
    must_refuse: bool


def _field_kind(model_field: models.Field | None, form_field: forms.Field) -> str:
    if isinstance(model_field, JSONObjectField):
        return "json"
    if isinstance(model_field, EncryptedTextField) or isinstance(form_field, SecretFormField):
        return "secret"
    if model_field is not None and validate_hostname_or_address in model_field.validators:
        return "hostname"
    if model_field is not None and validate_irr_as_set in model_field.validators:
        return "irr"
    if isinstance(form_field, forms.BooleanField):
        return "boolean"
    if isinstance(form_field, forms.ChoiceField | forms.ModelChoiceField):
        return "choice"
    if isinstance(form_field, forms.IntegerField | forms.FloatField | forms.DecimalField):
        return "number"
    return "text"


def _attempts(form: forms.ModelForm) -> Iterator[Attempt]:
    """Every hostile value for every field of the form."""
    model = form._meta.model
    for name, form_field in form.fields.items():
        try:
            model_field = model._meta.get_field(name)
        except Exception:
            model_field = None
        kind = _field_kind(model_field, form_field)
        if kind == "json":
            yield from (Attempt(name, value, True) for value in BAD_JSON)
        elif kind == "hostname":
            yield from (Attempt(name, value, True) for value in BAD_HOSTNAMES)
        elif kind == "irr":
            yield from (Attempt(name, value, True) for value in BAD_IRR_OBJECTS)
        elif kind == "secret":
            validators = model_field.validators if model_field else []
            if validate_bgp_session_password in validators:
                yield from (Attempt(name, value, True) for value in BAD_SESSION_PASSWORDS)
            if validate_napalm_password in validators:
                yield from (Attempt(name, value, True) for value in BAD_NAPALM_PASSWORDS)
        elif kind == "choice":
            yield from (Attempt(name, value, True) for value in ANY_CHOICE)
        elif kind == "number":
            yield from (Attempt(name, value, False) for value in ANY_NUMBER)
        elif kind == "text":
            yield from (Attempt(name, value, False) for value in ANY_TEXT)


def _form_data(form: forms.BaseForm) -> dict[str, Any]:
    """What a browser sends back for the form as shown: its current values, unchanged."""
    data: dict[str, Any] = {}
    for bound in form:
        if isinstance(bound.field, SecretFormField):
            continue  # a blank box keeps the stored secret
        value = bound.value()
        if isinstance(bound.field.widget, forms.CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(item) for item in value]
        else:
            data[bound.html_name] = "" if value is None else str(value)
    return data


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the apps' tables, to tell that a refused form changed nothing."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for label in SNAPSHOT_APPS
        for model in apps.get_app_config(label).get_models()
    }


class _Undo(Exception):
    pass


def _post_and_undo(client: Client, url: str, data: dict[str, Any]) -> tuple[HttpResponse, Any]:
    """POST, read the database as the POST left it, then undo it for the next attempt."""
    after = None
    try:
        with transaction.atomic():
            response = client.post(url, data)
            if response.status_code != 500:  # a failed statement leaves nothing to read
                after = _snapshot()
            raise _Undo
    except _Undo:
        pass
    return response, after


def _stored(obj: models.Model, name: str) -> Any:
    obj.refresh_from_db()
    return getattr(obj, name)


@pytest.fixture
def crawler(ui_inventory: Router) -> Client:
    """A superuser, so that every page and form is open, on the small UI inventory."""
    Job.objects.create(kind="ping", target=ui_inventory, target_name="r1", output="r1: reachable")
    BGPSessionStateChange.objects.create(
        ixp_session=InternetExchangePeeringSession.objects.get(),
        from_state=None,
        to_state=BGPState.ESTABLISHED,
        at=timezone.now(),
    )
    client = Client(raise_request_exception=False)
    root = User.objects.create_superuser("root", password="a-long-test-password")
    Token.issue(root, description="crawled")
    client.force_login(root)
    return client


def _patterns(
    resolvers: list[URLPattern | URLResolver], namespace: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            # The admin is crawled from its own registry, the API from its schema
            # (core/tests/test_api_fuzz.py).
            if entry.namespace not in ("admin", "api"):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from _patterns(entry.url_patterns, inner)
        elif entry.name:
            yield f"{namespace}{entry.name}", entry


def _model_of(name: str, pattern: URLPattern) -> type[models.Model] | None:
    """The model of a page: its view's, else the one its name says (`<app>:<model>_...`)."""
    view = pattern.callback
    views = getattr(view, "view_initkwargs", {}).get("views")
    if views is not None:
        return views.queryset.model
    queryset = getattr(getattr(view, "view_class", None), "queryset", None)
    if queryset is not None:
        return queryset.model
    app_label, page = name.split(":", 1)
    try:
        return apps.get_model(app_label, page.split("_")[0])
    except LookupError:
        return None


def _page_urls() -> list[str]:
    """Every named page of the URL configuration, on the first object of its model."""
    urls = []
    for name, pattern in _patterns(get_resolver().url_patterns):
        arguments = set(pattern.pattern.converters)
        if not arguments:
            urls.append(reverse(name))
        elif arguments == {"pk"}:
            model = _model_of(name, pattern)
            assert model is not None, f"no model found for the page {name}"
            obj = model.objects.order_by("pk").first()
            assert obj is not None, f"the crawl's inventory has no {model._meta.verbose_name}"
            urls.append(reverse(name, kwargs={"pk": obj.pk}))
        else:
            pytest.fail(f"the crawl does not know how to fill {arguments} in {name}")
    return urls


def _admin_urls(user: User) -> list[str]:
    request = RequestFactory().get("/admin/")
    request.user = user
    urls = []
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{prefix}_changelist"))
        if model_admin.has_add_permission(request):
            urls.append(reverse(f"{prefix}_add"))
        obj = model.objects.order_by("pk").first()
        if obj is not None:
            for action in ("change", "delete", "history"):
                # The change log's entries cannot be deleted, even by a superuser.
                if action != "delete" or model_admin.has_delete_permission(request, obj):
                    urls.append(reverse(f"{prefix}_{action}", args=[obj.pk]))
    return urls


def _edit_pages() -> list[tuple[str, str]]:
    """(url, kind) of every add and edit form: the UI's, then the admin's change forms."""
    pages = []
    for name, pattern in _patterns(get_resolver().url_patterns):
        views = getattr(pattern.callback, "view_initkwargs", {}).get("views")
        if views is None or not issubclass(views, ModelViews):
            continue
        model = views.queryset.model
        if name.endswith("_add"):
            pages.append((reverse(name), "add"))
        elif name.endswith("_edit"):
            pk = model.objects.order_by("pk").values_list("pk", flat=True).first()
            pages.append((reverse(name, kwargs={"pk": pk}), "edit"))
    for model in admin.site._registry:
        if model._meta.app_label not in APPS:
            continue
        obj = model.objects.order_by("pk").first()
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages.append((reverse(f"{prefix}_change", args=[obj.pk]), "admin"))
    return pages


def test_every_page_answers_without_an_error(crawler: Client) -> None:
    urls = _page_urls() + _admin_urls(User.objects.get(username="root"))
    assert len(urls) > 50
    failures = []
    for url in urls:
        response = crawler.get(url)
        # 405: a button that only takes POST; 302: a page that sends elsewhere.
        if response.status_code not in (200, 302, 405):
            failures.append(f"GET {url}: {response.status_code}")
    assert failures == []


def test_every_form_refuses_bad_input_beside_the_field_and_changes_nothing(
    crawler: Client,
) -> None:
    failures: list[str] = []
    checked = 0
    for url, kind in _edit_pages():
        page = crawler.get(url)
        form_key = "adminform" if kind == "admin" else "form"
        if kind == "admin" and not page.context["has_change_permission"]:
            continue  # read-only in the admin (jobs, state changes)
        form = page.context[form_key]
        form = form.form if kind == "admin" else form
        baseline = _form_data(form) | ({"_save": "Save"} if kind == "admin" else {})
        obj = form.instance if kind != "add" else None
        before = _snapshot()
        if kind != "add":
            response, _ = _post_and_undo(crawler, url, baseline)
            assert response.status_code == 302, f"{url} refuses its own values"

        for attempt in _attempts(form):
            if kind != "edit" and not attempt.must_refuse:
                continue  # free input is checked once, on the UI's edit forms
            checked += 1
            where = f"POST {url} {attempt.field}={attempt.value[:40]!r}"
            response, after = _post_and_undo(
                crawler, url, baseline | {attempt.field: attempt.value}
            )
            if response.status_code not in (200, 302):
                failures.append(f"{where}: {response.status_code}")
                continue
            if response.status_code == 302:
                if attempt.must_refuse:
                    failures.append(f"{where}: accepted")
                elif after == before:
                    failures.append(f"{where}: accepted but nothing stored")
                continue
            errors = response.context[form_key]
            errors = (errors.form if kind == "admin" else errors).errors
            if after != before:
                failures.append(f"{where}: refused, yet the database changed")
            if (kind != "add" or attempt.must_refuse) and attempt.field not in errors:
                failures.append(f"{where}: refused without an error beside the field {errors}")
            shown = f'id="id_{attempt.field}_error"' in response.content.decode()
            if kind != "admin" and attempt.field in errors and not shown:
                failures.append(f"{where}: the error is not shown beside the field")

        if obj is None:
            continue
        # What the forms accept, they store exactly as typed.
        for name in form.fields:
            for value in ANY_TEXT[2:] if _is_text(form, name) else []:
                _check_stored(crawler, url, baseline, obj, name, value, value, failures)
            field = _model_field(form, name)
            for good_kind, cases in GOOD.items():
                if field is not None and _field_kind(field, form.fields[name]) == good_kind:
                    for value, stored in cases:
                        _check_stored(crawler, url, baseline, obj, name, value, stored, failures)
    assert checked > 300
    assert failures == []


def _model_field(form: forms.ModelForm, name: str) -> models.Field | None:
    try:
        return form._meta.model._meta.get_field(name)
    except Exception:
        return None


def _is_text(form: forms.ModelForm, name: str) -> bool:
    """A field for free text: any letters, no format to follow."""
    field = _model_field(form, name)
    return (
        type(field) in (models.CharField, models.TextField)
        and not field.choices
        and not field.unique
        and all(isinstance(v, MaxLengthValidator) for v in field.validators)
    )


def _check_stored(
    client: Client,
    url: str,
    baseline: dict[str, Any],
    obj: models.Model,
    name: str,
    value: str,
    expected: Any,
    failures: list[str],
) -> None:
    where = f"POST {url} {name}={value!r}"
    try:
        with transaction.atomic():
            response = client.post(url, baseline | {name: value})
            if response.status_code != 302:
                errors = response.context and response.context.get("form")
                failures.append(f"{where}: {response.status_code} {getattr(errors, 'errors', '')}")
            elif _stored(obj, name) != expected:
                failures.append(f"{where}: stored {_stored(obj, name)!r}")
            raise _Undo
    except _Undo:
        pass
