import json

from django.core.management.base import CommandError

from configs.deploy import (
    DeployOptions,
    DeployResult,
    Outcome,
    _skip_reason,
    configure_routers,
)
from core.choices import JobKind
from core.commands import RouterCommand
from core.job_commands import enqueue_per_router
from devices.napalm import unusable_reason
from devices.selection import RouterSelectionError, select_routers


class Command(RouterCommand):
    help = (
        "Render each router's configuration and push it with NAPALM. By default the "
        "candidate is compared first and committed only when something changes."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--no-commit-check",
            action="store_true",
            help="Push without comparing first (load, then commit).",
        )
        parser.add_argument(
            "--limit", help="Comma-separated router names or hostnames; without it, every router."
        )
        parser.add_argument(
            "--tasks", action="store_true", help="Run one background job per router."
        )
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
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the results as JSON."
        )

    def handle(self, *args, **options) -> None:
        if options["commit_confirm"] is not None and options["commit_confirm"] < 5:
            raise CommandError("--commit-confirm needs at least 5 seconds.")
        if options["no_commit_check"] and options["dry_run"]:
            raise CommandError("--dry-run compares by definition; drop --no-commit-check.")
        try:
            routers = select_routers(options["limit"])
        except RouterSelectionError as exc:
            raise CommandError(str(exc)) from None
        deploy_options = DeployOptions(
            commit_check=not options["no_commit_check"],
            dry_run=options["dry_run"],
            replace=options["replace"],
            commit_confirm=options["commit_confirm"],
        )
        if options["tasks"]:
            self._enqueue(routers, deploy_options, options["as_json"])
            return
        results = configure_routers(routers, deploy_options)
        if options["as_json"]:
            self.stdout.write(json.dumps([r.as_dict() for r in results], indent=2))
        else:
            self._print(results, show_diff=options["dry_run"] or options["verbosity"] > 1)
        if any(not r.ok for r in results):
            raise CommandError("Some routers failed.", returncode=1)

    def _print(self, results: list[DeployResult], show_diff: bool) -> None:
        for result in results:
            self.stdout.write(f"{result.router}: {result.outcome}: {result.reason}")
            if show_diff and result.diff:
                self.stdout.write(result.diff.rstrip("\n"))
        counts = {outcome: 0 for outcome in Outcome}
        for result in results:
            counts[result.outcome] += 1
        summary = ", ".join(f"{count} {outcome}" for outcome, count in counts.items())
        self.stdout.write(f"{len(results)} routers: {summary}")

    def _enqueue(self, routers, deploy_options: DeployOptions, as_json: bool) -> None:
        kind, arguments = JobKind.DEPLOY_DRY_RUN, {"replace": deploy_options.replace}
        if not deploy_options.dry_run:
            kind = JobKind.DEPLOY
            arguments["commit_check"] = deploy_options.commit_check
            arguments["commit_confirm"] = deploy_options.commit_confirm
        if not enqueue_per_router(
            self.stdout, routers, kind, deploy_skip_reason, arguments, as_json=as_json
        ):
            raise CommandError("Some jobs could not be queued.", returncode=1)


def deploy_skip_reason(router) -> str | None:
    """Why configure_routers would skip this router, as it does when run directly."""
    return _skip_reason(router) or unusable_reason(router)
