"""configure_routers against the lab's real FRR router."""

import io
import json
import threading
import time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from configs.deploy import DeployOptions, configure_router
from configs.models import ConfigTemplate
from core.choices import JobStatus
from core.job_runner import run as run_job
from core.jobs import enqueue
from core.models import Job
from devices.models import Router
from peering.models import AutonomousSystem, InternetExchangePeeringSession
from peerkeeper.testing import run_command, wait_for, wait_for_job

P1, P2, P3 = "192.0.2.11", "192.0.2.12", "192.0.2.13"
# Seconds the router gives a commit before it reverts it unless confirmed (the least
# configure_routers accepts is 5; the check after the commit needs some).
CONFIRM_S = 8
# Seconds after its timer fires within which a revert has changed the running configuration
# (frr-reload starts deleting lines about 0.5 s in), and has finished (it removes and adds
# back each neighbour whose AS changed line by line: about 4 s in the lab).
REVERT_STARTS_S = 3
REVERT_APPLY_S = 15


@pytest.fixture
def deployer_client(make_user) -> Client:
    client = Client()
    client.force_login(make_user("devices.deploy_router", username="deployer"))
    return client


def _running_config(lab) -> str:
    return lab.router("r1").vtysh("show running-config")


def _neighbor_state(lab, address: str) -> str | None:
    peers = lab.router("r1").json("show bgp vrf all summary json")
    for vrf in peers.values():
        for family in vrf.values():
            if isinstance(family, dict) and address in family.get("peers", {}):
                return family["peers"][address]["state"]
    return None


def _without_p3() -> None:
    InternetExchangePeeringSession.objects.filter(autonomous_system__asn=64503).delete()
    AutonomousSystem.objects.filter(asn=64503).delete()


def test_adding_a_peer_deploys_it_and_a_second_run_changes_nothing(demo_inventory, lab) -> None:
    _without_p3()
    status, out, _ = run_command("configure_routers")
    assert status == 0, out
    assert _neighbor_state(lab, P3) is None

    peer = AutonomousSystem.objects.create(asn=64503, name="Peer Three", ipv4_max_prefixes=100)
    InternetExchangePeeringSession.objects.create(
        ixp_connection=demo_inventory.connections.get(), autonomous_system=peer, ip_address=P3
    )
    status, out, _ = run_command("configure_routers")
    assert status == 0, out
    assert "r1: changed: committed" in out
    wait_for(lambda: _neighbor_state(lab, P3) == "Established", 10, "p3 established")
    assert _neighbor_state(lab, "2001:db8:1::13") is None

    before = _running_config(lab)
    status, out, _ = run_command("configure_routers")
    assert status == 0
    assert "r1: unchanged: nothing to change" in out
    assert _running_config(lab) == before


def test_disabling_a_session_shuts_it_down_and_enabling_it_brings_it_back(
    demo_inventory, lab
) -> None:
    """A disabled session is written `neighbor X shutdown`, so the merge takes it down;
    enabled again, `no neighbor X shutdown` takes the shutdown away. A second deployment
    changes nothing either way."""
    assert run_command("configure_routers")[0] == 0
    wait_for(lambda: _neighbor_state(lab, P1) == "Established", 30, "p1 established")
    session = InternetExchangePeeringSession.objects.get(ip_address=P1)
    for status, running_line in (("disabled", True), ("enabled", False)):
        session.status = status
        session.save()
        code, out, _ = run_command("configure_routers")
        assert code == 0, out
        assert "r1: changed: committed" in out
        shut = f" neighbor {P1} shutdown\n" in _running_config(lab)
        assert shut is running_line
        assert f"no neighbor {P1} shutdown" not in _running_config(lab)
        assert "r1: unchanged: nothing to change" in run_command("configure_routers")[1]
        if not running_line:
            wait_for(lambda: _neighbor_state(lab, P1) == "Established", 60, "p1 back up")
        else:
            assert _neighbor_state(lab, P1) != "Established"


def test_dry_run_prints_the_diff_and_changes_nothing(demo_inventory, lab) -> None:
    before = _running_config(lab)
    status, out, _ = run_command("configure_routers", "--dry-run")
    assert status == 0, out
    assert "r1: changed: would change (dry run)" in out
    assert f"+ neighbor {P3} remote-as 64503" in out
    assert _running_config(lab) == before
    assert _neighbor_state(lab, P3) is None


def test_changing_a_max_prefix_changes_exactly_that_line(demo_inventory, lab) -> None:
    run_command("configure_routers")
    before = _running_config(lab).splitlines()
    AutonomousSystem.objects.filter(asn=64502).update(ipv4_max_prefixes=15000)
    status, out, _ = run_command("configure_routers")
    assert status == 0, out
    after = _running_config(lab).splitlines()
    removed = [line for line in before if line not in after]
    added = [line for line in after if line not in before]
    assert [line.strip() for line in removed] == ["neighbor 192.0.2.12 maximum-prefix 12000"]
    assert [line.strip() for line in added] == ["neighbor 192.0.2.12 maximum-prefix 15000"]


def test_limit_processes_only_the_named_routers(demo_inventory) -> None:
    Router.objects.create(name="r2", hostname="127.0.0.1", platform=demo_inventory.platform)
    status, out, _ = run_command("configure_routers", "--limit", "r2", "--dry-run")
    assert "r1" not in out
    assert "r2: skipped: no configuration template" in out
    status, _, err = run_command("configure_routers", "--limit", "r1,r9")
    assert status != 0
    assert "Unknown router: r9" in err


def test_a_template_error_never_reaches_the_router(demo_inventory, lab) -> None:
    # A second inventory router for the same lab device, with a working template.
    twin = Router.objects.get(pk=demo_inventory.pk)
    twin.pk, twin.name = None, "r1-twin"
    twin.save()
    broken = ConfigTemplate.objects.create(
        name="broken", template="router bgp {{ local_as.asn }}\n neighbor {{ nope }}\n"
    )
    Router.objects.filter(name="r1").update(config_template=broken)
    before = _running_config(lab)

    status, out, _ = run_command("configure_routers", "--dry-run")
    assert status != 0
    assert "r1: failed (input error): template “broken” line 2: 'nope' is undefined" in out
    # The twin (no connection, so no sessions: its candidate is in r1 already) was still
    # rendered, loaded and compared on the router.
    assert "r1-twin: unchanged: nothing to change" in out
    assert _running_config(lab) == before


def _config_keeps(lab, holds, until: float, what: str) -> None:
    """Read r1's running configuration until time.monotonic() passes `until`: `holds` must
    be true of every read."""
    started = time.monotonic()
    while True:
        assert holds(_running_config(lab)), (
            f"{what}: no longer so {time.monotonic() - started:.1f} s on"
        )
        if time.monotonic() > until:
            return
        time.sleep(0.3)


class _ConfigWatch(threading.Thread):
    """Reads r1's running configuration every 0.2 s and notes when `line` first appears
    in it and when it is first gone again (time.monotonic())."""

    def __init__(self, lab, line: str) -> None:
        super().__init__(daemon=True)
        self.lab, self.line = lab, line
        self.appeared: float | None = None
        self.gone: float | None = None
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set() and self.gone is None:
            present = self.line in _running_config(self.lab)
            now = time.monotonic()
            if present and self.appeared is None:
                self.appeared = now
            elif not present and self.appeared is not None:
                self.gone = now
            self.stop.wait(0.2)


def test_json_output_and_a_confirmed_commit_outlives_its_timer(demo_inventory, lab) -> None:
    wait_for(lambda: _neighbor_state(lab, P2) == "Established", 30, "p2 established")
    status, out, _ = run_command("configure_routers", "--commit-confirm", str(CONFIRM_S), "--json")
    returned = time.monotonic()
    assert status == 0, out
    (result,) = json.loads(out)["results"]
    assert (result["router"], result["committed"]) == ("r1", True)
    assert f"+ neighbor {P3} remote-as 64503" in result["diff"]
    # The timer was set before the command returned: watch until it would have fired and
    # a revert have begun. Confirmed, the change stays all along.
    _config_keeps(
        lab,
        lambda config: f"neighbor {P3} remote-as 64503" in config,
        until=returned + CONFIRM_S + REVERT_STARTS_S,
        what="the confirmed change is on r1",
    )
    wait_for(lambda: _neighbor_state(lab, P3) == "Established", 10, "p3 established")
    status, out, _ = run_command("configure_routers", "--dry-run")
    assert "r1: unchanged" in out


def test_a_commit_that_is_not_confirmed_is_reverted_by_the_router(demo_inventory, lab) -> None:
    """p2's AS changed to one p2 does not have: its session cannot come back, so the change
    is not confirmed and the router itself takes it back when the timer fires."""
    wait_for(lambda: _neighbor_state(lab, P2) == "Established", 30, "p2 established")
    before = _running_config(lab)
    changed_line = f"neighbor {P2} remote-as 64599"
    assert changed_line not in before and f"neighbor {P3} " not in before
    AutonomousSystem.objects.filter(asn=64502).update(asn=64599)

    watch = _ConfigWatch(lab, changed_line)
    watch.start()
    try:
        result = configure_router(demo_inventory, DeployOptions(commit_confirm=CONFIRM_S))
        returned = time.monotonic()
        assert (result.outcome, result.ok, result.committed) == ("failed", False, False)
        assert f"+ {changed_line}" in result.diff
        assert f"+ neighbor {P3} remote-as 64503" in result.diff
        # Wait, with a deadline, until the router has taken the change back.
        wait_for(
            lambda: watch.gone is not None or not watch.is_alive(),
            CONFIRM_S + REVERT_STARTS_S,
            "the revert",
        )
    finally:
        watch.stop.set()
        watch.join(10)
    assert watch.appeared is not None, "the change never reached r1"
    assert watch.gone is not None, "the change was never reverted"
    # Kept until the timer fired: not discarded by the deployment when it gave up.
    assert watch.gone - watch.appeared >= CONFIRM_S - 1
    assert watch.gone > returned
    # The router is back to exactly what it ran before, and p2 is up again.
    wait_for(lambda: _running_config(lab) == before, REVERT_APPLY_S, "the whole revert")
    wait_for(lambda: _neighbor_state(lab, P2) == "Established", 30, "p2 established again")
    assert _neighbor_state(lab, P3) is None


@pytest.mark.parametrize("flag", ["--no-commit-check"])
def test_no_commit_check_pushes_without_comparing(demo_inventory, lab, flag) -> None:
    status, out, _ = run_command("configure_routers", flag)
    assert status == 0, out
    assert "r1: changed: committed without comparing" in out
    wait_for(lambda: _neighbor_state(lab, P3) == "Established", 10, "p3 established")


def test_session_passwords_are_masked_in_diffs(demo_inventory, lab) -> None:
    session = InternetExchangePeeringSession.objects.get(ip_address=P3)
    session.password = "md5-secret-value"
    session.save()
    status, out, _ = run_command("configure_routers", "--dry-run")
    assert status == 0, out
    assert "md5-secret-value" not in out
    assert f"neighbor {P3} password ********" in out


def _secrets_seen(secrets: list[str], *texts: str) -> list[str]:
    return [secret for secret in secrets if any(secret in text for text in texts)]


def test_a_changed_password_is_masked_on_both_sides_of_the_diff(
    demo_inventory, lab, job_worker
) -> None:
    session = InternetExchangePeeringSession.objects.get(ip_address=P3)
    session.password = "old-secret-1"
    session.save()
    status, out, _ = run_command("configure_routers")
    assert status == 0, out
    assert f"neighbor {P3} password old-secret-1" in _running_config(lab)

    session.password = "new-secret-2"
    session.save()
    status, out, _ = run_command("configure_routers", "--dry-run")
    job = wait_for_job(enqueue("deploy_dry_run", target=demo_inventory), timeout=90)
    assert job.status == JobStatus.COMPLETED, job.error
    dump = io.StringIO()
    call_command("dumpdata", "core.job", stdout=dump)
    log_file = (settings.LOG_DIR / "peerkeeper.log").read_text()
    for diff in (out, job.output):
        assert f"- neighbor {P3} password ********" in diff
        assert f"+ neighbor {P3} password ********" in diff
    seen = _secrets_seen(
        ["old-secret-1", "new-secret-2"],
        out,
        job.output,
        json.dumps(job.log),
        json.dumps(job.result),
        dump.getvalue(),
        log_file,
    )
    assert seen == []


def test_a_derived_form_of_a_password_is_masked_in_the_diff(demo_inventory, lab) -> None:
    # IOS-XR style: the stored value is "7 <hash>"; the template writes the hash only.
    template = demo_inventory.config_template
    template.template = template.template.replace(
        "password {{ session.password }}", "password {{ session.password[2:] }}"
    )
    template.save()
    session = InternetExchangePeeringSession.objects.get(ip_address=P3)
    session.password = "7 045612150A22595C0C09"
    session.save()
    status, out, _ = run_command("configure_routers", "--dry-run")
    assert status == 0, out
    assert f"+ neighbor {P3} password ********" in out
    assert "045612150A22595C0C09" not in out and "0456121" not in out


def test_no_commit_check_on_an_unchanged_r1_says_unchanged_then_changed_with_the_diff(
    demo_inventory, lab
) -> None:
    status, out, _ = run_command("configure_routers")
    assert status == 0, out
    before = _running_config(lab)
    status, out, _ = run_command("configure_routers", "--no-commit-check")
    assert status == 0, out
    assert out.splitlines() == [
        "r1: unchanged: committed without comparing; the running configuration is as it was",
        "1 router: 0 changed, 1 unchanged, 0 pushed, 0 skipped, 0 failed",
    ]
    assert _running_config(lab) == before

    AutonomousSystem.objects.filter(asn=64502).update(ipv4_max_prefixes=15000)
    status, out, _ = run_command("configure_routers", "--no-commit-check", "--json")
    assert status == 0, out
    (result,) = json.loads(out)["results"]
    assert (result["status"], result["committed"]) == ("changed", True)
    changed = [
        line
        for line in result["diff"].splitlines()
        if line.startswith(("-", "+")) and not line.startswith(("---", "+++"))
    ]
    assert [line.split() for line in changed] == [
        ["-", "neighbor", P2, "maximum-prefix", "12000"],
        ["+", "neighbor", P2, "maximum-prefix", "15000"],
    ]


def _deploy_page_flow(client, router) -> Job:
    """Press Deploy on the router's page, run the diff; press Commit this change: the
    deploy job, queued."""
    client.post(reverse("devices:router_deploy", args=[router.pk]), HTTP_HX_REQUEST="true")
    diff = Job.objects.get(kind="deploy_dry_run")
    run_job(str(diff.pk))
    diff.refresh_from_db()
    assert diff.status == JobStatus.COMPLETED, diff.error
    panel = client.get(reverse("core:job_status", args=[diff.pk])).content.decode()
    assert f"neighbor {P3} remote-as 64503" in panel and "Commit this change" in panel
    return diff


def _confirm(client, router, diff: Job) -> Job:
    url = reverse("devices:router_deploy_confirm", args=[router.pk])
    assert client.post(url, {"diff_job": str(diff.pk)}).status_code == 200
    deploy = Job.objects.get(kind="deploy")
    run_job(str(deploy.pk))
    deploy.refresh_from_db()
    return deploy


def test_the_confirmed_diff_is_committed(demo_inventory, lab, deployer_client) -> None:
    diff = _deploy_page_flow(deployer_client, demo_inventory)
    assert f"neighbor {P3} remote-as 64503" not in _running_config(lab)
    deploy = _confirm(deployer_client, demo_inventory, diff)
    assert deploy.status == JobStatus.COMPLETED, deploy.error
    assert (deploy.result["status"], deploy.result["committed"]) == ("changed", True)
    assert deploy.result["diff"] == diff.result["diff"]
    assert f"neighbor {P3} remote-as 64503" in _running_config(lab)


def test_an_inventory_change_after_the_diff_is_refused_and_nothing_committed(
    demo_inventory, lab, deployer_client
) -> None:
    diff = _deploy_page_flow(deployer_client, demo_inventory)
    AutonomousSystem.objects.filter(asn=64502).update(ipv4_max_prefixes=15000)
    before = _running_config(lab)
    deploy = _confirm(deployer_client, demo_inventory, diff)
    assert deploy.status == JobStatus.FAILED
    assert deploy.result["category"] == "diff changed"
    assert deploy.error.startswith("The configuration changed since the diff you confirmed (")
    assert "nothing was committed; review the new diff" in deploy.error
    assert f"neighbor {P2} maximum-prefix 15000" in deploy.result["diff"]
    assert _running_config(lab) == before
