"""The base of the commands that print what routers, drivers and templates said."""

from __future__ import annotations

import json
import os
import sys
from argparse import ArgumentParser
from collections.abc import Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from core.choices import JobOrigin
from core.job_types import JobType
from core.jobs import JobNotQueued, enqueue
from core.log_format import printable
from core.operations import BatchResult, InputError


class EscapedOutput(OutputWrapper):
    """An OutputWrapper that writes control characters escaped (core.log_format.printable),
    so that a router's text cannot act on the terminal that shows it, or on cron's mail."""

    def write(self, msg: str = "", style_func: Any = None, ending: str | None = None) -> None:
        super().write(printable(msg), style_func, ending)


class RouterCommand(BaseCommand):
    """A management command whose every line, on stdout and stderr (the CommandError
    Django prints included), goes through EscapedOutput. Django assigns `stdout` and
    `stderr` in __init__ and again in execute(); each assignment is wrapped here."""

    def execute(self, *args: Any, **options: Any) -> Any:
        """Ctrl-C ends the command with one line and status 130 (as a shell reports it),
        not a traceback that may quote a driver's frames; an InputError is a CommandError
        (one line, status 1); a closed pipe ends it quietly."""
        try:
            return super().execute(*args, **options)
        except KeyboardInterrupt:
            self.stderr.write("Interrupted.")
            sys.exit(130)
        except InputError as exc:  # an unknown router, options that contradict each other
            raise CommandError(str(exc)) from None
        except BrokenPipeError:  # `| head`: the reader has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)

    @staticmethod
    def add_output_arguments(parser: ArgumentParser) -> None:
        """`--json`, shared by the commands that print a batch result."""
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the results as JSON."
        )

    @staticmethod
    def add_repeat_argument(parser: ArgumentParser) -> None:
        """`--repeat-every SECONDS`, for `--tasks`: each job repeats (core.jobs.enqueue)."""
        parser.add_argument(
            "--repeat-every",
            type=int,
            metavar="SECONDS",
            help="With --tasks: repeat each job every SECONDS until cancelled "
            "(manage.py jobs --repeating lists them, --cancel stops one).",
        )

    def enqueue_job(
        self,
        job_type: type[JobType],
        arguments: dict[str, Any],
        repeat_every: int | None,
        as_json: bool,
    ) -> None:
        """`--tasks` for a job about nothing in particular (a synchronisation, a refresh):
        queue one and print its id (`{"queued": id}` with `--json`); CommandError (one
        line) when the arguments are refused or the job cannot be queued."""
        try:
            job = enqueue(job_type, None, None, arguments, repeat_every, origin=JobOrigin.COMMAND)
        except ValueError as exc:
            raise CommandError(str(exc).replace("repeat_every", "--repeat-every")) from None
        except JobNotQueued as exc:
            raise CommandError(f"The job could not be queued: {exc}") from None
        if as_json:
            self.stdout.write(json.dumps({"queued": str(job.pk)}))
            return
        repeat = f", repeating every {repeat_every} s" if repeat_every else ""
        self.stdout.write(f"Queued job {job.pk} ({job_type.label}{repeat}).")

    def print_batch(
        self,
        batch: BatchResult[Any],
        as_json: bool,
        verbose: bool = False,
        *,
        jobs: Sequence[str | None] | None = None,
        job: str | None = None,
    ) -> None:
        """The one way a command shows a batch: a line per result (its details when
        `verbose`) and a summary line, or the batch's JSON form; then exit status 1
        (CommandError: one line on stderr) when any result failed, else 0. The JSON form
        names the jobs that record the run (core.job_records): each result's (`jobs`, in
        the results' order; null for none), or the whole batch's (`job`)."""
        if as_json:
            data = batch.as_dict()
            if jobs is not None:
                for result, job_id in zip(data["results"], jobs, strict=True):
                    result["job"] = job_id
            if job is not None:
                data["job"] = job
            self.stdout.write(json.dumps(data, indent=2))
        else:
            for line in batch.lines(verbose):
                self.stdout.write(line)
        if batch.exit_code:
            raise CommandError(batch.failure_sentence, returncode=batch.exit_code)

    @property
    def stdout(self) -> OutputWrapper:
        return self._escaped_stdout

    @stdout.setter
    def stdout(self, wrapper: OutputWrapper) -> None:
        self._escaped_stdout = _escaped(wrapper)

    @property
    def stderr(self) -> OutputWrapper:
        return self._escaped_stderr

    @stderr.setter
    def stderr(self, wrapper: OutputWrapper) -> None:
        self._escaped_stderr = _escaped(wrapper)


def _escaped(wrapper: OutputWrapper) -> EscapedOutput:
    if isinstance(wrapper, EscapedOutput):
        return wrapper
    escaped = EscapedOutput(wrapper._out, wrapper.ending)  # the stream it writes to
    escaped.style_func = wrapper.style_func
    return escaped
