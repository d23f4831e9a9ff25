"""How log records read on a terminal (and so in cron's mail)."""

import logging


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
        return f"{record.levelname} {record.name}: {text}"
