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
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from configs.context import build_context_and_router, secret_slots
from configs.masking import Learned, Masker, derived_forms, learn, literal_masker, stand_ins
from configs.models import ConfigTemplate
from configs.render_pool import RendererFailed, pool
from configs.sandbox import Limits, RenderFailure, RenderRequest
from core.crypto import SecretDecryptionError
from core.operations import Category, OperationError
from devices.models import Router
from peering.retired_passwords import retired_passwords

logger = logging.getLogger(__name__)


class RenderError(OperationError):
    """A template could not be rendered; `str()` names the template and line. An input
    error: the template or the inventory needs fixing, not the router."""

    category = Category.INPUT

    def __init__(self, template: str, line: int | None, message: str) -> None:
        self.template, self.line, self.message = template, line, message
        where = f"template “{template}”" + (f" line {line}" if line else "")
        super().__init__(f"{where}: {message}")


class NoTemplate(OperationError):
    """The router has no configuration template: it is skipped, nothing failed."""

    category = Category.INPUT
    skips = True


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


def _text(result: str | RenderFailure) -> str:
    if isinstance(result, RenderFailure):
        raise RenderError(result.template, result.line, result.message)
    return result


WITHHELD = (
    "the template failed on a password's own value; its message is not shown, as it may "
    "quote the password"
)


def _failure_for_people(request: RenderRequest, failure: RenderFailure) -> RenderError:
    """The error as people may read it: a template error may quote a value, a password
    included (`{{ {}[password | upper] }}` names the missing key). The render is done
    again with stand-in passwords: the same error at the same place gives its message
    (quoting the stand-in); any other outcome gives the place only."""
    secret = [(path, value) for path, value in secret_slots(request.context) if value]
    if not secret or not failure.may_quote:
        return RenderError(failure.template, failure.line, failure.message)
    variant = {path: stand_ins(value)[0] for path, value in secret}
    try:
        [again] = _render(dataclasses.replace(request, variants=[variant]))
    except RenderError:
        again = None
    same = isinstance(again, RenderFailure) and (again.template, again.line) == (
        failure.template,
        failure.line,
    )
    message = again.message if same else WITHHELD  # type: ignore[union-attr]
    masker = literal_masker(value for _, value in secret)  # and the passwords themselves
    return RenderError(failure.template, failure.line, masker.mask(message))


@dataclass
class RenderedConfig:
    """A router's configuration: `text` for the router, `masked` for people.

    `mask()` masks the same secrets in what the router says about this configuration
    (its diff, its errors). What masking needs is learned on first use: a deploy that
    changes nothing never needs it.
    """

    text: str = field(repr=False)
    _learn: Callable[[], Learned] = field(repr=False)
    _learned: Learned | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def learned(self) -> Learned:
        with self._lock:
            if self._learned is None:
                self._learned = self._learn()
            return self._learned

    @property
    def masker(self) -> Masker:
        return self.learned.masker

    @property
    def masked(self) -> str:
        return self.learned.masked_text

    def mask(self, text: str) -> str:
        return self.masker.mask(text)


def _learner(request: RenderRequest, real: str, previous: tuple[str, ...]) -> Callable[[], Learned]:
    """Renders the stand-in variants and learns where the secrets go (configs/masking.py);
    `previous` are passwords the router may still have: masked too."""
    slots = secret_slots(request.context)
    secrets = [value for _, value in slots]

    def learn_masking() -> Learned:
        learned = _learn(request, real, slots, secrets)
        forms = _previous_forms(request, real, slots, previous) if previous else set()
        return Learned(learned.masker.with_literals([*previous, *forms]), learned.masked_text)

    return learn_masking


# Renders, at most, to learn the forms the template gives previous passwords.
MAX_PREVIOUS_RENDERS = 3


def _previous_forms(
    request: RenderRequest,
    real: str,
    slots: list[tuple[tuple[str | int, ...], str | None]],
    previous: tuple[str, ...],
) -> set[str]:
    """The forms the template gives the router's previous passwords (`password[2:]` of an
    old type-7 value, say): the template rendered with them in the slots that have a
    password now (they pass the same tests), the most recent first."""
    targets = [path for path, value in slots if value] or [path for path, _ in slots]
    if not targets:
        return set()
    recent = list(reversed(previous))[: len(targets) * MAX_PREVIOUS_RENDERS]
    batches = [recent[i : i + len(targets)] for i in range(0, len(recent), len(targets))]
    variants = [dict(zip(targets, batch, strict=False)) for batch in batches]
    try:
        results = _render(dataclasses.replace(request, variants=variants))  # type: ignore[arg-type]
    except RenderError:
        return set()
    forms: set[str] = set()
    for result in results:
        if isinstance(result, str):
            forms |= derived_forms(result, real)
    return forms


def _learn(
    request: RenderRequest,
    real: str,
    slots: list[tuple[tuple[str | int, ...], str | None]],
    secrets: list[str | None],
) -> Learned:
    """Learned from two stand-in renders; the passwords alone when that fails."""
    # Every slot first; a template that only renders with the secrets it has set
    # (it parses them, say) gets stand-ins for those only.
    attempts = [slots]
    with_values = [(path, value) for path, value in slots if value]
    if with_values and len(with_values) < len(slots):
        attempts.append(with_values)
    for chosen in attempts if slots else []:
        pairs = {path: stand_ins(value) for path, value in chosen}
        variants = [{path: pair[variant] for path, pair in pairs.items()} for variant in (0, 1)]
        try:
            results = _render(dataclasses.replace(request, variants=variants))
        except RenderError:  # the render process failed: the fallback below
            break
        if all(isinstance(result, str) for result in results):
            learned = learn(real, results[0], results[1], secrets)  # type: ignore[arg-type]
            if learned is not None:
                return learned
    if any(secrets):
        logger.warning(
            "template “%s” renders differently with stand-in passwords: only the "
            "passwords themselves are masked in what people read",
            request.template,
        )
    masker = literal_masker(secrets)
    return Learned(masker, masker.mask(real))


@dataclass(frozen=True)
class RenderInput:
    """What rendering a router needs: the request for a render process, and the passwords
    the router may still have from before (masked in what it says, never rendered)."""

    request: RenderRequest
    previous_secrets: tuple[str, ...] = field(default=(), repr=False)


def render_input(router: Router) -> RenderInput:
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
        context, stored = build_context_and_router(router)
    except SecretDecryptionError as exc:
        raise RenderError(template["name"], None, f"a session password: {exc}") from None
    request = RenderRequest(
        template=template["name"],
        sources={row["name"]: row["template"] for row in templates.values()},
        trim_blocks=template["trim_blocks"],
        lstrip_blocks=template["lstrip_blocks"],
        context=context,
        limits=limits(),
    )
    return RenderInput(request, tuple(retired_passwords(stored)))


def render(prepared: RenderInput) -> RenderedConfig:
    """Render in a render process; no database, so any thread. Raises RenderError."""
    request = prepared.request
    [result] = _render(request)
    if isinstance(result, RenderFailure):
        raise _failure_for_people(request, result)
    return RenderedConfig(result, _learner(request, result, prepared.previous_secrets))


def render_router(router: Router) -> RenderedConfig:
    """The router's configuration. Raises NoTemplate or RenderError."""
    return render(render_input(router))


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
