"""Model fields shared by the apps: encrypted credentials and normalised IP addresses."""

from __future__ import annotations

import ipaddress
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from core.crypto import SecretDecryptionError
from core.forms import KEEP_SECRET, REMOVE_SECRET, JSONObjectFormField, SecretFormField
from core.secrets import Secret
from core.validators import validate_json_object

# Prefix marking an already-encrypted value in serialized data (dumpdata / loaddata).
SERIALIZED_TOKEN_PREFIX = "fernet:"


class _SecretAttribute(DeferredAttribute):
    """Encrypts plaintext as soon as it is assigned, so it never sits on a model instance."""

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = _as_secret(value)


def _as_secret(value: Any) -> Secret | None:
    if value is None or value == "":
        return None
    if isinstance(value, Secret):
        return value
    if isinstance(value, str):
        return Secret.from_plaintext(value)
    raise TypeError(f"a secret must be a string, not {type(value).__name__}")


class EncryptedTextField(models.TextField):
    """A credential stored as a Fernet token; reads give a `Secret`, never plaintext."""

    descriptor_class = _SecretAttribute

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Secret | None:
        return Secret(value) if value else None

    def to_python(self, value: Any) -> Secret | None:
        if isinstance(value, str) and value.startswith(SERIALIZED_TOKEN_PREFIX):
            return Secret(value.removeprefix(SERIALIZED_TOKEN_PREFIX))
        return _as_secret(value)

    def get_prep_value(self, value: Any) -> str | None:
        secret = _as_secret(value)
        return secret.token if secret else None

    def value_to_string(self, obj: models.Model) -> str:
        secret = self.value_from_object(obj)
        return f"{SERIALIZED_TOKEN_PREFIX}{secret.token}" if secret else ""

    def run_validators(self, value: Any) -> None:
        """Validators see the plaintext: a length limit is about the password, not its token."""
        if isinstance(value, Secret):
            try:
                value = value.reveal()
            except SecretDecryptionError:
                raise ValidationError(
                    "The stored value cannot be decrypted with the configured keys; "
                    "enter it again.",
                    code="undecryptable",
                ) from None
        super().run_validators(value)

    def formfield(self, **kwargs: Any) -> forms.Field:
        # A form's Meta.labels / help_texts arrive as kwargs; the rest do not apply.
        return SecretFormField(
            label=kwargs.get("label") or self.verbose_name.capitalize(),
            help_text=kwargs.get("help_text") or self.help_text,
        )

    def save_form_data(self, instance: models.Model, data: Any) -> None:
        if data is KEEP_SECRET:
            return
        setattr(instance, self.attname, None if data is REMOVE_SECRET else data)


def _parse_ip(value: str, protocol: str, *, interface: bool) -> str:
    text = str(value).strip()
    try:
        if interface:
            if "/" not in text:
                raise ValueError
            parsed = ipaddress.ip_interface(text)
        else:
            parsed = ipaddress.ip_address(text)
    except ValueError:
        example = "192.0.2.1/24 or 2001:db8::1/64" if interface else "192.0.2.1 or 2001:db8::1"
        kind = "an interface address with its prefix length" if interface else "an IP address"
        raise ValidationError(f"“{text}” is not {kind}, e.g. {example}.", code="invalid") from None
    if protocol != "both" and parsed.version != int(protocol[-1]):
        raise ValidationError(f"{text} is not an IPv{protocol[-1]} address.", code="wrong_family")
    if interface:
        network = parsed.network
        if network.num_addresses > 2 and parsed.ip == network.network_address:
            raise ValidationError(
                f"{text} is the subnet's own address; use the router's interface address.",
                code="network_address",
            )
        return parsed.with_prefixlen
    return parsed.compressed


class IPAddressField(models.CharField):
    """An IPv4 or IPv6 address stored in Python's compressed form, so equality matches."""

    def __init__(self, *args: Any, protocol: str = "both", **kwargs: Any) -> None:
        self.protocol = protocol
        kwargs.setdefault("max_length", 39)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[Any, ...]:
        name, path, args, kwargs = super().deconstruct()
        if self.protocol != "both":
            kwargs["protocol"] = self.protocol
        del kwargs["max_length"]
        return name, path, args, kwargs

    def to_python(self, value: Any) -> str | None:
        if value in (None, ""):
            return None
        return _parse_ip(value, self.protocol, interface=False)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        try:
            return self.to_python(value)
        except ValidationError:
            return value  # a partial string in a lookup such as __startswith


class IPInterfaceField(IPAddressField):
    """An interface address with its prefix length, e.g. 192.0.2.1/24 or 2001:db8::1/64."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 43)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> str | None:
        if value in (None, ""):
            return None
        return _parse_ip(value, self.protocol, interface=True)


class JSONObjectField(models.JSONField):
    """A JSON object (driver options and the like): `{}` is valid, a list or a number is not."""

    # Only a missing value counts as empty, so `[]` reaches the validator instead of passing.
    empty_values = [None, ""]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", dict)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)
        self.validators.append(validate_json_object)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        # No value (a cleared form box, `None` from a script) means no options, not SQL NULL.
        if getattr(model_instance, self.attname) is None:
            setattr(model_instance, self.attname, {})
        return super().pre_save(model_instance, add)

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        # QuerySet.update() does not call pre_save.
        return super().get_db_prep_save({} if value is None else value, connection)

    def formfield(self, **kwargs: Any) -> forms.Field:
        return super().formfield(**{"form_class": JSONObjectFormField, **kwargs})


def parse_ip(value: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address, or None for a value that is not one (already reported by validation)."""
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def ip_network_of(interface: str | None) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    return ipaddress.ip_interface(interface).network if interface else None
