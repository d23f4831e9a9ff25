from core.commands import RouterCommand
from core.job_records import record_jobs
from devices.connectivity import ping_routers
from devices.jobs import PingJob
from devices.selection import select_routers


class Command(RouterCommand):
    help = (
        "Check that each router accepts a NAPALM connection with its driver's own protocol "
        "(SSH, HTTP, NETCONF...); this is not an ICMP ping."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--limit", help="Comma-separated router names or hostnames; without it, every router."
        )
        self.add_output_arguments(parser)

    def handle(self, *args, limit: str | None, as_json: bool, **options) -> None:
        routers = select_routers(limit)
        with record_jobs(PingJob, routers) as records:
            results = ping_routers(routers)
            records.finish(results)
        self.print_batch(results, as_json, jobs=records.job_ids)
