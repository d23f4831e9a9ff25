"""--no-commit-check says what it knows: `pushed` when the driver cannot read its running
configuration, else `changed` (with the running configuration's diff, masked) or
`unchanged`; and a deployment given a confirmed diff commits only that one.

NAPALM's `mock` driver answers from files (peerkeeper.testing.mock_answers): a method
without one raises NotImplementedError, as a driver without get_config does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from configs.deploy import DeployOptions, configure_router, diff_fingerprint
from configs.models import ConfigTemplate
from core.operations import InputError
from peering.models import (
    AutonomousSystem,
    Connection,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peerkeeper.testing import mock_router, run_command

PUSH = {"load_merge_candidate": {}, "discard_config": {}, "commit_config": {}}
BEFORE = "router bgp 64500\n neighbor 192.0.2.11 password old-Secret-1\n"
AFTER = "router bgp 64500\n neighbor 192.0.2.11 password new-Secret-2\n"
PASSWORDS = (
    "router bgp 64500\n"
    "{% for session in sessions %} neighbor {{ session.ip_address }} password "
    "{{ session.password }}\n{% endfor %}"
)


@pytest.fixture
def m1(db, tmp_path: Path):
    """Router m1 on the mock driver answering PUSH's calls and `answers`; `running` are
    its running configurations, one per get_config call of a connection."""

    def make(answers: dict | None = None, running: tuple[str, ...] = ()):
        router = mock_router(tmp_path / "m1", {**PUSH, **(answers or {})})
        for count, text in enumerate(running, start=1):
            answer = {"running": text, "startup": "", "candidate": ""}
            (tmp_path / "m1" / f"get_config.{count}").write_text(json.dumps(answer))
        return router

    return make


def test_a_driver_without_get_config_reports_pushed_not_changed(m1) -> None:
    m1()
    status, out, err = run_command("configure_routers", "--no-commit-check")
    assert status == 0, out + err
    assert out.splitlines() == [
        "m1: pushed: committed without comparing; the mock driver cannot read the running "
        "configuration, so whether anything changed is unknown",
        "1 router: 0 changed, 0 unchanged, 1 pushed, 0 skipped, 0 failed",
    ]


def test_a_normal_deploy_summary_counts_no_pushed(m1) -> None:
    m1({"compare_config": {"diff": "+router bgp 64500"}})
    status, out, _ = run_command("configure_routers")
    assert status == 0
    assert out.splitlines()[-1] == "1 router: 1 changed, 0 unchanged, 0 skipped, 0 failed"


def _with_session_password(router, password: str) -> None:
    """An IXP session of `router` with `password`, which its template writes."""
    ours = router.local_autonomous_system
    peer = AutonomousSystem.objects.create(asn=64501, name="Peer One")
    ixp = InternetExchange.objects.create(name="IX", slug="ix", local_autonomous_system=ours)
    connection = Connection.objects.create(
        internet_exchange=ixp, router=router, ipv4_address="192.0.2.1/24"
    )
    InternetExchangePeeringSession.objects.create(
        ixp_connection=connection,
        autonomous_system=peer,
        ip_address="192.0.2.11",
        password=password,
    )
    ConfigTemplate.objects.filter(pk=router.config_template_id).update(template=PASSWORDS)


def test_the_running_configuration_tells_changed_with_its_diff_masked(m1) -> None:
    router = m1(running=(BEFORE, AFTER + " neighbor 192.0.2.11 description Pw-Router9\n"))
    router.napalm_password = "Pw-Router9"  # the router's own credential, masked too
    router.save()
    # The running configuration had a password the inventory never knew: masked by the
    # shape of the template's password line.
    _with_session_password(router, "new-Secret-2")
    result = configure_router(router, DeployOptions(commit_check=False))
    assert (result.status, result.committed) == ("changed", True)
    assert result.note == "committed without comparing; the running configuration changed"
    for secret in ("old-Secret-1", "new-Secret-2", "Pw-Router9"):
        assert secret not in result.diff, secret
    lines = result.diff.splitlines()
    assert lines[:2] == ["--- running configuration before", "+++ running configuration after"]
    assert "- neighbor 192.0.2.11 password ********" in lines
    assert "+ neighbor 192.0.2.11 password ********" in lines


def test_the_same_running_configuration_is_unchanged(m1) -> None:
    router = m1(running=(BEFORE, BEFORE))
    result = configure_router(router, DeployOptions(commit_check=False))
    assert (result.status, result.committed, result.diff) == ("unchanged", True, "")
    assert result.note == "committed without comparing; the running configuration is as it was"


def test_a_read_that_fails_after_the_commit_leaves_it_pushed_not_failed(m1) -> None:
    broken = {"exception": "ConnectionResetError", "args": ["connection reset"]}
    router = m1(running=(BEFORE,))
    Path(router.napalm_args["path"], "get_config.2").write_text(json.dumps(broken))
    result = configure_router(router, DeployOptions(commit_check=False))
    assert (result.status, result.ok, result.committed) == ("pushed", True, True)
    assert result.note.startswith(
        "committed without comparing; reading the running configuration afterwards failed: "
        "Cannot reach m1"
    )


@pytest.mark.parametrize(
    ("options", "sentence"),
    [
        ({"expected_diff": "abc"}, "expected_diff must be the confirmed diff's SHA-256"),
        ({"expected_diff": "0" * 64, "commit_check": False}, "drop --no-commit-check"),
        ({"expected_diff": "0" * 64, "dry_run": True}, "A dry run never commits"),
    ],
)
def test_a_confirmed_diff_needs_a_fingerprint_and_a_comparison(options, sentence) -> None:
    with pytest.raises(InputError, match=sentence):
        DeployOptions(**options)


def test_a_diff_other_than_the_confirmed_one_is_discarded(m1) -> None:
    refused = {"exception": "napalm.base.exceptions.CommitError", "args": ["committed"]}
    router = m1({"compare_config": {"diff": "+router bgp 64500"}, "commit_config": refused})
    confirmed = diff_fingerprint("+router bgp 64501")
    result = configure_router(router, DeployOptions(expected_diff=confirmed))
    assert (result.status, str(result.category), result.committed) == (
        "failed",
        "diff changed",
        False,
    )
    assert result.error == (
        f"The configuration changed since the diff you confirmed (confirmed {confirmed[:12]}, "
        f"now {diff_fingerprint('+router bgp 64500')[:12]}); nothing was committed; review "
        "the new diff."
    )
    assert result.diff == "+router bgp 64500"
