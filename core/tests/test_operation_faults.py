"""Whatever a driver raises is one router's failure, in every operation and every door.

Two routers share an IXP: `good` answers, `broken` runs a driver whose every call raises
the kind of exception driver bugs raise (an AttributeError from a regular expression
that did not match). The drivers are NAPALM's `mock` driver, which raises what its files
name: the only way to make a real driver misbehave on purpose.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from configs.models import ConfigTemplate
from core.choices import JobStatus
from core.job_runner import run
from core.jobs import enqueue
from core.models import Job
from devices.models import Platform, Router
from peering.models import (
    AutonomousSystem,
    Connection,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peerkeeper.testing import mock_answers, run_command, summary, summary_peer

DRIVER_BUG = {"exception": "AttributeError", "args": ["'NoneType' object has no attribute 'group'"]}
BROKEN_CALLS = [
    "get_bgp_neighbors",
    "get_bgp_neighbors_detail",
    "load_merge_candidate",
    "compare_config",
]


@pytest.fixture
def two_routers(db, tmp_path: Path) -> InternetExchange:
    ours = AutonomousSystem.objects.create(asn=64500, name="Us", affiliated=True)
    template = ConfigTemplate.objects.create(
        name="main", template="router bgp {{ local_as.asn }}\n"
    )
    platform = Platform.objects.create(
        name="Mock", slug="mock", napalm_driver="mock", poll_with_detail=False
    )
    ixp = InternetExchange.objects.create(name="IX", slug="ix", local_autonomous_system=ours)
    paths = {
        "broken": mock_answers(tmp_path / "broken", dict.fromkeys(BROKEN_CALLS, DRIVER_BUG)),
        "good": mock_answers(
            tmp_path / "good",
            {
                "get_bgp_neighbors": summary({"192.0.2.11": summary_peer()}),
                "load_merge_candidate": {},
                "compare_config": {"diff": "+router bgp 64500"},
                "discard_config": {},
            },
        ),
    }
    for index, (name, path) in enumerate(sorted(paths.items()), start=1):
        router = Router.objects.create(
            name=name,
            hostname="127.0.0.1",
            platform=platform,
            local_autonomous_system=ours,
            config_template=template,
            napalm_args={"path": path},
        )
        Connection.objects.create(
            internet_exchange=ixp, router=router, ipv4_address=f"192.0.2.{index}/24"
        )
    return ixp


def _one_failure(out: str) -> str:
    [line] = [line for line in out.splitlines() if line.startswith(("broken", "IX on broken"))]
    assert "The mock driver failed in " in line
    assert "AttributeError: 'NoneType' object has no attribute 'group'" in line
    return line


def test_deploy_fails_only_the_broken_router(two_routers) -> None:
    status, out, err = run_command("configure_routers", "--dry-run")
    assert status == 1
    assert "load_merge_candidate on broken" in _one_failure(out)
    assert "good: changed: would change (dry run)" in out
    assert out.splitlines()[-1].startswith("2 routers: 1 changed")
    assert "Traceback" not in out + err


def test_poll_fails_only_the_broken_router(two_routers) -> None:
    status, out, err = run_command("poll_bgp_sessions")
    assert status == 1
    assert "get_bgp_neighbors on broken" in _one_failure(out)
    assert "good: 0 sessions, 1 neighbours seen" in out
    assert "Traceback" not in out + err


def test_discovery_creates_the_good_routers_sessions(two_routers) -> None:
    status, out, err = run_command("discover_ixp_sessions", "ix")
    assert status == 1
    assert "get_bgp_neighbors on broken" in _one_failure(out)
    assert "IX on good: 1 created" in out
    assert out.splitlines()[-1] == "2 connections: 1 read, 1 failed, 0 skipped; 1 session created"
    assert InternetExchangePeeringSession.objects.get().ip_address == "192.0.2.11"
    assert "Traceback" not in out + err


@pytest.mark.parametrize(
    ("kind", "arguments"),
    [("deploy_dry_run", {}), ("poll", {}), ("discover", {})],
)
def test_jobs_end_failed_with_the_drivers_sentence(two_routers, kind, arguments) -> None:
    target = two_routers if kind == "discover" else Router.objects.get(name="broken")
    job = enqueue(kind, target=target, arguments=arguments)
    run(str(job.pk))
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.FAILED
    assert "The mock driver failed in " in job.error
    assert "Traceback" not in job.error


def test_a_password_a_driver_quotes_is_masked_in_messages_logs_and_jobs(
    db, tmp_path: Path, settings
) -> None:
    # The driver quotes the router's password when it cannot log in, and the candidate
    # (with a session's password) when it refuses it.
    files = {
        "get_bgp_neighbors": {
            "exception": "RuntimeError",
            "args": ["login refused for admin with password RouterPw-Secret9"],
        },
        "load_merge_candidate": {
            "exception": "ValueError",
            "args": ["cannot parse: neighbor 192.0.2.11 password SessPw-Leak77"],
        },
        "discard_config": {},
    }
    ours = AutonomousSystem.objects.create(asn=64500, name="Us", affiliated=True)
    peer = AutonomousSystem.objects.create(asn=64501, name="Peer")
    template = ConfigTemplate.objects.create(
        name="main",
        template="{% for s in sessions %}neighbor {{ s.ip_address }} password {{ s.password }}\n"
        "{% endfor %}",
    )
    mock = Platform.objects.create(
        name="Mock", slug="mock", napalm_driver="mock", poll_with_detail=False
    )
    router = Router.objects.create(
        name="leaky",
        hostname="127.0.0.1",
        platform=mock,
        local_autonomous_system=ours,
        config_template=template,
        napalm_password="RouterPw-Secret9",
        napalm_args={"path": mock_answers(tmp_path / "leaky", files)},
    )
    ixp = InternetExchange.objects.create(name="IX", slug="ix", local_autonomous_system=ours)
    connection = Connection.objects.create(
        internet_exchange=ixp, router=router, ipv4_address="192.0.2.1/24"
    )
    session = InternetExchangePeeringSession(
        ixp_connection=connection, autonomous_system=peer, ip_address="192.0.2.11"
    )
    session.password = "SessPw-Leak77"
    session.save()
    log_file = settings.LOG_DIR / "peerkeeper.log"
    log_start = log_file.stat().st_size if log_file.exists() else 0

    seen = []
    for command in (("poll_bgp_sessions",), ("configure_routers", "--dry-run")):
        status, out, err = run_command(*command)
        assert status == 1
        seen += [out, err]
    for kind in ("poll", "deploy_dry_run"):
        job = enqueue(kind, target=router)
        run(str(job.pk))
        job = Job.objects.get(pk=job.pk)
        assert job.status == JobStatus.FAILED, job.error
        seen += [job.error, job.output, json.dumps(job.log)]
    with log_file.open("rb") as log:
        log.seek(log_start)
        seen.append(log.read().decode(errors="replace"))
    assert any("The mock driver failed in" in text for text in seen)
    for secret in ("RouterPw-Secret9", "SessPw-Leak77"):
        assert not [text for text in seen if secret in text], secret
