"""Connections to routers through NAPALM, and the errors a network engineer can act on.

Work is split in two so device I/O can run in threads without touching the database:
`driver_settings(router)` reads everything a connection needs (in the calling thread),
`connect(settings)` uses only that plain data.
"""

from __future__ import annotations

import copy
import logging
import socket
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NoReturn

from django.conf import settings as django_settings
from napalm import get_network_driver
from napalm.base import NetworkDriver
from napalm.base import exceptions as napalm_errors

from core.choices import Status
from core.crypto import SecretDecryptionError
from core.interrupts import is_ours, watch_sigint
from core.log_format import LOG_RECORD_LIMIT, encodable, exception_text, shortened
from core.operations import Category, OperationError
from core.secrets import Secret, mask_values, option_secrets, reveal_all
from devices.lab_networks import outside_lab
from devices.models import Router

logger = logging.getLogger(__name__)
# Masks what may not be shown (passwords) in a text about a router.
Hide = Callable[[str], str]


class DeviceError(OperationError):
    """A router could not be used; the message is one sentence for a network engineer.
    `category` files it (core.operations.Category); the runner makes it the router's
    failed result."""

    category = Category.ERROR


class RouterNotUsable(DeviceError):
    """The inventory says not to, or cannot, talk to this router."""

    category = Category.INPUT
    skips = True  # the router is skipped (with this sentence), not failed


class DriverNotInstalled(DeviceError):
    category = Category.DRIVER_MISSING


class Unreachable(DeviceError):
    category = Category.UNREACHABLE


class AuthenticationFailed(DeviceError):
    category = Category.AUTHENTICATION


class TimedOut(DeviceError):
    category = Category.TIMEOUT


class OperationNotSupported(DeviceError, NotImplementedError):
    """Also a NotImplementedError, so code that falls back on another getter still can."""

    category = Category.NOT_SUPPORTED


class DriverFailed(DeviceError):
    """The driver raised something that is not one of NAPALM's errors: a bug in the
    driver or a reply it could not parse. One router's failure, with the driver's words."""

    category = Category.DRIVER


class CommandFailed(DeviceError):
    """The router answered a command with an error."""

    category = Category.COMMAND


class ConfigurationRejected(DeviceError):
    """The router refused a configuration change (its own words are in the message)."""

    category = Category.REJECTED


@dataclass(frozen=True)
class DriverSettings:
    """Everything needed to open a NAPALM connection to one router; plain data only."""

    router: str
    driver: str
    hostname: str
    username: str
    password: str = field(repr=False)
    timeout: int
    optional_args: dict[str, Any] = field(repr=False)  # may hold an enable secret
    # The router's session passwords, as stored (session_secrets: decrypted only to mask
    # them in what the driver says when it fails) or already in plain text (a deploy's).
    session_secrets: tuple[Secret | str, ...] = field(default=(), repr=False)

    @property
    def address(self) -> str:
        """The hostname, with the port when one is set: `[2001:db8::1]:22` for IPv6."""
        return endpoint(self.hostname, self.optional_args.get("port"))


def endpoint(host: str, port: Any = None) -> str:
    """`host:port`, with an IPv6 address in brackets (RFC 3986) so the port is not read
    as part of it; `host` alone without a port."""
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}" if port not in (None, "") else host


def unusable_reason(router: Router) -> str | None:
    """Why NAPALM cannot be used on this router, or None when it can."""
    if router.status == Status.DISABLED:
        return "the router is disabled"
    if router.platform is None:
        return "the router has no platform"
    if not router.platform.napalm_driver:
        return f"platform {router.platform} has no NAPALM driver"
    return None


def session_secrets(routers: Iterable[Router]) -> dict[int, tuple[Secret, ...]]:
    """Each router's session passwords as stored (Secrets, not decrypted): its direct and
    IXP sessions' (one query whatever the number of routers) and the retired ones it may
    still have (peering/retired_passwords.py, on the router). For driver_settings."""
    routers = list(routers)
    found: dict[int, list[Secret]] = {router.pk: [] for router in routers}
    ids = list(found)
    direct = Router.objects.order_by().filter(pk__in=ids, direct_sessions__password__isnull=False)
    ixp = Router.objects.order_by().filter(
        pk__in=ids, connections__sessions__password__isnull=False
    )
    rows = direct.values_list("pk", "direct_sessions__password").union(
        ixp.values_list("pk", "connections__sessions__password"), all=True
    )
    for pk, secret in rows:
        if secret:
            found[pk].append(secret)
    for router in routers:
        if router.retired_session_passwords:
            found[router.pk].append(router.retired_session_passwords)
    return {pk: tuple(secrets) for pk, secrets in found.items()}


# The timeout when neither the router nor the settings give one, in seconds.
DEFAULT_TIMEOUT = 30


@dataclass(frozen=True)
class Effective:
    """A connection setting as it is used, and where it comes from: "router", "platform",
    "settings: NAPALM_…", "default" or "none" (not set anywhere)."""

    value: Any
    source: str


def effective_timeout(router: Router) -> Effective:
    """The connection timeout in seconds: the router's, else NAPALM_TIMEOUT, else 30."""
    if router.napalm_timeout:
        return Effective(router.napalm_timeout, "router")
    configured = getattr(django_settings, "NAPALM_TIMEOUT", None)
    if configured:
        return Effective(configured, "settings: NAPALM_TIMEOUT")
    return Effective(DEFAULT_TIMEOUT, "default")


def effective_username(router: Router) -> Effective:
    """The login name: the router's, else NAPALM_USERNAME; "" with source "none"."""
    if router.napalm_username:
        return Effective(router.napalm_username, "router")
    configured = getattr(django_settings, "NAPALM_USERNAME", "")
    if configured:
        return Effective(configured, "settings: NAPALM_USERNAME")
    return Effective("", "none")


def password_source(router: Router) -> str:
    """Where the password comes from ("router", "settings: NAPALM_PASSWORD", "none"),
    without reading it: the value is never needed to say so."""
    if router.napalm_password:
        return "router"
    if getattr(django_settings, "NAPALM_PASSWORD", ""):
        return "settings: NAPALM_PASSWORD"
    return "none"


def effective_optional_args(router: Router) -> dict[str, Effective]:
    """Each optional argument as used, with its source: NAPALM_ARGS ("settings: NAPALM_ARGS"),
    overridden by the platform's ("platform"), overridden by the router's ("router").
    Values are copies (nothing shared with settings or objects), credentials unmasked."""
    layers = [
        ("settings: NAPALM_ARGS", getattr(django_settings, "NAPALM_ARGS", None) or {}),
        ("platform", router.platform.napalm_args if router.platform else {}),
        ("router", router.napalm_args),
    ]
    merged: dict[str, Effective] = {}
    for source, options in layers:
        for key, value in (options or {}).items():
            merged[key] = Effective(copy.deepcopy(value), source)
    return merged


def driver_settings(router: Router, secrets: tuple[Secret | str, ...] = ()) -> DriverSettings:
    """Resolve the router's connection settings without changing any setting or object.

    Credentials and timeout come from the router, else from NAPALM_* settings; optional
    arguments are a new dict: NAPALM_ARGS, then the platform's, then the router's (the
    effective_* functions, which the router page shows with their sources).
    `secrets` (session_secrets) are masked in the driver's errors.
    """
    reason = unusable_reason(router)
    if reason:
        raise RouterNotUsable(f"Not connecting to {router.name}: {reason}.")
    try:
        password = (
            router.napalm_password.reveal()
            if router.napalm_password
            else django_settings.NAPALM_PASSWORD
        )
    except SecretDecryptionError as exc:
        raise RouterNotUsable(f"{router.name}'s stored NAPALM password: {exc}.") from None
    optional_args = {key: arg.value for key, arg in effective_optional_args(router).items()}
    return DriverSettings(
        router=router.name,
        driver=router.platform.napalm_driver,
        hostname=router.hostname,
        username=effective_username(router).value,
        password=password,
        timeout=effective_timeout(router).value,
        optional_args=optional_args,
        session_secrets=secrets,
    )


@lru_cache(maxsize=64)
def load_driver(name: str) -> type[NetworkDriver]:
    """The driver class NAPALM finds for `name`. DriverNotInstalled when there is none;
    DriverFailed when importing it raises (anything, a SystemExit included)."""
    try:
        return get_network_driver(name)
    except napalm_errors.ModuleImportError:
        raise DriverNotInstalled(
            f"The NAPALM driver “{name}” is not installed: add the package that provides it "
            f"(usually napalm-{name}) to local_requirements.txt and run `make`."
        ) from None
    except BaseException as exc:
        if not is_driver_fault(exc):
            raise
        logger.info("importing the %s driver failed", name, exc_info=exc)
        message = f"The NAPALM driver “{name}” could not be loaded: {_detail(exc)}."
        raise DriverFailed(shortened(encodable(message))) from None


def is_driver_fault(exc: BaseException) -> bool:
    """Whether an exception that came out of driver code is the driver's failure. All are,
    a SystemExit or a KeyboardInterrupt too, but an interruption of ours: a job's time
    limit, or the user's Ctrl-C (core/interrupts.py)."""
    return not is_ours(exc)


def translate_error(
    exc: BaseException, settings: DriverSettings, hide: Hide = str
) -> DeviceError | None:
    """The DeviceError a driver's exception means, or None when it is not a device error.
    Its sentence quotes the first line of what the driver said, through `hide`."""
    where = f"{settings.router} ({settings.address})"
    text = _first_line(exc, hide)
    if isinstance(exc, DeviceError):
        return exc
    if isinstance(exc, napalm_errors.ConnectAuthError) or _is_auth_error(exc):
        return AuthenticationFailed(
            f"Authentication failed on {where} as user “{settings.username}”: "
            "check the username, password or key."
        )
    if _is_timeout(exc):
        return TimedOut(f"{where} did not answer within {settings.timeout} s.")
    if isinstance(exc, NotImplementedError):
        operation = text or "this operation"
        return OperationNotSupported(
            f"The {settings.driver} driver does not support {operation} (on {settings.router})."
        )
    if isinstance(
        exc,
        napalm_errors.MergeConfigException
        | napalm_errors.ReplaceConfigException
        | napalm_errors.CommitError
        | napalm_errors.CommitConfirmException,
    ):
        return ConfigurationRejected(f"{settings.router} rejected the configuration: {text}")
    if isinstance(exc, napalm_errors.CommandErrorException) or "CommandError" in {
        cls.__name__ for cls in type(exc).__mro__
    }:
        return CommandFailed(f"{settings.router} answered with an error: {text}.")
    if isinstance(exc, napalm_errors.ConnectionException | ConnectionError | OSError):
        return Unreachable(f"Cannot reach {where}: {text or type(exc).__name__}.")
    if _is_transport_error(exc):
        return Unreachable(f"Cannot reach {where}: {text or type(exc).__name__}.")
    return None


def driver_failure(
    exc: BaseException, settings: DriverSettings, operation: str, hide: Hide = str
) -> DeviceError:
    """What an exception raised by the driver means: a known device error, else the
    driver's own failure in one sentence. The traceback goes to the log file, through
    `hide` (it may quote a password the driver was given)."""
    error = translate_error(exc, settings, hide)
    if error is not None:
        return error
    # Cut before it is masked (the mask knows a secret cut short before "…").
    trace = shortened("".join(traceback.format_exception(exc)), LOG_RECORD_LIMIT)
    # INFO: the log file and the job's log keep the traceback; the terminal already gets
    # the router's failure line from the command.
    logger.info(
        "the %s driver raised %s in %s on %s\n%s",
        settings.driver,
        type(exc).__name__,
        operation,
        settings.router,
        hide(trace),
    )
    return DriverFailed(
        f"The {settings.driver} driver failed in {operation} on {settings.router}: "
        f"{_detail(exc, hide)}."
    )


# How much of a value that breaks NAPALM's contract a sentence quotes.
SHOWN_LIMIT = 40


def contract_broken(
    driver: str | None,
    router: str | None,
    getter: str,
    found: Any,
    expected: str,
    where: str = "",
    hide: Hide = str,
) -> DriverFailed:
    """The driver's failure when `getter` returned `found` (at `where`, e.g. " for VRF x")
    where NAPALM's contract has `expected`: one sentence naming the driver, the getter,
    the router and what came back, as Python writes it, through `hide` and then cut short
    (connect() masks the connection's secrets in it again, a piece cut short included)."""
    shown = hide(repr(found))
    if len(shown) > SHOWN_LIMIT:
        shown = shown[: SHOWN_LIMIT - 1] + "…"
    who = f"The {driver} driver" if driver else "The driver"
    on = f" on {router}" if router else ""
    return DriverFailed(
        f"{who} returned {shown}{where} from {getter}{on} where NAPALM's contract has {expected}."
    )


def _first_line(exc: BaseException, hide: Hide = str) -> str:
    """The first line of what the exception says, masked before it is cut from the rest
    (a secret a line break splits is masked whole)."""
    lines = hide(exception_text(exc)).strip().splitlines()
    return lines[0].rstrip(".") if lines else ""


def _detail(exc: BaseException, hide: Hide = str) -> str:
    line = _first_line(exc, hide)
    return f"{type(exc).__name__}: {line}" if line else type(exc).__name__


def _is_auth_error(exc: BaseException) -> bool:
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & {"AuthenticationException", "NetmikoAuthenticationException"}:
        return True
    # HTTP-based drivers (eAPI, NX-API...) report a 401 as a connection error.
    text = exception_text(exc).lower()
    return "ConnectionError" in names and ("unauthorized" in text or "401" in text)


def _is_timeout(exc: BaseException) -> bool:
    if isinstance(
        exc,
        TimeoutError
        | socket.timeout
        | napalm_errors.ConnectTimeoutError
        | napalm_errors.CommandTimeoutException,
    ):
        return True
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"NetmikoTimeoutException", "ReadTimeout", "ConnectTimeout"}) or (
        "timed out" in exception_text(exc).lower()
    )


def _is_transport_error(exc: BaseException) -> bool:
    # Transport libraries that drivers use, recognised by name so none is a hard dependency.
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"SSHException", "ConnectionError", "NoValidConnectionsError"})


class GuardedDevice:
    """A NAPALM driver whose every method turns whatever it raises into a DeviceError.

    Operations call drivers through this, so a driver bug (an AttributeError inside a
    getter, a TypeError in open(), even a SystemExit) is that router's failure with a
    sentence, while an exception from Peerkeeper's own code keeps its type and stays
    "unexpected". Messages go through `hide`: no password reaches them.
    """

    def __init__(
        self, device: NetworkDriver, settings: DriverSettings, hide: Hide, hide_data: Hide
    ) -> None:
        self._device = device
        self._settings = settings
        self._hide = hide
        self._hide_data = hide_data

    def hide_returned(self, text: str) -> str:
        """`text`, something the driver returned (a diff), as it may be shown: the
        router's credentials masked in every form, and what connect()'s `mask` masks."""
        return self._hide_data(text)

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._device, name)
        if not callable(attribute):
            return attribute

        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return attribute(*args, **kwargs)
            except BaseException as exc:
                if not is_driver_fault(exc):
                    raise
                error = exc if isinstance(exc, DeviceError) else None
                error = error or driver_failure(exc, self._settings, name, self._hide)
                _raise_hidden(error, self._hide)

        return guarded


@contextmanager
def connect(
    settings: DriverSettings, mask: Callable[[str], str] | None = None
) -> Iterator[GuardedDevice]:
    """Open a NAPALM connection, yield it, always close it. Whatever the driver raises,
    in open() or in any method, is a DeviceError whose message holds neither the router's
    password nor, masked by `mask`, what the caller knows to be secret (the session
    passwords of a configuration being pushed)."""

    credentials = [settings.password, *option_secrets(settings.optional_args)]
    revealed: list[str] = []

    def hide(text: str) -> str:
        if settings.session_secrets and not revealed:  # on the first failure only
            revealed.extend(reveal_all(settings.session_secrets) or [""])
        text = mask_values(text, [*credentials, *revealed])
        return mask(text) if mask else text

    def hide_data(text: str) -> str:
        # Session passwords appear in a configuration in the template's forms, which
        # `mask` knows (configs/masking.py); each form of them all over a whole diff
        # would cost more than the deploy.
        text = mask(text) if mask else text
        return mask_values(text, credentials, decode_base64=False)

    _refuse_leaving_lab_address(settings)
    watch_sigint()
    driver_class = load_driver(settings.driver)
    try:
        device = driver_class(
            hostname=settings.hostname,
            username=settings.username,
            password=settings.password,
            timeout=settings.timeout,
            optional_args=copy.deepcopy(settings.optional_args),
        )
    except BaseException as exc:
        if not is_driver_fault(exc):
            raise
        _raise_hidden(driver_failure(exc, settings, "its setup", hide), hide)
    guarded = GuardedDevice(device, settings, hide, hide_data)
    try:
        guarded.open()
    except DeviceError:
        _close_quietly(device, settings, hide)
        device.is_alive = _closed
        raise
    try:
        yield guarded
    except DeviceError as error:  # also one raised on what the driver returned (odd data)
        _raise_hidden(error, hide)
    finally:
        _close_quietly(device, settings, hide)
        # NAPALM's NetworkDriver.__del__ closes again a connection that says it is alive;
        # a driver whose close() raises would then print a traceback on the terminal.
        device.is_alive = _closed


def _closed() -> dict[str, bool]:
    return {"is_alive": False}


def _refuse_leaving_lab_address(settings: DriverSettings) -> None:
    """Unreachable, before anything is sent, when the router's address is a lab address
    (settings.LOCAL_ONLY_NETWORKS) whose route would leave this machine
    (devices/lab_networks.py)."""
    address = outside_lab(settings.hostname, django_settings.LOCAL_ONLY_NETWORKS)
    if address is not None:
        raise Unreachable(
            f"Cannot reach {settings.router} ({settings.address}): {address} is a lab address "
            "(LOCAL_ONLY_NETWORKS) and the lab is not up on this machine, so the connection would "
            "leave it; nothing was sent."
        )


def _raise_hidden(error: DeviceError, hide: Hide) -> NoReturn:
    """Raise the error with its message through `hide` (then made encodable and cut to
    one reason's length), without the driver's exception as its cause: a traceback
    printed later must not quote what the driver said."""
    raise type(error)(shortened(encodable(hide(str(error))))) from None


def _close_quietly(device: NetworkDriver, settings: DriverSettings, hide: Hide) -> None:
    try:
        device.close()
    except BaseException as exc:  # a close that fails must not hide the real outcome
        if not is_driver_fault(exc):
            raise
        detail = _detail(exc, hide)
        logger.debug("closing the connection to %s failed: %s", settings.router, detail)
