"""Form pieces shared by the apps: write-only secrets, JSON objects, AS numbers."""

import json
from typing import Any

from django import forms
from django.forms.fields import InvalidJSONInput

from core.secrets import mask_options, unmask_options
from core.validators import (
    ASN_MAX,
    ASN_MIN,
    ASNTextError,
    asn_from_text,
    validate_asn,
    validate_json_object,
)

# Sentinels a SecretFormField cleans to, besides a new plaintext value.
KEEP_SECRET = object()
REMOVE_SECRET = object()


class SecretWidget(forms.MultiWidget):
    """A password box that never shows the stored value, plus a "remove" checkbox."""

    template_name = "core/widgets/secret.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets = {
            "": forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
            "remove": forms.CheckboxInput(),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        return [None, False]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any]) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        # Only whether a value is stored is shown, never the value.
        context["widget"]["is_stored"] = bool(value) and not isinstance(value, list)
        return context


class SecretFormField(forms.MultiValueField):
    """Blank keeps the stored secret, the checkbox removes it, anything else replaces it."""

    widget = SecretWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = (forms.CharField(required=False, strip=False), forms.BooleanField(required=False))
        kwargs.setdefault("help_text", "")
        super().__init__(fields, require_all_fields=False, required=False, **kwargs)

    def compress(self, data_list: list[Any]) -> Any:
        new_value, remove = [*data_list, None, False][:2]
        if remove:
            return REMOVE_SECRET
        return new_value if new_value else KEEP_SECRET

    def has_changed(self, initial: Any, data: Any) -> bool:
        return bool(data and (data[0] or data[1]))


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _parse_json(text: str) -> Any:
    """Strict JSON: NaN and Infinity, which Python would take, are refused like any error."""
    return json.loads(text, parse_constant=_refuse_constant)


class JSONObjectFormField(forms.JSONField):
    """A JSON object typed in a box: blank means `{}`, anything else not an object is an error.

    Shown indented, one option a line, so that a long path is easy to edit.
    """

    widget = forms.Textarea(attrs={"rows": 4})
    default_error_messages = {"invalid": 'Enter valid JSON, e.g. {"port": 2222}.'}

    def to_python(self, value: Any) -> Any:
        if self.disabled:
            return value
        if value in self.empty_values:
            return {}
        if not isinstance(value, str):
            return value
        try:
            # ValueError: malformed, NaN, or an integer too long to convert; RecursionError:
            # nesting deeper than the parser goes.
            return _parse_json(value)
        except (ValueError, RecursionError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def validate(self, value: Any) -> None:
        super().validate(value)
        validate_json_object(value)

    def bound_data(self, data: Any, initial: Any) -> Any:
        if self.disabled:
            return initial
        # A form shown again shows the text as the user typed it, valid or not.
        return None if data is None else InvalidJSONInput(data)

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, InvalidJSONInput):
            return value
        try:
            return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, cls=self.encoder)
        except RecursionError:  # nested deeper than the indenting encoder goes: one line
            return json.dumps(value, ensure_ascii=False, cls=self.encoder)

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return super().has_changed(initial, data)
        except forms.ValidationError:
            return True


def _quoted(text: str, limit: int = 40) -> str:
    return f"“{text if len(text) <= limit else text[:limit] + '…'}”"


class ASNFormField(forms.Field):
    """An AS number typed as asplain (64500) or asdot (1.10, RFC 5396); cleans to the
    integer, which is what is stored. Malformed text, an asdot half above 65535, a number
    outside 1 to 4294967295 and AS_TRANS are errors beside the field."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", f"asplain (64500) or asdot (1.10); {ASN_MIN} to {ASN_MAX}.")
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "autocomplete": "off", "spellcheck": "false"}

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        try:
            return asn_from_text(text)
        except ASNTextError as exc:
            if exc.code == "range":
                message = f"{_quoted(text)} is not an AS number: use {ASN_MIN} to {ASN_MAX}."
            elif exc.code == "asdot":
                message = f"{_quoted(text)} {exc}."
            else:
                message = (
                    f"{_quoted(text)} is not an AS number: write it as a whole number "
                    "(asplain, 64500) or in asdot (1.10)."
                )
            raise forms.ValidationError(message, code=f"asn_{exc.code}") from None

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None:
            validate_asn(value)


class MaskedOptionsFormMixin:
    """For a ModelForm with NAPALM optional arguments (`masked_options_fields`): the box
    shows their credentials masked (core.secrets.mask_options), as the object's page does,
    and a mask submitted back keeps the stored credential; the mask where none is stored
    is an error beside the field."""

    masked_options_fields: tuple[str, ...] = ("napalm_args",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.masked_options_fields:
            if name in self.fields and name in self.initial:
                self.initial[name] = mask_options(self.initial[name])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name in self.masked_options_fields:
            if name in cleaned:
                try:
                    cleaned[name] = unmask_options(cleaned[name], getattr(self.instance, name))
                except ValueError as exc:
                    self.add_error(name, str(exc))
        return cleaned
