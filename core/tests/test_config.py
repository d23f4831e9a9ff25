"""The configuration: file, environment, defaults and the sentences that report mistakes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from peerkeeper.config import BASE_DIR, ConfigurationError, database_settings, load_configuration

KEY = Fernet.generate_key().decode()
MINIMAL = f'SECRET_KEY = "{"s" * 40}"\nCREDENTIALS_ENCRYPTION_KEYS = ["{KEY}"]\n'


@pytest.fixture
def config_file(tmp_path: Path):
    def write(text: str = "") -> Path:
        path = tmp_path / "configuration.py"
        path.write_text(MINIMAL + text)
        return path

    return write


def test_defaults_apply_when_neither_file_nor_environment_sets_a_value(config_file) -> None:
    values = load_configuration(config_file(), environ={})
    assert values["NAPALM_TIMEOUT"] == 30
    assert values["NAPALM_ARGS"] == {}
    assert values["NAPALM_USERNAME"] == ""
    assert values["DATABASE_URL"] is None


def test_file_overrides_defaults(config_file) -> None:
    path = config_file(
        'NAPALM_USERNAME = "netops"\nNAPALM_TIMEOUT = 12\nNAPALM_ARGS = {"port": 2222}\n'
    )
    values = load_configuration(path, environ={})
    assert values["NAPALM_USERNAME"] == "netops"
    assert values["NAPALM_TIMEOUT"] == 12
    assert values["NAPALM_ARGS"] == {"port": 2222}


def test_environment_overrides_file(config_file) -> None:
    path = config_file('NAPALM_USERNAME = "netops"\nNAPALM_TIMEOUT = 12\n')
    environ = {
        "PEERKEEPER_NAPALM_USERNAME": "automation",
        "PEERKEEPER_NAPALM_TIMEOUT": "45",
        "PEERKEEPER_NAPALM_ARGS": '{"transport": "ssh"}',
        "PEERKEEPER_ALLOWED_HOSTS": "peering.example.net, 127.0.0.1",
        "PEERKEEPER_DEBUG": "yes",
    }
    values = load_configuration(path, environ=environ)
    assert values["NAPALM_USERNAME"] == "automation"
    assert values["NAPALM_TIMEOUT"] == 45
    assert values["NAPALM_ARGS"] == {"transport": "ssh"}
    assert values["ALLOWED_HOSTS"] == ["peering.example.net", "127.0.0.1"]
    assert values["DEBUG"] is True


def test_environment_alone_is_enough_without_a_file(tmp_path: Path) -> None:
    environ = {"PEERKEEPER_SECRET_KEY": "k" * 40, "PEERKEEPER_CREDENTIALS_ENCRYPTION_KEYS": KEY}
    values = load_configuration(tmp_path / "absent.py", environ=environ)
    assert values["CREDENTIALS_ENCRYPTION_KEYS"] == [KEY]


def test_database_url_without_prefix_is_honoured(config_file) -> None:
    url = "postgresql://peerkeeper@db.example.net:5432/peering"
    values = load_configuration(config_file(), environ={"DATABASE_URL": url})
    database = database_settings(values)
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["NAME"]) == ("db.example.net", "peering")


def test_without_a_database_setting_sqlite_lives_in_the_data_directory(config_file, tmp_path):
    values = load_configuration(config_file(f'DATA_DIR = "{tmp_path}"\n'), environ={})
    database = database_settings(values)
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(tmp_path / "peerkeeper.sqlite3")


def test_peering_manager_style_database_dictionary(config_file) -> None:
    values = load_configuration(config_file('DATABASE = {"NAME": "pm", "USER": "pm"}\n'), {})
    assert database_settings(values)["NAME"] == "pm"


@pytest.mark.parametrize(
    ("text", "environ", "expected"),
    [
        (
            "NAPALM_TIMOUT = 10\n",
            {},
            "Unknown setting NAPALM_TIMOUT in .*did you mean NAPALM_TIMEOUT",
        ),
        (
            "",
            {"PEERKEEPER_NAPALM_PASWORD": "x"},
            "PEERKEEPER_NAPALM_PASWORD; did you mean NAPALM_PASSWORD",
        ),
        ('NAPALM_TIMEOUT = "thirty"\n', {}, "NAPALM_TIMEOUT must be a positive whole number"),
        (
            "",
            {"PEERKEEPER_NAPALM_TIMEOUT": "-5"},
            "NAPALM_TIMEOUT must be a positive whole number .*PEERKEEPER_NAPALM_TIMEOUT",
        ),
        ("NAPALM_ARGS = [1, 2]\n", {}, "NAPALM_ARGS must be a dictionary"),
        ("", {"PEERKEEPER_NAPALM_ARGS": "{port: 22}"}, "NAPALM_ARGS is not valid JSON"),
        (
            "",
            {"DATABASE_URL": "postgress://db/peering"},
            "DATABASE_URL is not a usable database URL",
        ),
        (
            "",
            {"DATABASE_URL": "mysql://db/peering"},
            "DATABASE_URL must start with postgresql:// or sqlite:///",
        ),
        (
            'CREDENTIALS_ENCRYPTION_KEYS = ["not-a-key"]\n',
            {},
            "CREDENTIALS_ENCRYPTION_KEYS entry 1 is not a valid key",
        ),
        ('SECRET_KEY = "short"\n', {}, "SECRET_KEY must be a random string of at least 32"),
        ("DEBUG = 'maybe'\n", {}, "DEBUG must be True or False"),
        ("x = (\n", {}, "configuration.py line 3: .* was never closed"),
    ],
)
def test_mistakes_are_one_clear_sentence(config_file, text, environ, expected) -> None:
    with pytest.raises(ConfigurationError, match=expected) as caught:
        load_configuration(config_file(text), environ=environ)
    assert "\n" not in str(caught.value)


def test_a_missing_required_setting_says_where_to_set_it(tmp_path: Path) -> None:
    path = tmp_path / "configuration.py"
    path.write_text(f'CREDENTIALS_ENCRYPTION_KEYS = ["{KEY}"]\n')
    with pytest.raises(
        ConfigurationError, match="SECRET_KEY is not set: add it to .* PEERKEEPER_SECRET_KEY"
    ):
        load_configuration(path, environ={})


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PEERKEEPER_")}
    environ.pop("DATABASE_URL", None)
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"PEERKEEPER_NAPALM_TIMEOUT": "abc"}, "Configuration error: NAPALM_TIMEOUT must be"),
        ({"PEERKEEPER_NAPALM_TIMOUT": "10"}, "did you mean NAPALM_TIMEOUT?"),
        ({"DATABASE_URL": "postgress://localhost/x"}, "DATABASE_URL is not a usable database URL"),
    ],
)
def test_manage_py_stops_with_one_sentence_not_a_traceback(env, expected) -> None:
    completed = _manage("check", **env)
    assert completed.returncode != 0
    assert expected in completed.stderr
    assert "Traceback" not in completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1


def test_an_unreachable_database_is_one_sentence(tmp_path: Path) -> None:
    # Port 9 on loopback: nothing listens there, the connection is refused at once.
    completed = _manage("migrate", DATABASE_URL="postgresql://nobody@127.0.0.1:9/none")
    assert completed.returncode != 0
    assert completed.stderr.startswith("Database error:")
    assert "Traceback" not in completed.stderr
