"""What of a secret the change log keeps: that it changed, never what it is or was.

A secret field is an EncryptedTextField (router and session passwords), or any field
whose name says it holds a credential (password, passphrase, secret, token, key), so that
a field added later is masked without anyone remembering to. Its old and new values are
recorded as SET_MARK / CHANGED_MARK (or None when there is no secret), constants that
carry nothing of the plaintext nor of its Fernet token. NAPALM optional arguments that
carry a credential (`secret`, `enable_password`... core.secrets.SECRET_OPTIONS) are
masked inside JSON values the same way the pages mask them.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import models

from core.fields import EncryptedTextField
from core.secrets import is_secret_option, mask_options

# What a secret was, when there was one...
SET_MARK = "••••"
# ...and what it became, when there is one.
CHANGED_MARK = "changed"
# Field names that say the field holds a credential: napalm_password, api_key, token...
_SECRET_NAME = re.compile(r"(^|_)(password|passphrase|secret|token|key)s?($|_)")
# What auditlog's text form of "no value" looks like.
_EMPTY = (None, "", "None")


def is_secret_name(name: str) -> bool:
    """Whether a field's name says it holds a credential."""
    return _SECRET_NAME.search(name) is not None


def secret_fields(model: type[models.Model]) -> frozenset[str]:
    """The names of the concrete fields of `model` that hold a secret."""
    return frozenset(
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
        or (is_secret_name(field.name) and not field.is_relation)
    )


def mask_secret(value: Any) -> str | None:
    """django-auditlog's mask callable (AUDITLOG_MASK_CALLABLE): SET_MARK for a value,
    None for none. Unlike auditlog's own mask, which keeps half of the text, nothing of
    `value` is returned."""
    return None if value in _EMPTY else SET_MARK


def masked_pair(old: Any, new: Any) -> list[str | None]:
    """A secret's [old, new] as recorded: whether there was one, whether there is one."""
    return [
        None if old in _EMPTY else SET_MARK,
        None if new in _EMPTY else CHANGED_MARK,
    ]


def masked_value(value: Any) -> Any:
    """A recorded value with the credentials among NAPALM optional arguments masked (a
    JSON object or list, at any depth); any other value as it is."""
    return mask_options(value) if isinstance(value, dict | list) else value


def masked_values_pair(old: Any, new: Any) -> list[Any]:
    """A non-secret field's [old, new] as recorded: credentials among NAPALM optional
    arguments masked in both, and in `new` a credential that replaced another at the same
    place recorded as CHANGED_MARK, so that the entry says it changed (both would show
    the mask otherwise)."""
    masked_new = masked_value(new)
    _mark_changed(old, new, masked_new)
    return [masked_value(old), masked_new]


def _mark_changed(old: Any, new: Any, masked_new: Any) -> None:
    if isinstance(new, dict) and isinstance(masked_new, dict):
        before = old if isinstance(old, dict) else {}
        for key, value in new.items():
            if is_secret_option(key) and value:
                if before.get(key) and before[key] != value:
                    masked_new[key] = CHANGED_MARK
            else:
                _mark_changed(before.get(key), value, masked_new.get(key))
    elif isinstance(new, list) and isinstance(masked_new, list):
        before_list = old if isinstance(old, list) else []
        for index, value in enumerate(new):
            previous = before_list[index] if index < len(before_list) else None
            _mark_changed(previous, value, masked_new[index])
