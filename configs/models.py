from django.core.exceptions import ValidationError
from django.db import models
from jinja2 import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment


class ConfigTemplate(models.Model):
    """A Jinja2 template that renders (part of) a router's configuration."""

    name = models.CharField(
        max_length=100, unique=True, help_text="Other templates include this one by this name."
    )
    template = models.TextField(help_text="Jinja2 template text.")
    trim_blocks = models.BooleanField(
        default=True, help_text="Remove the first newline after a block tag."
    )
    lstrip_blocks = models.BooleanField(
        default=True, help_text="Strip spaces and tabs before a block tag on its line."
    )
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Refuse text that is not Jinja2 at all (forms, the admin): naming the line saves a
        failed deploy."""
        error = syntax_error(self.template or "")
        if error:
            raise ValidationError({"template": error})


def syntax_error(text: str) -> str | None:
    """Why `text` is not a Jinja2 template (a sentence naming the line), or None."""
    try:
        SandboxedEnvironment().parse(text)
    except TemplateSyntaxError as exc:
        return f"Line {exc.lineno}: {exc.message}"
    except (RecursionError, MemoryError):  # `((((...))))` thousands deep
        return "The template is nested too deeply to be read."
    return None
