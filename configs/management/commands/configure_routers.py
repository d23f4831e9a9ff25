from django.core.management.base import CommandError

from configs.deploy import DeployOptions, configure_routers
from configs.jobs import deploy_job
from core.commands import RouterCommand
from core.job_commands import enqueue_for_each
from core.job_records import record_jobs
from devices.selection import select_routers


class Command(RouterCommand):
    help = (
        "Render each router's configuration and push it with NAPALM. By default the "
        "candidate is compared first and committed only when something changes."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--no-commit-check",
            action="store_true",
            help="Push without comparing first (load, then commit); the running configuration "
            "is read before and after to report changed or unchanged, else pushed.",
        )
        parser.add_argument(
            "--limit", help="Comma-separated router names or hostnames; without it, every router."
        )
        parser.add_argument(
            "--tasks", action="store_true", help="Run one background job per router."
        )
        self.add_repeat_argument(parser)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Load and compare, print the diff, discard; never commit.",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace the whole configuration (templates that render a full config).",
        )
        parser.add_argument(
            "--commit-confirm",
            type=int,
            metavar="SECONDS",
            help="Commit with an automatic revert after SECONDS unless the router stays "
            "alive and its sessions come back.",
        )
        self.add_output_arguments(parser)

    def handle(self, *args, **options) -> None:
        deploy_options = DeployOptions(
            commit_check=not options["no_commit_check"],
            dry_run=options["dry_run"],
            replace=options["replace"],
            commit_confirm=options["commit_confirm"],
        )
        routers = select_routers(options["limit"])
        if options["tasks"]:
            job_type, arguments = deploy_job(deploy_options)
            queued = enqueue_for_each(job_type, routers, arguments, options["repeat_every"])
            self.print_batch(queued, options["as_json"])
            return
        if options["repeat_every"] is not None:
            raise CommandError("--repeat-every repeats background jobs: add --tasks.")
        verbose = deploy_options.dry_run or options["verbosity"] > 1
        job_type, arguments = deploy_job(deploy_options)
        with record_jobs(job_type, routers, arguments) as records:
            results = configure_routers(routers, deploy_options)
            records.finish(results)
        self.print_batch(results, options["as_json"], verbose, jobs=records.job_ids)
