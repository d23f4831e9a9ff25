from django import forms
from jinja2 import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from configs.models import ConfigTemplate


class ConfigTemplateForm(forms.ModelForm):
    class Meta:
        model = ConfigTemplate
        fields = ["name", "template", "trim_blocks", "lstrip_blocks", "description"]
        widgets = {"template": forms.Textarea(attrs={"rows": 24, "spellcheck": "false"})}

    def clean_template(self) -> str:
        """Refuse text that is not Jinja2 at all; naming the line saves a failed deploy."""
        text = self.cleaned_data["template"]
        try:
            SandboxedEnvironment().parse(text)
        except TemplateSyntaxError as exc:
            raise forms.ValidationError(
                "Line %(line)s: %(message)s", params={"line": exc.lineno, "message": exc.message}
            ) from None
        return text
