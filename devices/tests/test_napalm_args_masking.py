"""Credentials among NAPALM optional arguments stay masked wherever people see them: the
edit pages and the admin (the box shows the mask; submitting it back keeps the stored
credential), the API, and the change log (which says a credential changed)."""

from __future__ import annotations

import json

import pytest
from auditlog.models import LogEntry
from django.test import Client

from changelog.masking import CHANGED_MARK
from changelog.tests.recorded import entries
from core.secrets import Secret
from core.tests.api import APIClient
from devices.models import Platform, Router

STORED = {"secret": "Canary-Enable-1", "transport": "ssh", "nested": [{"password": "Canary-2"}]}
ODD_NAMES = {"Password": "Canary-3", "enable-password": "Canary-4", "auth_token": "Canary-5",
             "api_key": "Canary-6", "timeout": 5}  # fmt: skip
CANARIES = ("Canary-Enable-1", "Canary-2", "Canary-3", "Canary-4", "Canary-5", "Canary-6")


@pytest.fixture
def router(db) -> Router:
    platform = Platform.objects.create(name="FRR", slug="frr", napalm_driver="frr")
    return Router.objects.create(
        name="r9", hostname="127.0.0.1", platform=platform, napalm_args={**STORED, **ODD_NAMES}
    )


@pytest.fixture
def admin_client_(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def form_data(page_context: dict, **changes: object) -> dict[str, object]:
    form = page_context["adminform"].form if "adminform" in page_context else page_context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()  # as the box shows it (NAPALM arguments: JSON text)
        if value is None or name == "napalm_password":
            continue
        data[name] = value
    data.update(changes)
    return {key: value for key, value in data.items() if value is not False}


@pytest.mark.parametrize(
    "url", ["/devices/routers/{pk}/edit/", "/admin/devices/router/{pk}/change/"]
)
def test_edit_pages_show_credentials_masked_and_keep_them(admin_client_, router, url):
    url = url.format(pk=router.pk)
    page = admin_client_.get(url)
    html = page.content.decode()
    assert not [canary for canary in CANARIES if canary in html]
    assert Secret.MASK in html
    data = form_data(page.context)
    if "adminform" in page.context:
        data["_save"] = "Save"
    response = admin_client_.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    router.refresh_from_db()
    assert router.napalm_args == {**STORED, **ODD_NAMES}


def test_a_mask_where_no_credential_is_stored_is_refused(admin_client_, router, admin_user):
    url = f"/devices/routers/{router.pk}/edit/"
    page = admin_client_.get(url)
    args = json.dumps({"transport": "ssh", "key_passphrase": Secret.MASK})
    response = admin_client_.post(url, form_data(page.context, napalm_args=args))
    assert response.status_code == 200
    assert "the mask of a credential that is not stored" in response.content.decode()
    router.refresh_from_db()
    assert router.napalm_args["secret"] == "Canary-Enable-1"

    api = APIClient(admin_user)
    refused = api.patch(f"/api/devices/routers/{router.pk}/", {"napalm_args": {"secret": "x",
                        "key_passphrase": Secret.MASK}})  # fmt: skip
    assert refused.status_code == 400
    assert "not stored" in json.dumps(refused.json())
    created = api.post(
        "/api/devices/platforms/",
        {
            "name": "EOS",
            "slug": "eos",
            "napalm_driver": "eos",
            "napalm_args": {"secret": Secret.MASK},
        },
    )
    assert created.status_code == 400


def test_the_api_masks_credentials_whatever_their_spelling(router, admin_user):
    body = APIClient(admin_user).get(f"/api/devices/routers/{router.pk}/").content.decode()
    assert not [canary for canary in CANARIES if canary in body]
    args = json.loads(body)["napalm_args"]
    assert args["Password"] == args["enable-password"] == args["auth_token"] == Secret.MASK
    assert args["timeout"] == 5 and args["transport"] == "ssh"


def test_the_change_log_says_a_credential_among_the_arguments_changed(admin_client_, router):
    url = f"/devices/routers/{router.pk}/edit/"
    page = admin_client_.get(url)
    masked = json.loads(page.context["form"]["napalm_args"].value())
    masked["secret"] = "Canary-New-7"
    response = admin_client_.post(url, form_data(page.context, napalm_args=json.dumps(masked)))
    assert response.status_code == 302
    router.refresh_from_db()
    assert router.napalm_args["secret"] == "Canary-New-7"
    assert router.napalm_args["nested"] == [{"password": "Canary-2"}]
    change = [e for e in entries(Router) if e.action == LogEntry.Action.UPDATE][-1]
    old, new = change.changes_dict["napalm_args"]
    recorded = json.dumps(change.changes_dict)
    assert "Canary" not in recorded
    assert CHANGED_MARK in str(new) and CHANGED_MARK not in str(old)
