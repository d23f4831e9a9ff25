"""SSH to the router: one connection, one exec channel per command.

Every wait (TCP connect, SSH handshake, authentication, each command) is
bounded by the driver's timeout, and every failure to connect becomes one of
NAPALM's exceptions with a sentence naming the host and port.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

import paramiko
from napalm.base.exceptions import (
    CommandTimeoutException,
    ConnectAuthError,
    ConnectionClosedException,
    ConnectionException,
    ConnectTimeoutError,
)


@dataclass(frozen=True)
class SSHSettings:
    hostname: str
    port: int
    username: str
    password: str
    timeout: float
    key_file: str | None = None
    key_passphrase: str | None = None
    allow_agent: bool = False
    strict_host_key: bool = False
    known_hosts_file: str | None = None


@dataclass(frozen=True)
class CommandResult:
    command: str
    exit_status: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.exit_status == 0

    @property
    def output(self) -> str:
        """stdout, then stderr."""
        return f"{self.stdout}\n{self.stderr}"


class _AcceptUnknownHost(paramiko.MissingHostKeyPolicy):
    """Trust a host seen for the first time for this connection, without writing it to
    any known hosts file (paramiko's AutoAddPolicy would save it there)."""

    def missing_host_key(
        self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey
    ) -> None:
        client.get_host_keys().add(hostname, key.get_name(), key)


class SSHConnection:
    def __init__(self, settings: SSHSettings) -> None:
        self.settings = settings
        self._client: paramiko.SSHClient | None = None

    @property
    def where(self) -> str:
        """`host:port`, an IPv6 address in brackets (`[2001:db8::1]:22`)."""
        host = self.settings.hostname
        return f"[{host}]:{self.settings.port}" if ":" in host else f"{host}:{self.settings.port}"

    def open(self) -> None:
        pkey = self._load_key()
        sock = self._tcp_connect()
        client = paramiko.SSHClient()
        # a key that contradicts a known one is always refused; unknown hosts only
        # when strict
        if self.settings.strict_host_key:
            client.load_system_host_keys()
        if self.settings.known_hosts_file:
            try:
                client.load_host_keys(self.settings.known_hosts_file)
            except OSError as exc:
                sock.close()
                raise ConnectionException(
                    f"Cannot read known hosts file {self.settings.known_hosts_file}: {exc}"
                ) from exc
        strict = self.settings.strict_host_key
        client.set_missing_host_key_policy(
            paramiko.RejectPolicy() if strict else _AcceptUnknownHost()
        )
        timeout = self.settings.timeout
        started = time.monotonic()
        try:
            client.connect(
                self.settings.hostname,
                port=self.settings.port,
                username=self.settings.username,
                password=self.settings.password or None,
                pkey=pkey,
                sock=sock,
                timeout=timeout,
                banner_timeout=timeout,
                auth_timeout=timeout,
                channel_timeout=timeout,
                allow_agent=self.settings.allow_agent,
                look_for_keys=False,
            )
        except paramiko.AuthenticationException as exc:
            _abandon(client, sock)
            raise ConnectAuthError(
                f"Authentication as {self.settings.username!r} on {self.where} failed: {exc}"
            ) from exc
        except paramiko.BadHostKeyException as exc:
            _abandon(client, sock)
            raise ConnectionException(
                f"The SSH host key of {self.where} does not match the known one."
            ) from exc
        except (paramiko.SSHException, OSError, EOFError) as exc:
            _abandon(client, sock)
            if time.monotonic() - started >= 0.9 * timeout:
                raise ConnectTimeoutError(
                    f"{self.where} did not complete the SSH handshake within {timeout:g} s."
                ) from exc
            raise ConnectionException(f"SSH handshake with {self.where} failed: {exc}.") from exc
        self._client = client

    def _tcp_connect(self) -> socket.socket:
        timeout = self.settings.timeout
        try:
            return socket.create_connection(
                (self.settings.hostname, self.settings.port), timeout=timeout
            )
        except TimeoutError as exc:
            raise ConnectTimeoutError(
                f"Connecting to {self.where} timed out after {timeout:g} s."
            ) from exc
        except ConnectionRefusedError as exc:
            raise ConnectionException(f"Connection to {self.where} was refused.") from exc
        except socket.gaierror as exc:
            raise ConnectionException(
                f"Cannot resolve {self.settings.hostname} to connect to port "
                f"{self.settings.port}: {exc.strerror}."
            ) from exc
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise ConnectionException(f"Cannot connect to {self.where}: {reason}.") from exc

    def _load_key(self) -> paramiko.PKey | None:
        """The private key of `key_file`. An encrypted key is opened with `key_passphrase`,
        else with the password; the password of an unencrypted key is not a passphrase but
        a second authentication method, offered after the key."""
        path = self.settings.key_file
        if not path:
            return None
        if self.settings.key_passphrase:
            passphrases = [self.settings.key_passphrase]
        else:
            passphrases = [None, *([self.settings.password] if self.settings.password else [])]
        encrypted = False
        for passphrase in passphrases:
            try:
                return paramiko.PKey.from_path(path, passphrase.encode() if passphrase else None)
            except OSError as exc:
                raise ConnectAuthError(
                    f"Cannot read SSH key {path} for {self.where}: {exc.strerror or exc}."
                ) from exc
            except (TypeError, paramiko.PasswordRequiredException):
                encrypted = True  # raised when a passphrase is missing or not wanted
            except (paramiko.SSHException, ValueError) as exc:
                if not encrypted:
                    raise ConnectAuthError(
                        f"Cannot use SSH key {path} for {self.where}: {_first_line(exc)}."
                    ) from exc
        if (encrypted and len(passphrases) > 1) or self.settings.key_passphrase:
            raise ConnectAuthError(
                f"Cannot decrypt SSH key {path} for {self.where}: the passphrase "
                "(key_passphrase, else the password) is not the key's."
            )
        raise ConnectAuthError(
            f"SSH key {path} for {self.where} is encrypted: give its passphrase as the "
            "key_passphrase optional argument, or as the password."
        )

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    @property
    def is_active(self) -> bool:
        transport = self._client.get_transport() if self._client else None
        return bool(transport and transport.is_active() and transport.is_authenticated())

    def run(
        self, command: str, stdin: str | None = None, timeout: float | None = None
    ) -> CommandResult:
        """Run one command; its output is read until it exits or the timeout passes."""
        limit = self.settings.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        transport = self._client.get_transport() if self._client else None
        if transport is None or not transport.is_active():
            raise ConnectionClosedException(f"The SSH connection to {self.where} is closed.")
        try:
            channel = transport.open_session(timeout=limit)
            channel.settimeout(limit)
            channel.exec_command(command)
            if stdin is not None:
                channel.sendall(stdin.encode())
            channel.shutdown_write()
            stdout = _read_all(channel.recv, deadline, channel)
            stderr = _read_all(channel.recv_stderr, deadline, channel)
            if not channel.status_event.wait(max(deadline - time.monotonic(), 0)):
                channel.close()
                raise TimeoutError
            status = channel.exit_status
        except TimeoutError as exc:
            raise CommandTimeoutException(
                f"{self.where} did not finish {_short(command)!r} within {limit:g} s."
            ) from exc
        except (paramiko.SSHException, EOFError, OSError) as exc:
            raise ConnectionClosedException(
                f"The SSH connection to {self.where} failed: {exc}."
            ) from exc
        channel.close()
        return CommandResult(command, status, stdout, stderr)


def _abandon(client: paramiko.SSHClient, sock: socket.socket) -> None:
    """Close a connection that failed to open: its transport thread first, then the socket."""
    client.close()
    sock.close()


def _read_all(receive: Callable[[int], bytes], deadline: float, channel: paramiko.Channel) -> str:
    """Everything one stream of the channel sends until it closes, within the deadline."""
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            channel.close()
            raise TimeoutError
        channel.settimeout(remaining)
        try:
            data = receive(65536)
        except TimeoutError:
            channel.close()
            raise
        if not data:
            return b"".join(chunks).decode(errors="replace")
        chunks.append(data)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0].rstrip(".") if lines else type(exc).__name__


def _short(command: str) -> str:
    return command if len(command) <= 80 else command[:77] + "..."
