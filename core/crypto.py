"""Encryption of stored credentials with the keys of CREDENTIALS_ENCRYPTION_KEYS.

The first key encrypts; all of them decrypt (MultiFernet), which is what makes key
rotation possible without downtime.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretDecryptionError(Exception):
    """A stored secret cannot be decrypted with any configured key."""


@lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.CREDENTIALS_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretDecryptionError(
            "a stored secret cannot be decrypted with any key in CREDENTIALS_ENCRYPTION_KEYS "
            "(was it encrypted with a key that has since been removed?)"
        ) from None


def rotate(token: str) -> str:
    """Re-encrypt a token with the first (current) key."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise SecretDecryptionError(
            "a stored secret cannot be decrypted with any key in CREDENTIALS_ENCRYPTION_KEYS"
        ) from None


def generate_key() -> str:
    return Fernet.generate_key().decode()
