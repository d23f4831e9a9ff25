"""What a password means beside a key file: the passphrase of an encrypted key, else a
second authentication method. Every key problem is an authentication error."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    NoEncryption,
    PrivateFormat,
)
from napalm.base.exceptions import ConnectAuthError, ConnectionException
from napalm_frr import FRRDriver
from napalm_frr.ssh import SSHConnection, SSHSettings


def _key(path: Path, passphrase: bytes | None) -> str:
    encryption = BestAvailableEncryption(passphrase) if passphrase else NoEncryption()
    path.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(Encoding.PEM, PrivateFormat.OpenSSH, encryption)
    )
    return str(path)


def _load(key_file: str, password: str = "", key_passphrase: str | None = None):
    settings = SSHSettings(
        "127.0.0.1", 22, "root", password, 5, key_file=key_file, key_passphrase=key_passphrase
    )
    return SSHConnection(settings)._load_key()


def test_a_password_beside_an_unencrypted_key_is_not_its_passphrase(tmp_path: Path) -> None:
    assert _load(_key(tmp_path / "plain", None), password="router-password") is not None


def test_the_password_opens_an_encrypted_key(tmp_path: Path) -> None:
    assert _load(_key(tmp_path / "locked", b"open-sesame"), password="open-sesame") is not None


def test_key_passphrase_wins_over_the_password(tmp_path: Path) -> None:
    key = _key(tmp_path / "locked", b"open-sesame")
    assert _load(key, password="ssh-password", key_passphrase="open-sesame") is not None


@pytest.mark.parametrize(
    ("password", "expected"),
    [("not-it", "Cannot decrypt SSH key"), ("", "is encrypted: give its passphrase")],
)
def test_an_encrypted_key_without_its_passphrase_is_an_authentication_error(
    tmp_path: Path, password: str, expected: str
) -> None:
    key = _key(tmp_path / "locked", b"open-sesame")
    with pytest.raises(ConnectAuthError, match=expected):
        _load(key, password=password)


def test_a_missing_or_malformed_key_is_an_authentication_error(tmp_path: Path) -> None:
    with pytest.raises(ConnectAuthError, match="Cannot read SSH key"):
        _load(str(tmp_path / "absent"))
    (tmp_path / "junk").write_text("not a key\n")
    with pytest.raises(ConnectAuthError, match="Cannot use SSH key"):
        _load(str(tmp_path / "junk"))


def test_an_ipv6_host_is_written_in_brackets_before_its_port(closed_port_v6: int) -> None:
    driver = FRRDriver("::1", "root", "x", timeout=5, optional_args={"port": closed_port_v6})
    with pytest.raises(ConnectionException, match=rf"\[::1\]:{closed_port_v6} was refused"):
        driver.open()


@pytest.fixture
def closed_port_v6() -> int:
    import socket

    with socket.socket(socket.AF_INET6) as probe:
        probe.bind(("::1", 0))
        return probe.getsockname()[1]
