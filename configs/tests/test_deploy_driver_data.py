"""What a deployment reads from a driver is checked against NAPALM's contract: odd data is
the driver's failure (one sentence naming the driver, the getter and what came back, and
the job ends failed), never an unexpected error of ours.

NAPALM's `mock` driver returns whatever its files say (peerkeeper.testing.mock_answers).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from napalm.base.mock import MockDriver

from core.choices import JobStatus
from core.job_runner import run
from core.jobs import enqueue
from core.models import Job
from peerkeeper.testing import mock_router, run_command, summary, summary_peer

DIFF = {"diff": "+router bgp 64500"}
PUSH = {"load_merge_candidate": {}, "discard_config": {}, "commit_config": {}, "confirm_commit": {}}
UP = summary({"192.0.2.11": summary_peer()})


@pytest.fixture
def m1(db, tmp_path: Path):
    """Make router m1 on NAPALM's mock driver, answering `answers` (and PUSH's calls)."""
    return lambda answers: mock_router(tmp_path / "m1", {**PUSH, **answers})


def _line(out: str) -> str:
    [line] = [line for line in out.splitlines() if line.startswith("m1: ")]
    return line


@pytest.mark.parametrize(
    ("diff", "shown"),
    [
        (["+router bgp 64500"], "['+router bgp 64500']"),
        ({"+router": "bgp"}, "{'+router': 'bgp'}"),
        (3, "3"),
        (True, "True"),
        (None, "None"),  # not "nothing to change": the driver did not say
    ],
)
def test_a_diff_that_is_not_text_fails_the_router_with_the_drivers_sentence(
    m1, diff, shown
) -> None:
    m1({"compare_config": {"diff": diff}})
    status, out, err = run_command("configure_routers", "--dry-run")
    assert status == 1
    assert _line(out) == (
        "m1: failed (driver error): "
        f"The mock driver returned {shown} from compare_config on m1 where "
        "NAPALM's contract has the differences as text."
    )
    assert "unexpected" not in out + err


def test_a_password_in_an_odd_diff_is_masked_before_the_quote_is_cut(m1) -> None:
    """The sentence quotes the first 40 characters of what came back: a password that
    the cut falls inside is masked whole first, no readable beginning of it is left."""
    router = m1({"compare_config": {"diff": ["+neighbor 192.0.2.11 password Pw-Leak77"]}})
    router.napalm_password = "Pw-Leak77"
    router.save()
    status, out, _ = run_command("configure_routers", "--dry-run")
    assert status == 1
    line = _line(out)
    assert line.startswith(
        "m1: failed (driver error): The mock driver returned ['+neighbor 192.0.2.11 password "
    )
    assert "from compare_config on m1" in line
    assert "Pw-" not in line, line


def test_a_diff_job_on_odd_data_ends_failed_not_errored(m1) -> None:
    router = m1({"compare_config": {"diff": ["+router bgp 64500"]}})
    job = enqueue("deploy_dry_run", target=router)
    run(str(job.pk))
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.FAILED, job.error
    assert job.error == (
        "The mock driver returned ['+router bgp 64500'] from compare_config on m1 where "
        "NAPALM's contract has the differences as text."
    )


@pytest.mark.parametrize(
    ("neighbors", "sentence"),
    [
        (
            [],
            "returned [] from get_bgp_neighbors on m1 where NAPALM's contract has a "
            "dictionary of VRFs.",
        ),
        ({"global": []}, "returned [] for VRF global from get_bgp_neighbors on m1"),
        (summary([]), "returned [] as the peers of VRF global from get_bgp_neighbors on m1"),
    ],
)
def test_commit_confirm_on_odd_neighbours_fails_before_committing(m1, neighbors, sentence) -> None:
    # Committing would fail differently: the sentence is the neighbours' read before it.
    m1(
        {
            "compare_config": DIFF,
            "get_bgp_neighbors": neighbors,
            "commit_config": {"exception": "RuntimeError", "args": ["committed"]},
        }
    )
    status, out, err = run_command("configure_routers", "--commit-confirm", "5")
    assert status == 1
    line = _line(out)
    assert line.startswith("m1: failed (driver error): The mock driver ")
    assert sentence in line
    assert "unexpected" not in out + err


def test_a_commit_confirm_job_on_odd_neighbours_ends_failed(m1) -> None:
    router = m1({"compare_config": DIFF, "get_bgp_neighbors": []})
    job = enqueue("deploy", target=router, arguments={"commit_confirm": 5})
    run(str(job.pk))
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.FAILED, job.error
    assert job.error.startswith("The mock driver returned [] from get_bgp_neighbors on m1")


def test_commit_confirm_confirms_when_the_sessions_are_up_again(m1) -> None:
    m1({"compare_config": DIFF, "get_bgp_neighbors": UP})
    status, out, err = run_command("configure_routers", "--commit-confirm", "5")
    assert (status, _line(out)) == (0, "m1: changed: committed"), out + err


def test_odd_neighbours_after_the_commit_say_the_change_reverts(m1, tmp_path) -> None:
    m1({"compare_config": DIFF, "get_bgp_neighbors": UP})
    # The read before the commit is in NAPALM's shape, the one after it is not.
    (tmp_path / "m1" / "get_bgp_neighbors.2").write_text("[]")
    status, out, _ = run_command("configure_routers", "--commit-confirm", "5")
    assert status == 1
    assert _line(out) == (
        "m1: failed (driver error): "
        "The mock driver returned [] from get_bgp_neighbors on m1 where NAPALM's "
        "contract has a dictionary of VRFs; not confirmed, the router reverts the change "
        "after 5 s."
    )


def test_an_odd_is_alive_after_the_commit_says_the_change_reverts(m1, monkeypatch) -> None:
    monkeypatch.setattr(MockDriver, "is_alive", lambda self: {"is_alive": "yes"})
    m1({"compare_config": DIFF, "get_bgp_neighbors": UP})
    status, out, _ = run_command("configure_routers", "--commit-confirm", "5")
    assert status == 1
    assert _line(out) == (
        "m1: failed (driver error): "
        "The mock driver returned {'is_alive': 'yes'} from is_alive on m1 where "
        'NAPALM\'s contract has {"is_alive": True or False}; not confirmed, the router '
        "reverts the change after 5 s."
    )
