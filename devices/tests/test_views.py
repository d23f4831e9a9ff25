"""Router and platform pages: forms, write-only credentials, the job buttons, permissions."""

import pytest
from django.test import Client
from django.urls import reverse

from configs.models import ConfigTemplate
from core.choices import JobStatus
from core.models import Job
from core.tests.html import visible_text
from devices.models import Platform, Router


@pytest.fixture
def editor_client(make_user) -> Client:
    client = Client()
    client.force_login(
        make_user("devices.add_router", "devices.change_router", "devices.delete_platform",
                  username="editor")
    )  # fmt: skip
    return client


def _router_form(router: Router | None = None, **changes) -> dict:
    data = {
        "name": "r2",
        "hostname": "198.18.0.12",
        "status": "enabled",
        "poll_bgp_sessions_state": "on",
        "napalm_args": "{}",
    }
    if router is not None:
        data.update(
            name=router.name,
            hostname=router.hostname,
            platform=router.platform_id,
            local_autonomous_system=router.local_autonomous_system_id,
            config_template=router.config_template_id,
            napalm_args="{}",
        )
    data.update(changes)
    return data


def test_the_router_list_filters_searches_and_sorts(viewer_client, ui_inventory) -> None:
    Router.objects.create(name="edge-2", hostname="198.18.0.2", status="maintenance")

    def names(response) -> list[str]:
        return [row.record.name for row in response.context["table"].paginated_rows]

    assert names(viewer_client.get("/devices/routers/")) == ["edge-2", "r1"]
    assert names(viewer_client.get("/devices/routers/", {"status": "maintenance"})) == ["edge-2"]
    assert names(viewer_client.get("/devices/routers/", {"q": "127.0.0"})) == ["r1"]
    assert names(viewer_client.get("/devices/routers/", {"sort": "-name"})) == ["r1", "edge-2"]


def test_adding_a_router_shows_errors_beside_their_fields(editor_client, ui_inventory) -> None:
    response = editor_client.post(
        "/devices/routers/add/", _router_form(hostname="not a host!", napalm_args="[1, 2]")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"hostname", "napalm_args"}
    page = response.content.decode()
    assert 'id="id_hostname_error"' in page
    assert 'id="id_napalm_args_error"' in page
    assert not Router.objects.filter(name="r2").exists()

    response = editor_client.post("/devices/routers/add/", _router_form(napalm_password="pw"))
    router = Router.objects.get(name="r2")
    assert response["Location"] == f"/devices/routers/{router.pk}/"
    assert router.napalm_password.reveal() == "pw"


def test_a_stored_password_is_never_shown_and_blank_keeps_it(editor_client, ui_inventory) -> None:
    url = f"/devices/routers/{ui_inventory.pk}/edit/"
    token = ui_inventory.napalm_password.token
    for page in (editor_client.get(url), editor_client.get(f"/devices/routers/{ui_inventory.pk}/")):
        body = page.content.decode()
        assert "router-secret" not in body
        assert token not in body
    assert "A value is stored" in editor_client.get(url).content.decode()

    editor_client.post(url, _router_form(ui_inventory, description="kept"))
    ui_inventory.refresh_from_db()
    assert (ui_inventory.description, ui_inventory.napalm_password.reveal()) == (
        "kept",
        "router-secret",
    )
    editor_client.post(url, _router_form(ui_inventory, napalm_password_remove="on"))
    ui_inventory.refresh_from_db()
    assert ui_inventory.napalm_password is None


def test_the_router_page_shows_its_state_sessions_and_buttons(viewer_client, ui_inventory) -> None:
    response = viewer_client.get(f"/devices/routers/{ui_inventory.pk}/")
    text = visible_text(response)
    for shown in [
        "Platform FRRouting NAPALM driver frr",
        "Last polled —",
        "NAPALM arguments Argument Value From Timeout 30 s settings: NAPALM_TIMEOUT",
        "Password set on the router router",
        "192.0.2.11 AS64501 Peer One Demo IX ✘ Enabled Established 42",
        "198.51.100.1 AS64501 Peer One Transit",
        "Ping Configuration Diff Poll sessions",
    ]:
        assert shown in text, shown
    assert "Deploy" not in text
    assert "Edit" not in text
    assert 'class="badge state-established"' in response.content.decode()


@pytest.mark.parametrize(
    ("action", "kind"),
    [("ping", "ping"), ("diff", "deploy_dry_run"), ("poll", "poll")],
)
def test_a_button_starts_a_job_and_answers_with_its_panel(
    viewer_client, ui_inventory, action, kind
) -> None:
    url = reverse(f"devices:router_{action}", args=[ui_inventory.pk])
    assert viewer_client.get(url).status_code == 405
    response = viewer_client.post(url, HTTP_HX_REQUEST="true")
    job = Job.objects.get()
    assert (job.kind, job.target, job.status, job.user.username) == (
        kind,
        ui_inventory,
        JobStatus.PENDING,
        "viewer",
    )
    body = response.content.decode()
    assert f'hx-get="/jobs/{job.pk}/status/"' in body
    assert 'hx-trigger="every 1s"' in body


def test_deploying_needs_the_deploy_permission(viewer_client, make_user, ui_inventory) -> None:
    url = reverse("devices:router_deploy", args=[ui_inventory.pk])
    assert viewer_client.post(url).status_code == 403
    assert not Job.objects.exists()

    deployer = Client()
    deployer.force_login(make_user("devices.deploy_router", username="deployer"))
    page = deployer.get(f"/devices/routers/{ui_inventory.pk}/").content.decode()
    assert ">Deploy…</button>" in page
    # Deploy starts the diff; committing is the confirmation under it (test_deploy_confirm).
    assert deployer.post(url).status_code == 200
    job = Job.objects.get()
    assert (job.kind, job.arguments) == ("deploy_dry_run", {"offer_commit": True})


def test_the_configuration_is_rendered_with_passwords_masked(viewer_client, ui_inventory) -> None:
    url = reverse("devices:router_configuration", args=[ui_inventory.pk])
    body = viewer_client.get(url).content.decode()
    assert "neighbor 192.0.2.11 remote-as 64501" in body
    assert "neighbor 192.0.2.11 password ********" in body
    assert "session-secret" not in body


def test_a_template_error_is_shown_with_its_line(viewer_client, ui_inventory) -> None:
    ConfigTemplate.objects.filter(pk=ui_inventory.config_template_id).update(
        template="router bgp {{ local_as.asn }}\n neighbor {{ no_such_thing }}\n"
    )
    url = reverse("devices:router_configuration", args=[ui_inventory.pk])
    body = viewer_client.get(url).content.decode()
    assert "template “main” line 2: &#x27;no_such_thing&#x27; is undefined" in body


def test_a_platform_in_use_cannot_be_deleted(editor_client, ui_inventory) -> None:
    platform = ui_inventory.platform
    response = editor_client.post(f"/devices/platforms/{platform.pk}/delete/")
    assert response.status_code == 200
    assert "cannot be deleted while it is used by: r1" in response.content.decode()
    assert Platform.objects.filter(pk=platform.pk).exists()

    spare = Platform.objects.create(name="EOS", slug="eos", napalm_driver="eos")
    response = editor_client.post(f"/devices/platforms/{spare.pk}/delete/")
    assert response["Location"] == "/devices/platforms/"
    assert not Platform.objects.filter(pk=spare.pk).exists()


def test_a_viewer_cannot_add_change_or_delete(viewer_client, ui_inventory) -> None:
    for url in ("/devices/routers/add/", f"/devices/routers/{ui_inventory.pk}/edit/",
                f"/devices/routers/{ui_inventory.pk}/delete/"):  # fmt: skip
        assert viewer_client.get(url).status_code == 403
        assert viewer_client.post(url, _router_form()).status_code == 403
    assert Router.objects.count() == 1
