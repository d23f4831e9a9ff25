"""A local IRRd: the real IRRd 4 (https://github.com/irrdnet/irrd), on 127.0.0.1, serving
an RPSL file, for the tests, the demo and benchmarks. bgpq4 queries it over IRRd's whois
protocol exactly as it queries a public IRR.

`LocalIRRd(...).start()` (or `with LocalIRRd() as irrd:`), in about 10 s:

1. IRRd's own virtualenv, `.irrd-venv/` in the project, pinned by
   irr/irrd-requirements.txt (IRRd 4.5.4 and its dependencies), is installed with uv when
   missing (`make irrd` does the same); IRRd's dependencies never enter Peerkeeper's venv.
2. A PostgreSQL database of its own, `pk_irr_<pid>_<random>`, on the server of
   PEERKEEPER_IRRD_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres),
   created here and dropped by `stop()`.
3. A configuration file (YAML) in a temporary directory: whois on 127.0.0.1 and a free
   port, its HTTP server on 127.0.0.1 and another free port, Redis
   PEERKEEPER_IRRD_REDIS_URL (default redis://127.0.0.1:6379/13), one source
   (`PEERKEEPER`, a non-authoritative source loaded from a file), RPKI off.
4. `irrd_database_upgrade` creates IRRd's tables, `irrd_load_database` loads the RPSL file
   (irr/fixtures/lab.rpsl by default) into the source.
5. `irrd --foreground` runs in a session of its own (with CI=true in its environment when
   we are root, see below); `start()` returns once IRRd's preload store is loaded and a
   whois query answers.

`stop()` sends SIGTERM to IRRd's main process, which stops its children; whatever is
left of its process group after 10 s is killed. Then the database and the directory go.
Should the process that started IRRd die without stopping it, the kernel sends IRRd's main
process SIGTERM (PR_SET_PDEATHSIG); its database is then left behind, named
`pk_irr_<pid>_<random>`.

IRRd's facts this relies on (IRRd 4.5.4, from its documentation docs/admins/*.rst and its
code in the installed package irrd/):
- Configuration: YAML under a top-level `irrd:` key, passed with `--config`; unknown keys
  are refused; required: database_url, redis_url, piddir, email.from, email.smtp,
  auth.gnupg_keyring, server.http.url (docs/admins/configuration.rst; conf/__init__.py
  `_validate_staging_config`). `IRRD_<SETTING>` environment variables override the file
  (conf/__init__.py `get_setting_live`): they are removed from IRRd's environment here.
- RPKI-aware mode is on by default and downloads ROAs from rpki.gin.ntt.net:
  `rpki.roa_source: null` turns it off (docs/admins/rpki.rst). No source here has
  `import_source` or `nrtm_host`, so IRRd fetches nothing from anywhere
  (mirroring/scheduler.py `MirrorScheduler.run`).
- The whois server listens on `server.whois.interface`/`port` (default `::0`, 43) and
  preforks `server.whois.max_connections` workers (default 10, ~200 MB each); the HTTP
  server defaults to 127.0.0.1:8000 with 4 workers (conf/default_config.yaml): both are
  set smaller here, and away from the demo's port 8000.
- `irrd_load_database --source S FILE` replaces the objects of a source with a file's,
  for a source without import_source (scripts/load_database.py). The file is RPSL objects
  separated by blank lines; lines starting with `#` or `%` are skipped
  (utils/text.py `split_paragraphs_rpsl`); mirrored objects are parsed non-strictly.
- IRRd refuses to start as root unless `user` and `group` are set or CI is set
  (daemon/main.py); with `--foreground` it does not detach, and SIGTERM to its main
  process stops its children (daemon/main.py `sigterm_handler`).
- `!g`/`!6`/`!i` whois queries are answered from a preload store in Redis, under fixed
  key names (storage/preload.py): two IRRds sharing a Redis database share it, harmless
  when they serve the same file; the log line "Completed preload store update" says it is
  loaded.

Run one by hand (Ctrl-C stops it): `python -m irr.irrd_server [--port N] [--rpsl FILE]`.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from core.interrupts import serve_until_interrupted

BASE_DIR = Path(__file__).resolve().parent.parent
VENV = BASE_DIR / ".irrd-venv"
REQUIREMENTS = Path(__file__).resolve().parent / "irrd-requirements.txt"
LAB_RPSL = Path(__file__).resolve().parent / "fixtures" / "lab.rpsl"
SOURCE = "PEERKEEPER"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
READY_LINE = "Completed preload store update"
START_TIMEOUT = 60.0
# IRRd's whois workers (server.whois.max_connections): as many as bgpq4 runs at once.
WHOIS_WORKERS = 4


class IRRdUnavailable(Exception):
    """PostgreSQL or Redis, which IRRd needs, cannot be reached; one sentence."""


class IRRdError(Exception):
    """IRRd could not be installed, loaded or started; one sentence, with its log's end."""


def postgres_url() -> str:
    return os.environ.get("PEERKEEPER_IRRD_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def redis_url() -> str:
    return os.environ.get("PEERKEEPER_IRRD_REDIS_URL", DEFAULT_REDIS_URL)


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _uv() -> str:
    found = shutil.which("uv") or str(BASE_DIR / ".tools" / "bin" / "uv")
    if not Path(found).exists():
        raise IRRdError("uv is needed to install IRRd and is missing: run make install")
    return found


def installed() -> bool:
    marker = VENV / ".installed"
    return marker.exists() and marker.stat().st_mtime >= REQUIREMENTS.stat().st_mtime


def install() -> None:
    """Install IRRd into .irrd-venv/ from irr/irrd-requirements.txt, unless done already."""
    if installed():
        return
    uv = _uv()
    # One installer at a time, whichever test sessions start together: a lock on the
    # requirements file, which every checkout has.
    with open(REQUIREMENTS) as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if installed():
            return
        for command in (
            [uv, "venv", "--quiet", "--allow-existing", "--python", sys.executable, str(VENV)],
            [uv, "pip", "install", "--quiet", "--python", str(VENV / "bin" / "python"),
             "-r", str(REQUIREMENTS)],
        ):  # fmt: skip
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode:
                last = _last_line(done.stderr or done.stdout)
                raise IRRdError(f"installing IRRd failed: {last}")
        (VENV / ".installed").touch()


def check_services() -> None:
    """Raise IRRdUnavailable when PostgreSQL or Redis is not there."""
    try:
        psycopg.connect(postgres_url(), connect_timeout=3).close()
    except psycopg.Error as error:
        raise IRRdUnavailable(
            f"PostgreSQL ({postgres_url()}) is unreachable: {_last_line(str(error))}"
        ) from error
    host, port, _ = _redis_address(redis_url())
    try:
        with socket.create_connection((host, port), timeout=3) as sock:
            sock.sendall(b"PING\r\n")
            if not sock.recv(64).startswith(b"+PONG"):
                raise OSError("it does not answer PING")
    except OSError as error:
        raise IRRdUnavailable(f"Redis ({redis_url()}) is unreachable: {error}") from error


def _redis_address(url: str) -> tuple[str, int, int]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 6379, int(parts.path.strip("/") or 0)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


class LocalIRRd:
    """One IRRd serving `rpsl` as source `source`; see the module docstring.

    Attributes once started: `host` ("127.0.0.1"), `port` (whois), `sources` ([source]),
    `address` ("127.0.0.1:<port>", bgpq4's `-h`), `pid`, `log_path`, `startup_seconds`.
    """

    def __init__(self, rpsl: Path = LAB_RPSL, source: str = SOURCE, port: int | None = None):
        self.rpsl = Path(rpsl)
        self.source = source
        self.host = "127.0.0.1"
        self.port = port or 0
        self.sources = [source]
        self.pid: int | None = None
        self.startup_seconds = 0.0
        self._process: subprocess.Popen[bytes] | None = None
        self._directory: Path | None = None
        self._database: str | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def log_path(self) -> Path:
        assert self._directory is not None
        return self._directory / "irrd.log"

    def __enter__(self) -> LocalIRRd:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> LocalIRRd:
        """Install if needed, create the database, load the file, start IRRd and wait for
        it (IRRdUnavailable without PostgreSQL or Redis, IRRdError on any other failure)."""
        began = time.monotonic()
        check_services()
        install()
        try:
            self._directory = Path(tempfile.mkdtemp(prefix="peerkeeper-irrd-"))
            self._database = f"pk_irr_{os.getpid()}_{secrets.token_hex(3)}"
            self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self._database)))
            self.port = self.port or free_port()
            config = self._write_config()
            self._run("irrd_database_upgrade", "--config", str(config))
            self._run("irrd_load_database", "--config", str(config), "--source", self.source,
                      str(self.rpsl))  # fmt: skip
            self._launch(config)
            self._wait_ready(began + START_TIMEOUT)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began
        return self

    def stop(self) -> None:
        """Stop IRRd and its children, drop its database, remove its directory. Safe to
        call twice."""
        process, self._process = self._process, None
        if process is not None:
            _terminate(process)
        database, self._database = self._database, None
        if database:
            self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(database)))  # fmt: skip
        directory, self._directory = self._directory, None
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)

    def _admin(self, statement: sql.Composed) -> None:
        with psycopg.connect(postgres_url(), autocommit=True, connect_timeout=5) as connection:
            connection.execute(statement)

    def _database_url(self) -> str:
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(postgres_url())
        return urlunsplit(parts._replace(path=f"/{self._database}"))

    def _write_config(self) -> Path:
        assert self._directory is not None
        directory = self._directory
        (directory / "gnupg").mkdir(mode=0o700)
        settings: dict[str, Any] = {
            "database_url": self._database_url(),
            "redis_url": redis_url(),
            "piddir": str(directory),
            "email": {"from": "irrd@example.net", "smtp": "127.0.0.1:1"},
            "auth": {"gnupg_keyring": str(directory / "gnupg")},
            "rpki": {"roa_source": None},
            "log": {"logfile_path": str(self.log_path), "level": "INFO"},
            "server": {
                "whois": {
                    "interface": self.host,
                    "port": self.port,
                    "max_connections": WHOIS_WORKERS,
                },
                "http": {
                    "interface": self.host,
                    "port": free_port(),
                    "workers": 1,
                    "url": "http://127.0.0.1/",
                },
            },
            "sources_default": [self.source],
            "sources": {self.source: {"authoritative": False}},
        }
        path = directory / "irrd.yaml"
        # JSON is YAML: IRRd reads it with yaml.safe_load.
        path.write_text(json.dumps({"irrd": settings}, indent=2))
        return path

    def _environment(self) -> dict[str, str]:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("IRRD_")}
        if os.geteuid() == 0:
            # IRRd refuses root without `user`/`group` unless CI is set (daemon/main.py).
            # Dropping to another user does not work when Python itself lives in a
            # directory only root can read, as pyenv's and uv's do under /root.
            environment["CI"] = "true"
        return environment

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run(
            [str(VENV / "bin" / program), *args],
            capture_output=True,
            text=True,
            env=self._environment(),
            timeout=120,
            check=False,
        )
        if done.returncode:
            raise IRRdError(f"{program} failed: {_last_line(done.stdout + done.stderr)}")

    def _launch(self, config: Path) -> None:
        assert self._directory is not None
        with open(self._directory / "stderr.log", "wb") as stderr:
            self._process = subprocess.Popen(
                [str(VENV / "bin" / "irrd"), "--config", str(config), "--foreground"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env=self._environment(),
                start_new_session=True,
                preexec_fn=_stop_with_parent,
            )
        self.pid = self._process.pid

    def _wait_ready(self, deadline: float) -> None:
        assert self._process is not None
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise IRRdError(
                    f"IRRd exited with status {self._process.returncode}: {self._log_end()}"
                )
            if READY_LINE in self._read_log() and self._answers():
                return
            time.sleep(0.2)
        raise IRRdError(f"IRRd did not answer within {START_TIMEOUT:.0f} s: {self._log_end()}")

    def _answers(self) -> bool:
        """Whether every whois worker answers a query from the preload store (`!g`): one
        connection per worker, all open at once. A worker's first such query waits for
        the store (about 1 s); this takes that wait out of the tests' timings."""
        try:
            with contextlib.ExitStack() as stack:
                connections = []
                for _ in range(WHOIS_WORKERS):
                    sock = stack.enter_context(
                        socket.create_connection((self.host, self.port), timeout=5)
                    )
                    sock.sendall(b"!gAS64496\n")
                    connections.append(sock)
                return all(sock.recv(64)[:1] in (b"A", b"C", b"D") for sock in connections)
        except OSError:
            return False

    def _read_log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def _log_end(self) -> str:
        assert self._directory is not None
        text = self._read_log()
        stderr = self._directory / "stderr.log"
        if stderr.exists():
            text += stderr.read_text(errors="replace")
        return _last_line(text)


def _stop_with_parent() -> None:
    """In the child before IRRd starts: SIGTERM when the process that started it dies, so
    that a test run killed outright leaves no IRRd behind (Linux's PR_SET_PDEATHSIG)."""
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG


def _terminate(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to IRRd's main process, then SIGKILL to its process group after 10 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # its session: whatever IRRd left running
    process.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run a local IRRd serving an RPSL file.")
    parser.add_argument("--port", type=int, default=0, help="whois port (default: a free one)")
    parser.add_argument("--rpsl", type=Path, default=LAB_RPSL, help="the RPSL file to serve")
    args = parser.parse_args(argv)
    try:
        irrd = LocalIRRd(args.rpsl, port=args.port).start()
    except (IRRdUnavailable, IRRdError) as error:
        sys.exit(f"error: {error}")
    print(f"IRRd {irrd.address} source {irrd.source}, started in {irrd.startup_seconds:.1f} s")
    serve_until_interrupted(irrd.stop)


if __name__ == "__main__":
    main()
