"""Create peerkeeper/configuration.py from the example, with freshly generated keys.

Run by `make` before anything else; leaves an existing configuration untouched.
"""

import secrets
import sys
from pathlib import Path

from cryptography.fernet import Fernet

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE / "configuration.example.py"
TARGET = HERE / "configuration.py"


def write_configuration(target: Path = TARGET) -> bool:
    """Write the configuration file if it is missing; return whether it was written."""
    if target.exists():
        return False
    text = EXAMPLE.read_text()
    text = text.replace(
        '"change-me-to-a-long-random-string-of-at-least-32-characters"',
        repr(secrets.token_urlsafe(50)),
    )
    text = text.replace(
        '"REPLACE-WITH-THE-OUTPUT-OF-manage.py-generate_encryption_key"',
        repr(Fernet.generate_key().decode()),
    )
    target.write_text(text)
    target.chmod(0o600)
    return True


if __name__ == "__main__":
    if write_configuration():
        print(f"Created {TARGET} with new keys.")
    sys.exit(0)
