"""Text that routers, drivers and templates produce, made safe where Peerkeeper shows or
keeps it: on a terminal (and so in cron's mail), in the log file and in the database."""

import logging
from typing import Any

from core.interrupts import is_ours

# `extra=` of a record about one router whose failure the command already prints as that
# router's line: the log file and the job's log keep it (traceback included), the terminal
# does not get the same failure twice.
ROUTER_DETAIL = {"router_detail": True}

# Control characters other than newline and tab (C0, DEL and C1: escape sequences, NUL,
# carriage return...), shown as Python writes them (`\x1b`) instead of acting on the
# terminal.
_VISIBLE = {
    code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0)) if chr(code) not in "\n\t"
}
# Unicode's format characters (category Cf: bidirectional controls of UAX #9, zero-width
# and invisible ones, tags): they reorder or hide the text around them, so a line could
# read differently from what it says.
_FORMAT = (
    0x00AD, *range(0x0600, 0x0606), 0x061C, 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2, 0x180E,
    *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065),
    *range(0x2066, 0x2070), 0xFEFF, *range(0xFFF9, 0xFFFC), 0x110BD, 0x110CD,
    *range(0x13430, 0x13439),
    *range(0x1BCA0, 0x1BCA4), *range(0x1D173, 0x1D17B), 0xE0001, *range(0xE0020, 0xE0080),
)  # fmt: skip
_VISIBLE.update(
    {code: f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}" for code in _FORMAT}
)
# And Unicode's line and paragraph separators, which some programs break lines at.
_VISIBLE.update({0x2028: "\\u2028", 0x2029: "\\u2029"})


# How long one reason (a router's failure line) may be: a driver's 5 MB message must not
# become a 5 MB line on the terminal, in the database and in the log file.
REASON_LIMIT = 1000
# How long one log record may be (the log file, a job's log): a diff is long, a driver's
# 5 MB message must not push every other record out of the rotated files.
LOG_RECORD_LIMIT = 200_000


def encodable(text: str) -> str:
    """`text` with each lone surrogate (which no UTF-8 output, database or page can hold:
    Python makes them of undecodable bytes) written `\\udcXX`."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def exception_text(exc: BaseException) -> str:
    """str(exc), or a stand-in when the exception cannot say what it is (its __str__
    raises): a driver's broken exception is still that driver's failure."""
    try:
        return str(exc)
    except BaseException as failure:  # even a SystemExit from __str__
        if is_ours(failure):
            raise
        return f"(a {type(exc).__name__} whose message cannot be read)"


def shortened(text: str, limit: int = REASON_LIMIT) -> str:
    """`text` cut to `limit` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def printable(text: str) -> str:
    """`text` with every control character but newline and tab visibly escaped: what a
    router or a driver said cannot clear a screen, move the cursor or hide a line. A
    CRLF line ending (some platforms' CLI output) is a newline; a lone CR is escaped."""
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    return encodable(text).translate(_VISIBLE)


def storable(value: Any) -> Any:
    """`value` (text, or JSON made of lists and dicts) with each NUL character written
    `\\x00` and made encodable: PostgreSQL's text and jsonb cannot hold NUL, nor any
    database a lone surrogate, so a router that sends one would otherwise make the job's
    or the router's record impossible to save."""
    if isinstance(value, str):
        value = encodable(value)
        return value.replace("\x00", "\\x00") if "\x00" in value else value
    if isinstance(value, list):
        return [storable(item) for item in value]
    if isinstance(value, dict):
        return {storable(key): storable(item) for key, item in value.items()}
    return value


class PrintableFormatter(logging.Formatter):
    """The standard format, with control characters escaped (see printable): for the log
    file, which people read with `tail -f`."""

    def format(self, record: logging.LogRecord) -> str:
        return shortened(printable(super().format(record)), LOG_RECORD_LIMIT)


class SkipRouterDetails(logging.Filter):
    """Drops the records marked with ROUTER_DETAIL: for the console handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(record, "router_detail", False)


class OneLineFormatter(logging.Formatter):
    """One line per record: the message's first line, and for an exception its type and
    sentence instead of the traceback. The log file keeps everything."""

    def format(self, record: logging.LogRecord) -> str:
        lines = record.getMessage().strip().splitlines()
        text = lines[0] if lines else ""
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None:
            detail = str(exc).strip().splitlines()
            text += f" ({type(exc).__name__}{': ' + detail[0] if detail else ''})"
        return printable(f"{record.levelname} {record.name}: {text}")
