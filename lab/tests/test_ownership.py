"""An instance is one machine's: a process that owns it, from any checkout or state
directory, keeps it until it ends, and nobody else starts, stops or cleans it meanwhile."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab import Lab, LabError
from lab.claims import Claim
from lab.netns import list_namespaces
from lab.state import REPO_ROOT
from lab.tests.conftest import lab_cli


@pytest.fixture
def claim() -> Iterator[Claim]:
    """A claim of this test's own (not an instance's)."""
    claim = Claim(f"test-{uuid.uuid4().hex[:12]}")
    yield claim
    claim.release()
    claim.path.unlink(missing_ok=True)


def hold_in_another_process(claim: Claim, **details: str) -> subprocess.Popen[str]:
    """A process that takes `claim` and keeps it until it is killed."""
    program = textwrap.dedent(f"""
        import sys, time
        from lab.claims import Claim
        assert Claim({claim.name!r}).acquire(**{details!r})
        print("held", flush=True)
        time.sleep(600)
    """)
    holder = subprocess.Popen(
        [sys.executable, "-c", program], stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def test_a_claim_names_its_holder_and_ends_with_its_process(claim: Claim) -> None:
    holder = hold_in_another_process(claim, kind="probe", state_dir="/elsewhere/lab/7")
    try:
        held = claim.holder()
        assert held is not None and held.pid == holder.pid
        assert (held.get("kind"), held.get("state_dir")) == ("probe", "/elsewhere/lab/7")
        assert not claim.acquire(kind="test")
    finally:
        holder.kill()  # however it ends, the kernel drops its lock
        holder.wait()

    assert claim.holder() is None
    assert claim.acquire(kind="test")
    mine = claim.holder()
    assert mine is not None and (mine.pid, mine.get("kind")) == (os.getpid(), "test")


def test_a_forked_child_does_not_keep_its_parents_claim(claim: Claim) -> None:
    assert claim.acquire(kind="test")
    ready, started = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child only sleeps
        try:
            os.write(started, b"x")  # os.fork() has returned here: the child is set up
            signal.pause()
        finally:
            os._exit(0)
    os.close(started)
    try:
        assert os.read(ready, 1) == b"x"
        claim.release()  # the child lives on, and must not hold the claim for us

        assert claim.holder() is None
        taken = subprocess.run(
            [sys.executable, "-c", f"from lab.claims import Claim; print(Claim({claim.name!r})"
             ".acquire(kind='other'))"],
            capture_output=True, text=True, timeout=60, cwd=REPO_ROOT, check=True,
        )  # fmt: skip
        assert taken.stdout == "True\n"
    finally:
        os.close(ready)
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)


def test_a_lab_from_another_state_directory_is_neither_started_nor_stopped_over(
    spare_lab: Lab, tmp_path: Path
) -> None:
    # Two checkouts (or two PEERKEEPER_LAB_DIRs) on one instance: the namespaces are the
    # machine's, so the second must not rebuild (or tear down) the first one's lab.
    instance = spare_lab.instance
    first_env = {"PEERKEEPER_LAB_DIR": str(tmp_path / "first")}
    second_env = {"PEERKEEPER_LAB_DIR": str(tmp_path / "second")}
    first = Lab(instance, state_dir=tmp_path / "first" / str(instance))
    second = Lab(instance, state_dir=tmp_path / "second" / str(instance))
    up = lab_cli("up", "--instance", str(instance), env=first_env)
    assert up.returncode == 0, up.stderr
    try:
        owner = first.state.owner()
        assert owner is not None and owner.kind == "supervisor"
        sentence = (
            f"lab instance {instance} is in use by PID {owner.pid} (`python -m lab up`, "
            f"state directory {first.state_dir}); wait for it to end or use another instance"
        )

        with pytest.raises(LabError) as refused:  # the API, as the pytest plugin uses it
            second.up(timeout=60)
        assert str(refused.value) == sentence
        with pytest.raises(LabError, match=f"^lab instance {instance} is run by PID {owner.pid} "):
            second.down()
        with pytest.raises(LabError, match=f"^lab instance {instance} is in use by PID "):
            second.state.clean()  # the clean-up after a crash leaves a live owner's lab alone
        again = lab_cli("up", "--instance", str(instance), env=second_env)
        assert (again.returncode, again.stderr.splitlines()) == (1, [f"error: {sentence}"])
        down = lab_cli("down", "--instance", str(instance), env=second_env)
        assert down.returncode == 1
        assert down.stderr.splitlines() == [
            f"error: lab instance {instance} is run by PID {owner.pid} (`python -m lab up`, "
            f"state directory {first.state_dir}), not from this state directory "
            f"({second.state_dir}): stop it from the checkout that started it"
        ]

        assert first.state.owner() == owner
        first.wait_established("r1", timeout=30, prefixes=True)
        ssh = subprocess.run(  # r1 still has the first lab's host key and authorized key
            ["ssh", "-F", str(first.ssh.client_config), "-o", "BatchMode=yes", "r1", "hostname"],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        assert ssh.stdout == "r1\n", ssh.stderr
        status = lab_cli("status", "--instance", str(instance), env=second_env)
        assert status.returncode == 0, status.stderr
        assert f"(PID {owner.pid}, supervisor), {first.state_dir}" in status.stdout

        # The owner crashes: the kernel drops its claim, and the other state directory's
        # `up` cleans what it left and starts.
        os.kill(owner.pid, signal.SIGKILL)
        taken_over = lab_cli("up", "--instance", str(instance), env=second_env)
        assert taken_over.returncode == 0, taken_over.stderr
        new_owner = second.state.owner()
        assert new_owner is not None and new_owner.state_dir == second.state_dir
    finally:
        for env in (first_env, second_env):
            lab_cli("down", "--instance", str(instance), env=env)
    assert list_namespaces(spare_lab.topology.prefix) == []


def test_the_pytest_plugins_lab_is_refused_in_one_sentence_and_touches_nothing(
    spare_lab: Lab, tmp_path: Path
) -> None:
    instance = spare_lab.instance
    elsewhere = tmp_path / "elsewhere" / str(instance)
    holder = hold_in_another_process(
        Claim(str(instance)), kind="api", state_dir=str(elsewhere), command="pytest elsewhere"
    )
    namespace = f"{spare_lab.topology.prefix}ix"  # stands for the holder's lab
    subprocess.run(["ip", "netns", "add", namespace], check=True)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             "lab/tests/test_lab.py::test_every_starting_session_of_r1_is_established_with_all_prefixes"],
            capture_output=True, text=True, timeout=120, cwd=REPO_ROOT, check=False,
            env={**os.environ, "PEERKEEPER_LAB_INSTANCE": str(instance)},
        )  # fmt: skip

        assert result.returncode == 1, result.stdout
        assert (
            f"lab instance {instance} is in use by PID {holder.pid} (pytest elsewhere, state "
            f"directory {elsewhere}); wait for it to end or use another instance"
        ) in result.stdout.splitlines(), result.stdout
        assert "Traceback" not in result.stdout
        assert list_namespaces(spare_lab.topology.prefix) == [namespace]
    finally:
        holder.kill()
        holder.wait()
        subprocess.run(["ip", "netns", "delete", namespace], check=False)


def test_a_lab_a_demo_uses_is_not_taken_down_under_it(spare_lab: Lab) -> None:
    """`lab down` of the instance a demo runs on refuses and names the demo (stopping the
    demo takes its lab down); the lab stays up."""
    instance = spare_lab.instance
    assert lab_cli("up", "--instance", str(instance)).returncode == 0
    demo = hold_in_another_process(Claim(f"{instance}.demo"), address="127.0.0.1:8099")
    try:
        result = lab_cli("down", "--instance", str(instance))
        assert result.returncode == 1
        assert result.stderr.splitlines() == [
            f"error: lab instance {instance} is used by PID {demo.pid}, the demo serving "
            "http://127.0.0.1:8099/; stop that demo first (Ctrl-C in its terminal; it takes "
            "down a lab it started)"
        ]
        assert spare_lab.is_up()
    finally:
        demo.kill()
        demo.wait()
    assert lab_cli("down", "--instance", str(instance)).returncode == 0
    assert not spare_lab.is_up()


def test_status_into_a_closed_pipe_ends_quietly(spare_lab: Lab) -> None:
    """`python -m lab status | head -1`: the reader is gone before the lab writes."""
    assert lab_cli("up", "--instance", str(spare_lab.instance)).returncode == 0
    reader, writer = os.pipe()
    os.close(reader)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "lab", "status", "--instance", str(spare_lab.instance)],
            stdout=writer, stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT, timeout=60,
        )  # fmt: skip
    finally:
        os.close(writer)
    assert result.stderr == ""
