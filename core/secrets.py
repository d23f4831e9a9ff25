"""A credential held encrypted in memory and revealed only where it is used."""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

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
# Any other option named like a credential is one too, whatever its case or separators
# (`Password`, `enable-password`, `auth_token`, `api_key`, `client_secret`...).
SECRET_OPTION_ENDINGS = ("password", "passphrase", "secret", "token", "api_key", "apikey")


def is_secret_option(key: object) -> bool:
    """Whether a NAPALM optional argument named `key` carries a credential."""
    if not isinstance(key, str):
        return False
    name = key.strip().lower().replace("-", "_")
    return name in SECRET_OPTIONS or name.endswith(SECRET_OPTION_ENDINGS)


def mask_options(options: object) -> object:
    """NAPALM optional arguments as people may see them: credentials masked, at any depth."""
    if isinstance(options, dict):
        return {
            key: Secret.MASK if is_secret_option(key) and value else mask_options(value)
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
            if is_secret_option(key) and isinstance(value, str) and value:
                found.append(value)
            else:
                found += option_secrets(value)
    elif isinstance(options, list):
        for item in options:
            found += option_secrets(item)
    return found


# How many times a quoted form may be quoted again (the repr of a list of reprs...).
QUOTING_DEPTH = 3
# A run of base64 (RFC 4648, standard or URL-safe alphabet) long enough to hold a secret.
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]{8,}={0,2}")


def quoted_forms(secret: str) -> set[str]:
    """The secret as programs quote it: as is, escaped by repr() and by JSON, also
    repeatedly (QUOTING_DEPTH), escaped for HTML, percent-encoded as in a URL (RFC 3986)
    or a form, and in hexadecimal."""
    forms = {secret}
    for _ in range(QUOTING_DEPTH):
        forms |= {repr(form)[1:-1] for form in forms} | {json.dumps(form)[1:-1] for form in forms}
    octets = secret.encode()
    return forms | {
        html.escape(secret),
        html.escape(secret, quote=False),
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        octets.hex(),
        octets.hex().upper(),
    }


# The shortest piece of a secret that is masked where a line break or a cut ("…") has
# split it: shorter pieces are too common to mean anything (and show nearly nothing).
MIN_PIECE = 3


def mask_values(text: str, secrets: list[str], decode_base64: bool = True) -> str:
    """`text` with each secret, in each of its quoted forms, replaced by the mask; the
    pieces of one split by a line break, or cut short before an ellipsis (`…`), masked
    too; and, with `decode_base64`, every run of base64 that decodes to text holding a
    secret (an HTTP Basic credential, RFC 7617) masked whole."""
    secrets = [secret for secret in secrets if secret]
    if not secrets:
        return text
    forms = sorted(
        {form for secret in secrets for form in quoted_forms(secret)}, key=len, reverse=True
    )
    for form in forms:
        text = text.replace(form, Secret.MASK)
    text = _mask_split(text, forms)
    text = _mask_cut(text, forms)
    if not decode_base64:
        return text
    return _BASE64.sub(lambda run: _mask_base64(run[0], secrets), text)


# Every line break str.splitlines() knows (the first line of a message is taken with it).
_LINE_BREAK = re.compile(r"(\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029])")


def _mask_split(text: str, forms: list[str]) -> str:
    """Mask the two pieces of each form a line break splits (`Pass\nword`)."""
    parts = _LINE_BREAK.split(text)  # lines at even indexes, their breaks between
    if len(parts) == 1:
        return text
    joined = "".join(parts[::2])
    split = [form for form in forms if len(form) > MIN_PIECE and form in joined]
    for i in range(0, len(parts) - 2, 2):
        for form in split:
            before, after = parts[i], parts[i + 2]
            for k in range(1, len(form)):
                if before.endswith(form[:k]) and after.startswith(form[k:]):
                    parts[i] = before[: len(before) - k] + Secret.MASK
                    parts[i + 2] = Secret.MASK + after[len(form) - k :]
                    break
    return "".join(parts)


def _mask_cut(text: str, forms: list[str]) -> str:
    """Mask the beginning of a form that a cut ends (`…Pass…`, see log_format.shortened)."""
    if "…" not in text:
        return text
    pieces = text.split("…")
    for i in range(len(pieces) - 1):
        for form in forms:
            for k in range(len(form) - 1, MIN_PIECE - 1, -1):
                if pieces[i].endswith(form[:k]):
                    pieces[i] = pieces[i][: len(pieces[i]) - k] + Secret.MASK
                    break
    return "…".join(pieces)


def _mask_base64(run: str, secrets: list[str]) -> str:
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            decoded = decode(run + "=" * (-len(run) % 4)).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            continue
        if any(secret in decoded for secret in secrets):
            return Secret.MASK
    return run


def reveal_all(secrets: Iterable[Secret | str]) -> list[str]:
    """The plaintexts of `secrets` (a str is one already), each line of a multi-line one
    apart (the retired passwords are kept one per line); a secret that cannot be
    decrypted is left out."""
    found: list[str] = []
    for secret in secrets:
        try:
            text = secret if isinstance(secret, str) else secret.reveal()
        except crypto.SecretDecryptionError:
            continue
        found += [line for line in text.split("\n") if line]
    return found


def unmask_options(options: object, stored: object) -> object:
    """NAPALM optional arguments as written back after reading them masked (mask_options):
    a credential given as the mask takes the stored value at the same place, so that a
    read, edit and write keeps the credentials it could not see.

    Raises ValueError (one sentence) for a mask where no credential is stored: the mask is
    not a password anyone means."""
    if isinstance(options, dict):
        stored_dict = stored if isinstance(stored, dict) else {}
        unmasked = {}
        for key, value in options.items():
            if is_secret_option(key) and value == Secret.MASK:
                if key not in stored_dict or not stored_dict[key]:
                    raise ValueError(
                        f"“{key}” is {Secret.MASK}, the mask of a credential that is not "
                        "stored: give the credential itself."
                    )
                unmasked[key] = stored_dict[key]
            else:
                unmasked[key] = unmask_options(value, stored_dict.get(key))
        return unmasked
    if isinstance(options, list):
        stored_list = stored if isinstance(stored, list) else []
        return [
            unmask_options(item, stored_list[i] if i < len(stored_list) else None)
            for i, item in enumerate(options)
        ]
    return options
