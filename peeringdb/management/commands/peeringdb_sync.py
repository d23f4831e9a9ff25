import json

from django.core.management.base import CommandError

from core.commands import RouterCommand
from core.job_records import record_jobs
from peeringdb.client import DirectorySource
from peeringdb.jobs import PeeringDBSyncJob
from peeringdb.sync import synchronise


class Command(RouterCommand):
    help = (
        "Synchronise the local copy of PeeringDB (networks, IXes, IX LANs and their "
        "prefixes, networks on IX LANs) from PEERINGDB_URL, then update the autonomous "
        "systems that follow it. Incremental after the first run."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--full", action="store_true", help="Read every object, not only what changed."
        )
        parser.add_argument(
            "--from-directory",
            metavar="DIR",
            help="Read saved API answers (DIR/net.json, DIR/ix.json...) instead of the API.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say what a synchronisation would change (the ASes too); write nothing.",
        )
        parser.add_argument("--tasks", action="store_true", help="Run it as a background job.")
        self.add_repeat_argument(parser)
        self.add_output_arguments(parser)

    def handle(
        self,
        *args,
        full: bool,
        from_directory: str | None,
        dry_run: bool,
        tasks: bool,
        repeat_every: int | None,
        as_json: bool,
        verbosity: int,
        **_,
    ) -> None:
        if from_directory is not None and not from_directory.strip():
            raise CommandError("--from-directory needs a directory.")
        if tasks:
            if from_directory:
                raise CommandError("--from-directory runs here: drop --tasks.")
            arguments = {"full": full, "dry_run": dry_run or None}  # None: not said
            self.enqueue_job(PeeringDBSyncJob, arguments, repeat_every, as_json)
            return
        if repeat_every is not None:
            raise CommandError("--repeat-every repeats a background job: add --tasks.")
        source = DirectorySource(from_directory) if from_directory else None
        quiet = as_json or verbosity == 0
        say = None if quiet else self.stdout.write
        arguments = {"full": full, "dry_run": dry_run}
        with record_jobs(PeeringDBSyncJob, [None], arguments) as records:
            result = synchronise(source, full=full, progress=say, dry_run=dry_run)
            records.finish([result])
        if as_json:
            self.stdout.write(json.dumps({**result.as_dict(), "job": records.job_ids[0]}, indent=2))
        elif result.ok:
            for line in result.lines():
                self.stdout.write(line)
        if not result.ok:
            raise CommandError(result.lines()[0])
