"""A credential held encrypted in memory and revealed only where it is used."""

from __future__ import annotations

import json

from core import crypto


class Secret:
    """An encrypted value. `str()` and `repr()` never show it; `reveal()` decrypts it.

    Model fields of type `EncryptedTextField` hold a `Secret` (or None), so a template,
    a log line or an admin page that prints one shows a mask, not the password.
    """

    __slots__ = ("token",)
    MASK = "********"

    def __init__(self, token: str) -> None:
        self.token = token

    @classmethod
    def from_plaintext(cls, plaintext: str) -> Secret:
        return cls(crypto.encrypt(plaintext))

    def reveal(self) -> str:
        return crypto.decrypt(self.token)

    def __str__(self) -> str:
        return self.MASK

    def __repr__(self) -> str:
        return f"<Secret {self.MASK}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other.token == self.token

    def __hash__(self) -> int:
        return hash(self.token)


# NAPALM optional arguments that carry a credential: `secret` (ios, nxos_ssh: the enable
# password), `enable_password` (eos), `key_passphrase` (napalm-frr and others), per
# NAPALM's list of optional arguments; and a password someone put among them.
SECRET_OPTIONS = frozenset({"secret", "enable_password", "key_passphrase", "password"})


def mask_options(options: object) -> object:
    """NAPALM optional arguments as people may see them: credentials masked, at any depth."""
    if isinstance(options, dict):
        return {
            key: Secret.MASK if key in SECRET_OPTIONS and value else mask_options(value)
            for key, value in options.items()
        }
    if isinstance(options, list):
        return [mask_options(item) for item in options]
    return options


def option_secrets(options: object) -> list[str]:
    """The credentials among NAPALM optional arguments (see SECRET_OPTIONS), at any depth."""
    found: list[str] = []
    if isinstance(options, dict):
        for key, value in options.items():
            if key in SECRET_OPTIONS and isinstance(value, str) and value:
                found.append(value)
            else:
                found += option_secrets(value)
    elif isinstance(options, list):
        for item in options:
            found += option_secrets(item)
    return found


def quoted_forms(secret: str) -> set[str]:
    """The secret as programs quote it: as is, escaped by repr() and by JSON."""
    return {secret, repr(secret)[1:-1], json.dumps(secret)[1:-1]}


def mask_values(text: str, secrets: list[str]) -> str:
    """`text` with each secret, in each of its quoted forms, replaced by the mask."""
    forms = {form for secret in secrets if secret for form in quoted_forms(secret)}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, Secret.MASK)
    return text
