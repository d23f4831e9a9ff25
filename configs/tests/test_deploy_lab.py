"""configure_routers against the lab's real FRR router."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command

from configs.models import ConfigTemplate
from core.choices import JobKind, JobStatus
from core.jobs import enqueue
from devices.models import Router
from peering.models import AutonomousSystem, InternetExchangePeeringSession
from peerkeeper.testing import run_command, wait_for, wait_for_job

P3 = "192.0.2.13"


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
    assert "r1: failed: template “broken” line 2: 'nope' is undefined" in out
    assert "r1-twin: changed" in out or "r1-twin: unchanged" in out
    assert _running_config(lab) == before


def test_json_output_and_commit_confirm(demo_inventory, lab) -> None:
    status, out, _ = run_command("configure_routers", "--commit-confirm", "15", "--json")
    assert status == 0, out
    (result,) = json.loads(out)
    assert (result["router"], result["outcome"], result["committed"]) == ("r1", "changed", True)
    assert f"+ neighbor {P3} remote-as 64503" in result["diff"]
    wait_for(lambda: _neighbor_state(lab, P3) == "Established", 10, "p3 established")
    # Confirmed: still there once the revert timer would have fired.
    status, out, _ = run_command("configure_routers", "--dry-run")
    assert "r1: unchanged" in out


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
    job = wait_for_job(enqueue(JobKind.DEPLOY_DRY_RUN, router=demo_inventory), timeout=90)
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
