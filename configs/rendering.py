"""Render a router's configuration from its Jinja2 template.

Templates run in a sandbox with StrictUndefined, in a render process bounded in time,
memory and output (configs/sandbox.py, configs/render_pool.py): a template error, a
value the inventory lacks or a runaway template is an error naming the template and
line, never text pushed to a router, and never the server's or worker's problem.

What people read of a configuration, or of a router's answer to it, goes through the
configuration's Masker (configs/masking.py): no form of a secret reaches them.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from configs.context import build_context, secret_slots
from configs.masking import Masker, learn, literal_masker, stand_in
from configs.models import ConfigTemplate
from configs.render_pool import RendererFailed, pool
from configs.sandbox import Limits, RenderFailure, RenderRequest
from core.crypto import SecretDecryptionError
from devices.models import Router

logger = logging.getLogger(__name__)


class RenderError(Exception):
    """A template could not be rendered; `str()` names the template and line."""

    def __init__(self, template: str, line: int | None, message: str) -> None:
        self.template, self.line, self.message = template, line, message
        where = f"template “{template}”" + (f" line {line}" if line else "")
        super().__init__(f"{where}: {message}")


class NoTemplate(Exception):
    pass


def limits() -> Limits:
    """The render limits of the settings (RENDER_TIME_LIMIT, RENDER_MAX_OUTPUT,
    RENDER_MEMORY_LIMIT)."""
    return Limits(
        time_s=settings.RENDER_TIME_LIMIT,
        max_output=settings.RENDER_MAX_OUTPUT,
        memory_bytes=settings.RENDER_MEMORY_LIMIT * 2**20,
    )


def _render(request: RenderRequest) -> list[str | RenderFailure]:
    try:
        return pool(os.cpu_count() or 2).render(request)
    except RendererFailed as exc:
        raise RenderError(request.template, None, str(exc)) from None


def _text(result: str | RenderFailure, secrets: list[str | None] | None = None) -> str:
    if isinstance(result, RenderFailure):
        message = _without_secrets(result.message, secrets or [])
        raise RenderError(result.template, result.line, message)
    return result


def _without_secrets(message: str, secrets: list[str | None]) -> str:
    """A template error may quote a value (`{{ {}[password] }}` names the missing key):
    the secrets, and any word of the message that is a piece of one, are masked."""
    known = [secret for secret in secrets if secret]
    if not known:
        return message
    message = literal_masker(known).mask(message)
    words = set(re.findall(r"[^\s'\"`]{4,}", message))
    pieces = [word for word in words if any(word in secret for secret in known)]
    return literal_masker(pieces).mask(message)


@dataclass
class RenderedConfig:
    """A router's configuration: `text` for the router, `masked` for people.

    `mask()` masks the same secrets in what the router says about this configuration
    (its diff, its errors). The masker is learned on first use: a deploy that changes
    nothing never needs it.
    """

    text: str = field(repr=False)
    _learn: Callable[[], Masker] = field(repr=False)
    _masker: Masker | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def masker(self) -> Masker:
        with self._lock:
            if self._masker is None:
                self._masker = self._learn()
            return self._masker

    @property
    def masked(self) -> str:
        return self.masker.mask(self.text)

    def mask(self, text: str) -> str:
        return self.masker.mask(text)


def _learner(request: RenderRequest, real: str) -> Callable[[], Masker]:
    """Renders the stand-in variants and learns where the secrets go (configs/masking.py)."""
    slots = secret_slots(request.context)
    secrets = [value for _, value in slots]

    def learn_masker() -> Masker:
        # Every slot first; a template that only renders with the secrets it has set
        # (it parses them, say) gets stand-ins for those only.
        attempts = [slots]
        with_values = [(path, value) for path, value in slots if value]
        if with_values and len(with_values) < len(slots):
            attempts.append(with_values)
        for chosen in attempts if slots else []:
            variants = [
                {path: stand_in(value, variant) for path, value in chosen} for variant in (0, 1)
            ]
            try:
                results = _render(dataclasses.replace(request, variants=variants))
            except RenderError:  # the render process failed: the fallback below
                break
            if all(isinstance(result, str) for result in results):
                return learn(real, results[0], results[1], secrets)  # type: ignore[arg-type]
        if any(secrets):
            logger.warning(
                "template “%s” cannot be rendered with stand-in passwords: only the passwords "
                "themselves are masked in what people read",
                request.template,
            )
        return literal_masker(secrets)

    return learn_masker


def render_request(router: Router) -> RenderRequest:
    """What rendering the router needs, read from the database (the calling thread's part).
    Raises NoTemplate or RenderError (a stored password that cannot be decrypted)."""
    if router.config_template_id is None:
        raise NoTemplate(f"{router.name} has no configuration template.")
    templates = {
        row["pk"]: row
        for row in ConfigTemplate.objects.values(
            "pk", "name", "template", "trim_blocks", "lstrip_blocks"
        )
    }
    template = templates.get(router.config_template_id)
    if template is None:
        raise NoTemplate(f"{router.name}'s configuration template no longer exists.")
    try:
        context = build_context(router)
    except SecretDecryptionError as exc:
        raise RenderError(template["name"], None, f"a session password: {exc}") from None
    return RenderRequest(
        template=template["name"],
        sources={row["name"]: row["template"] for row in templates.values()},
        trim_blocks=template["trim_blocks"],
        lstrip_blocks=template["lstrip_blocks"],
        context=context,
        limits=limits(),
    )


def render(request: RenderRequest) -> RenderedConfig:
    """Render a request in a render process; no database, so any thread. Raises RenderError."""
    [result] = _render(request)
    real = _text(result, [value for _, value in secret_slots(request.context)])
    return RenderedConfig(real, _learner(request, real))


def render_router(router: Router) -> RenderedConfig:
    """The router's configuration. Raises NoTemplate or RenderError."""
    return render(render_request(router))


def render_router_config(router: Router) -> str:
    """The router's configuration text, secrets included. Raises NoTemplate or RenderError."""
    return render_router(router).text


def render_template(template: ConfigTemplate, context: dict[str, Any]) -> str:
    """One template with a given context (its includes from the database)."""
    sources = dict(ConfigTemplate.objects.values_list("name", "template"))
    sources[template.name] = template.template
    request = RenderRequest(
        template.name, sources, template.trim_blocks, template.lstrip_blocks, context, limits()
    )
    [result] = _render(request)
    return _text(result)
