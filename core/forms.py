"""Form pieces shared by the apps: write-only secrets."""

from typing import Any

from django import forms

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
