from django import forms

from configs.models import ConfigTemplate


class ConfigTemplateForm(forms.ModelForm):
    class Meta:
        model = ConfigTemplate
        fields = ["name", "template", "trim_blocks", "lstrip_blocks", "description"]
        widgets = {"template": forms.Textarea(attrs={"rows": 24, "spellcheck": "false"})}
