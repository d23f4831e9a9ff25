from django.db import models


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
