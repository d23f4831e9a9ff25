"""The Jinja2 sandbox that configuration templates run in, inside a render process.

Nothing here imports Django: this module is what a render process (configs/render_pool.py)
loads. A template is user input that runs code, so each render is bounded where it runs:

- time: an alarm interrupts the template after `Limits.time_s` (the parent also kills a
  process that does not answer, for work the alarm cannot interrupt);
- memory: the process's address space may grow by `Limits.memory_bytes` while it renders,
  so `{{ 'x' * 10**9 }}` fails at the allocation, before the text exists;
- output: the text is counted as it is generated and stops at `Limits.max_output`.

A value the inventory does not have (None) never becomes the text "None": printing it or
joining it with `~` is an error that names the template and line.
"""

from __future__ import annotations

import functools
import os
import resource
import signal
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from multiprocessing.connection import Connection
from types import FrameType
from typing import Any

from jinja2 import (
    BaseLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateNotFound,
    Undefined,
)
from jinja2 import TemplateSyntaxError as JinjaSyntaxError
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import TemplateRuntimeError
from jinja2.nodes import Concat
from jinja2.sandbox import SandboxedEnvironment

from configs.filters import FILTERS
from core.log_format import encodable, shortened

FILENAME_PREFIX = "template:"
# A context path: keys and list indexes from the context's root to one value.
Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Limits:
    """What one render may use. `time_s` in seconds, `max_output` in characters,
    `memory_bytes` the growth of the render process while it renders."""

    time_s: float
    max_output: int
    memory_bytes: int


@dataclass
class RenderRequest:
    """Render template `template` once per variant of `context`.

    A variant maps context paths to the values they take for that render (an empty
    variant renders the context as it is); `sources` holds every template by name, so
    that templates can include each other.
    """

    template: str
    sources: dict[str, str]
    trim_blocks: bool
    lstrip_blocks: bool
    context: dict[str, Any]
    limits: Limits
    variants: list[dict[Path, Any]] = field(default_factory=lambda: [{}])


@dataclass(frozen=True)
class RenderFailure:
    """Why a render failed: the template and line (when known) and one sentence.
    `may_quote` is False for the sentences the sandbox writes itself (limits, recursion,
    a value that is not set), which quote nothing of the context."""

    template: str
    line: int | None
    message: str
    may_quote: bool = True


class UnsetValue(TemplateRuntimeError):
    """A template printed or joined a value the inventory does not have."""


class _TimeLimit(Exception):
    pass


class _OutputLimit(Exception):
    pass


class _TooDeep(Exception):
    """Reading (parsing) the template recursed too deep: `((((...))))` thousands deep."""


class _NotUnicode(Exception):
    """The text holds a lone surrogate (a template's "\\udc1b" escape): no router, page
    or database takes it. `line` is the line of the configuration it is on."""

    def __init__(self, line: int) -> None:
        self.line = line


# Failures whose sentence the sandbox writes itself.
_OUR_WORDS = (
    TemplateNotFound,
    RecursionError,
    MemoryError,
    _TimeLimit,
    _OutputLimit,
    _NotUnicode,
    _TooDeep,
    UnsetValue,
)


_WHAT_INSTEAD = "test it with {% if ... %} or give it a default with | default('...')"
UNSET_VALUE = (
    f"a value that is not set (None) would be written into the configuration; {_WHAT_INSTEAD}"
)


class Unset:
    """What a render's context holds where the inventory has no value (None there).

    It is false, equal to None and `is none`, and `| default(...)` replaces it; but any
    way of making text or a number of it (printing it, `~`, a filter, `%`, str.format,
    int(), printing a list or mapping that holds it, at any depth), or looping over it (a
    prefix list never fetched), raises UnsetValue, so the absence is an error naming the
    template and line, never the text "None" or an empty loop.
    """

    __slots__ = ()
    _instance: Unset | None = None

    def __new__(cls) -> Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __reduce__(self) -> tuple[type[Unset], tuple[()]]:
        return (Unset, ())

    def __bool__(self) -> bool:
        return False

    def __eq__(self, other: object) -> bool:
        return other is None or isinstance(other, Unset)

    def __hash__(self) -> int:
        return hash(None)

    def _refuse(self, *args: Any) -> Any:
        raise UnsetValue(UNSET_VALUE)

    __str__ = __repr__ = __format__ = __int__ = __float__ = __index__ = __iter__ = _refuse


UNSET = Unset()


def _unset_missing(value: Any, seen: set[int] | None = None) -> Any:
    """The context with every None replaced by UNSET, in place (dicts and lists).

    A dict or list the context holds in several places (an AS and its prefix lists,
    shared by all its sessions) is visited once."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return value
    seen.add(id(value))
    if isinstance(value, dict):
        for key, item in value.items():
            if item is None:
                value[key] = UNSET
            elif isinstance(item, dict | list):
                _unset_missing(item, seen)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if item is None:
                value[index] = UNSET
            elif isinstance(item, dict | list):
                _unset_missing(item, seen)
    return value


def _finalize(value: Any) -> Any:
    # Called by Jinja2 on the value of every {{ ... }} before it becomes text.
    if value is None or value is UNSET:
        raise UnsetValue(UNSET_VALUE)
    return value


def _default(value: Any, default_value: Any = "", boolean: bool = False) -> Any:
    """Jinja2's `default`, which also replaces a value the inventory does not have."""
    if isinstance(value, Undefined | Unset) or (boolean and not value):
        return default_value
    return value


def _yielding_unset(function: Callable[..., Any]) -> Callable[..., Any]:
    """The filter, whose None result (it yields nothing) is UNSET, and whose failure on
    an UNSET value says so."""

    @functools.wraps(function)
    def checked(*args: Any, **kwargs: Any) -> Any:
        try:
            result = function(*args, **kwargs)
        except UnsetValue:
            raise
        except Exception:
            # json.dumps, yaml... fail on UNSET in their own words (which may even try
            # to print it): say what it is.
            if any(_holds_unset(value) for value in (*args, *kwargs.values())):
                raise UnsetValue(UNSET_VALUE) from None
            raise
        return UNSET if result is None else result

    return checked


def _holds_unset(value: Any, depth: int = 0) -> bool:
    if value is UNSET:
        return True
    if depth > 20:
        return False
    if isinstance(value, dict):
        return any(_holds_unset(item, depth + 1) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_unset(item, depth + 1) for item in value)
    return False


def _is_none(value: Any) -> bool:
    return value is None or value is UNSET


class _CodeGenerator(CodeGenerator):
    """Compiles `a ~ b` to a join that refuses None, like {{ }} does through finalize."""

    def visit_Concat(self, node: Concat, frame: Frame) -> None:
        self.write("environment.join_text((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")


class PeeringEnvironment(SandboxedEnvironment):
    """The sandbox with StrictUndefined, our filters, and values the inventory does not
    have as UNSET (see Unset): no form of them becomes text."""

    code_generator_class = _CodeGenerator

    def __init__(self, trim_blocks: bool, lstrip_blocks: bool) -> None:
        super().__init__(
            loader=_SourcesLoader(),
            undefined=StrictUndefined,
            trim_blocks=trim_blocks,
            lstrip_blocks=lstrip_blocks,
            keep_trailing_newline=True,
            autoescape=False,
            finalize=_finalize,
        )
        self.filters.update(FILTERS)
        self.filters["default"] = self.filters["d"] = _default
        self.filters = {name: _yielding_unset(f) for name, f in self.filters.items()}
        self.tests["none"] = _is_none

    @staticmethod
    def join_text(values: tuple[Any, ...]) -> str:
        if any(value is None for value in values):
            raise UnsetValue(UNSET_VALUE)
        return "".join(str(value) for value in values)


class _SourcesLoader(BaseLoader):
    """Finds templates by name in the request's sources. A template is up to date while
    its source is the same, so an edited template is compiled again."""

    def __init__(self) -> None:
        self.sources: dict[str, str] = {}

    def get_source(self, environment: Any, name: str) -> tuple[str, str, Callable[[], bool]]:
        source = self.sources.get(name)
        if source is None:
            raise TemplateNotFound(name)
        return source, f"{FILENAME_PREFIX}{name}", lambda: self.sources.get(name) == source


@lru_cache(maxsize=4)
def _environment(trim_blocks: bool, lstrip_blocks: bool) -> PeeringEnvironment:
    return PeeringEnvironment(trim_blocks, lstrip_blocks)


def _location(exc: BaseException, default: str) -> tuple[str, int | None]:
    """The template and line where a rendering error happened (the innermost one)."""
    if isinstance(exc, JinjaSyntaxError):
        name = (exc.filename or "").removeprefix(FILENAME_PREFIX) or exc.name or default
        return name, exc.lineno
    for frame, line in reversed(list(traceback.walk_tb(exc.__traceback__))):
        filename = frame.f_code.co_filename
        if filename.startswith(FILENAME_PREFIX):
            return filename.removeprefix(FILENAME_PREFIX), line
    return default, None


def _message(exc: BaseException, limits: Limits) -> str:
    """One sentence for a render's failure."""
    if isinstance(exc, TemplateNotFound):
        return f"includes “{exc.name}”, which does not exist"
    if isinstance(exc, RecursionError):
        return "the template calls itself without end (a macro or an include that recurses)"
    if isinstance(exc, MemoryError):
        megabytes = limits.memory_bytes // 2**20
        return f"rendering needs more than {megabytes} MB of memory (RENDER_MEMORY_LIMIT)"
    if isinstance(exc, _TimeLimit):
        return f"rendering took longer than {limits.time_s:g} s (RENDER_TIME_LIMIT)"
    if isinstance(exc, _OutputLimit):
        return (
            f"the configuration is longer than {limits.max_output:,} characters (RENDER_MAX_OUTPUT)"
        )
    if isinstance(exc, _TooDeep):
        return "the template is nested too deeply to be read"
    if isinstance(exc, _NotUnicode):
        return (
            f"line {exc.line} of the configuration has a character that is not Unicode text "
            '(a lone surrogate, from an escape such as "\\udc1b" in a string)'
        )
    try:
        if isinstance(exc, TemplateError):
            return getattr(exc, "message", None) or str(exc)
        text = str(exc).strip().splitlines()
    except Exception:  # a message that cannot be printed (it quotes UNSET, say)
        return type(exc).__name__
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _address_space() -> int:
    """Bytes of address space this process uses now."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


@contextmanager
def _bounded(limits: Limits) -> Iterator[None]:
    """Alarm and address-space limit for the duration of one render."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise _TimeLimit

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = _address_space() + limits.memory_bytes
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    previous = signal.signal(signal.SIGALRM, expire)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    signal.setitimer(signal.ITIMER_REAL, limits.time_s)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        signal.signal(signal.SIGALRM, previous)


def _set(context: dict[str, Any], path: Path, value: Any) -> Any:
    """Set the value at `path`; returns the value it replaces."""
    *parents, last = path
    container: Any = context
    for key in parents:
        container = container[key]
    previous = container[last]
    container[last] = value
    return previous


def _generate(template: Template, context: dict[str, Any], limits: Limits) -> str:
    chunks: list[str] = []
    length = 0
    for chunk in template.generate(context):
        length += len(chunk)
        if length > limits.max_output:
            raise _OutputLimit
        chunks.append(chunk)
    text = "".join(chunks)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _NotUnicode(text.count("\n", 0, exc.start) + 1) from None
    return text


def render(request: RenderRequest) -> list[str | RenderFailure]:
    """Render every variant of the request: its text, or why it failed."""
    environment = _environment(request.trim_blocks, request.lstrip_blocks)
    environment.loader.sources = request.sources  # type: ignore[union-attr]
    _unset_missing(request.context)
    results: list[str | RenderFailure] = []
    for variant in request.variants:
        previous = {path: _set(request.context, path, value) for path, value in variant.items()}
        template = None
        try:
            with _bounded(request.limits):
                template = environment.get_template(request.template)
                results.append(_generate(template, request.context, request.limits))
        except Exception as exc:  # whatever a template raises is that template's failure
            if isinstance(exc, RecursionError) and template is None:
                exc = _TooDeep()
            name, line = _location(exc, request.template)
            ours = isinstance(exc, _OUR_WORDS)
            message = encodable(shortened(_message(exc, request.limits)))
            results.append(RenderFailure(name, line, message, not ours))
        finally:
            for path, value in previous.items():
                _set(request.context, path, value)
    return results


def serve(connection: Connection) -> None:
    """A render process: answer each RenderRequest on `connection` until it closes."""
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        try:
            reply = render(request)
        except Exception as exc:  # a bug of ours: this request fails, the process stays
            failure = RenderFailure(
                request.template, None, f"rendering failed: {_message(exc, request.limits)}"
            )
            reply = [failure] * len(request.variants)
        connection.send(reply)


if __name__ == "__main__":  # python -m configs.sandbox FD (started by configs/render_pool.py)
    import sys

    # Through the module, not this __main__ copy, so that what is sent back unpickles as
    # configs.sandbox's classes in the parent.
    from configs import sandbox

    sandbox.serve(Connection(int(sys.argv[1])))
