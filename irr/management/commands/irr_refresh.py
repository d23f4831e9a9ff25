from django.core.management.base import CommandError

from core.commands import RouterCommand
from core.job_records import record_jobs
from irr.jobs import IRRRefreshJob
from irr.refresh import parse_asns, refresh, systems_to_refresh


class Command(RouterCommand):
    help = (
        "Expand the AS-set of each autonomous system (its IRR AS-SET, else AS<asn>) with "
        "bgpq4 from IRR_HOST and keep the IPv4 and IPv6 prefix lists and the AS list. Our "
        "own (affiliated) ASes are left out unless named with --as. An AS-set that fails "
        "keeps its previous lists; the command then exits 1."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--as",
            dest="asns",
            metavar="ASN[,ASN]",
            help="Only these autonomous systems (64501 or AS64501, comma-separated). "
            "Default: every AS with an AS-set or a BGP session, except our own "
            "(affiliated) ASes.",
        )
        parser.add_argument("--tasks", action="store_true", help="Run it as a background job.")
        self.add_repeat_argument(parser)
        self.add_output_arguments(parser)

    def handle(
        self,
        *args,
        asns: str | None,
        tasks: bool,
        repeat_every: int | None,
        as_json: bool,
        verbosity: int,
        **_,
    ) -> None:
        wanted = parse_asns(asns) if asns is not None else None
        if tasks:
            if wanted is not None:
                systems_to_refresh(wanted)  # an unknown AS is refused before queuing
            self.enqueue_job(IRRRefreshJob, {"asns": asns or ""}, repeat_every, as_json)
            return
        if repeat_every is not None:
            raise CommandError("--repeat-every repeats a background job: add --tasks.")
        with record_jobs(IRRRefreshJob, [None], {"asns": asns or ""}) as records:
            results = refresh(wanted)
            records.finish([results])
        self.print_batch(results, as_json, job=records.job_ids[0])
