"""The IRR settings: what IRR_HOST, IRR_SOURCES and the limits accept, and their sentences."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from peerkeeper.config import ConfigurationError, load_configuration

KEY = Fernet.generate_key().decode()
MINIMAL = f'SECRET_KEY = "{"s" * 40}"\nCREDENTIALS_ENCRYPTION_KEYS = ["{KEY}"]\n'


def _load(tmp_path: Path, text: str = "", **environ: str) -> dict:
    path = tmp_path / "configuration.py"
    path.write_text(MINIMAL + text)
    return load_configuration(path, environ={f"PEERKEEPER_{k}": v for k, v in environ.items()})


def test_defaults(tmp_path) -> None:
    values = _load(tmp_path)
    assert values["IRR_HOST"] == "rr.ntt.net"
    assert values["IRR_SOURCES"] == ["RPKI", "AFRINIC", "APNIC", "ARIN", "LACNIC", "RIPE"]
    assert (values["IRR_MAX_PREFIXES"], values["IRR_TIMEOUT"]) == (50_000, 60)
    assert values["IRR_ALLOW_PRIVATE_ASNS"] is False


def test_from_the_file_and_the_environment(tmp_path) -> None:
    values = _load(
        tmp_path,
        'IRR_HOST = "whois.example.net:4343"\nIRR_SOURCES = ["ripe"]\n',
        IRR_SOURCES="RIPE,radb",
        IRR_MAX_PREFIXES="0",
        IRR_ALLOW_PRIVATE_ASNS="yes",
    )
    assert values["IRR_HOST"] == "whois.example.net:4343"
    assert values["IRR_SOURCES"] == ["RIPE", "RADB"]
    assert values["IRR_MAX_PREFIXES"] == 0  # no limit
    assert values["IRR_ALLOW_PRIVATE_ASNS"] is True
    assert _load(tmp_path, IRR_SOURCES="")["IRR_SOURCES"] == []  # all the server's


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('IRR_HOST = "whois://rr.example.net"', "IRR_HOST"),
        ('IRR_HOST = "rr.example.net:99999"', "IRR_HOST"),
        ('IRR_SOURCES = ["RIPE; rm"]', "IRR_SOURCES"),
        ("IRR_TIMEOUT = 0", "IRR_TIMEOUT"),
        ("IRR_MAX_PREFIXES = -1", "IRR_MAX_PREFIXES"),
    ],
)
def test_mistakes_are_one_sentence_naming_the_setting(tmp_path, text, message) -> None:
    with pytest.raises(ConfigurationError, match=message):
        _load(tmp_path, text + "\n")
