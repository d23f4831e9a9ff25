"""Render a router's configuration from its Jinja2 template.

Templates run in a sandbox with StrictUndefined: a typo in a template is an error naming
the template and line, never an empty string pushed to a router.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from jinja2 import BaseLoader, StrictUndefined, Template, TemplateError, TemplateNotFound
from jinja2 import TemplateSyntaxError as JinjaSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from configs.context import build_context
from configs.filters import FILTERS
from configs.models import ConfigTemplate
from devices.models import Router

_FILENAME_PREFIX = "template:"


class RenderError(Exception):
    """A template could not be rendered; `str()` names the template and line."""

    def __init__(self, template: str, line: int | None, message: str) -> None:
        self.template, self.line, self.message = template, line, message
        where = f"template “{template}”" + (f" line {line}" if line else "")
        super().__init__(f"{where}: {message}")


class NoTemplate(Exception):
    pass


class _DatabaseLoader(BaseLoader):
    """Finds templates by their ConfigTemplate name, so templates can include each other."""

    def get_source(self, environment: Any, name: str) -> tuple[str, str, Any]:
        template = ConfigTemplate.objects.filter(name=name).values_list("template", flat=True)
        source = template.first()
        if source is None:
            raise TemplateNotFound(name)
        return source, f"{_FILENAME_PREFIX}{name}", lambda: False


def _environment(trim_blocks: bool, lstrip_blocks: bool) -> SandboxedEnvironment:
    environment = SandboxedEnvironment(
        loader=_DatabaseLoader(),
        undefined=StrictUndefined,
        trim_blocks=trim_blocks,
        lstrip_blocks=lstrip_blocks,
        keep_trailing_newline=True,
        autoescape=False,
    )
    environment.filters.update(FILTERS)
    return environment


@lru_cache(maxsize=64)
def _compiled(name: str, source: str, trim_blocks: bool, lstrip_blocks: bool) -> Template:
    """The template compiled once per text and options: compiling costs more than rendering
    a hundred sessions. Included templates are still read from the database at each render."""
    environment = _environment(trim_blocks, lstrip_blocks)
    code = environment.compile(source, name=name, filename=f"{_FILENAME_PREFIX}{name}")
    return environment.template_class.from_code(environment, code, environment.make_globals(None))


def _location(exc: BaseException, default: str) -> tuple[str, int | None]:
    """The template and line where a rendering error happened."""
    if isinstance(exc, JinjaSyntaxError):
        name = (exc.filename or "").removeprefix(_FILENAME_PREFIX) or exc.name or default
        return name, exc.lineno
    for frame, line in reversed(list(traceback.walk_tb(exc.__traceback__))):
        filename = frame.f_code.co_filename
        if filename.startswith(_FILENAME_PREFIX):
            return filename.removeprefix(_FILENAME_PREFIX), line
    return default, None


def render_template(template: ConfigTemplate, context: dict[str, Any]) -> str:
    try:
        compiled = _compiled(
            template.name, template.template, template.trim_blocks, template.lstrip_blocks
        )
        return compiled.render(context)
    except TemplateNotFound as exc:
        name, line = _location(exc, template.name)
        raise RenderError(name, line, f"includes “{exc.name}”, which does not exist") from exc
    except (TemplateError, ArithmeticError, LookupError, TypeError, ValueError) as exc:
        name, line = _location(exc, template.name)
        message = getattr(exc, "message", None) or str(exc)
        raise RenderError(name, line, message) from exc


@dataclass(frozen=True)
class RenderedConfig:
    text: str
    # The session passwords the text may contain, to mask them in what users see.
    passwords: tuple[str, ...] = field(repr=False)

    @property
    def masked(self) -> str:
        """The text with session passwords masked: what users may read."""
        return redact(self.text, self.passwords)


MASK = "********"


def redact(text: str, secrets: Iterable[str]) -> str:
    """Mask passwords that a rendered configuration or a router's diff may contain."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def render_router(router: Router) -> RenderedConfig:
    """The router's configuration and its session passwords. Raises NoTemplate or RenderError."""
    if router.config_template_id is None:
        raise NoTemplate(f"{router.name} has no configuration template.")
    template = ConfigTemplate.objects.get(pk=router.config_template_id)
    context = build_context(router)
    passwords = tuple(s["password"] for s in context["sessions"] if s["password"])
    return RenderedConfig(render_template(template, context), passwords)


def render_router_config(router: Router) -> str:
    """The router's configuration text. Raises NoTemplate or RenderError."""
    return render_router(router).text
