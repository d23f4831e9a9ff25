from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse

from configs.session_policies import effective_policies
from core.views.details import Row
from core.views.generic import ModelViews, ObjectDetailView, ObjectEditView
from core.views.jobs import EnqueueJobView
from irr.prefix_lists import as_page_section
from peering.filtersets import (
    AutonomousSystemFilterSet,
    BGPGroupFilterSet,
    ConnectionFilterSet,
    DirectPeeringSessionFilterSet,
    InternetExchangeFilterSet,
    InternetExchangePeeringSessionFilterSet,
)
from peering.forms import (
    AutonomousSystemForm,
    BGPGroupForm,
    ConnectionForm,
    DirectPeeringSessionForm,
    InternetExchangeForm,
    InternetExchangePeeringSessionForm,
)
from peering.jobs import DiscoverJob
from peering.models import AutonomousSystem, BGPGroup, Connection, InternetExchange
from peering.queries import ASSIGNED, connections, direct_sessions, ixp_sessions
from peering.staleness import session_staleness
from peering.tables import (
    AutonomousSystemTable,
    BGPGroupTable,
    ConnectionTable,
    DirectPeeringSessionTable,
    InternetExchangePeeringSessionTable,
    InternetExchangeTable,
    stale_state,
)
from peeringdb.follow import field_sources
from peeringdb.links import connection_ixlan
from peeringdb.models import Network
from peeringdb.peers import available_peers

TIMELINE_LENGTH = 50
CHANGES_SHOWN = 50
POLLED_LABELS = {
    "bgp_state": "BGP state",
    "received_prefix_count": "Prefixes received",
    "accepted_prefix_count": "Prefixes accepted",
    "advertised_prefix_count": "Prefixes advertised",
    "last_established_state": "Last established",
    "last_polled_at": "Last polled",
    "configured_on_router": "Configured on the router",
}
POLLED_FIELDS = list(POLLED_LABELS)


class SessionDetailView(ObjectDetailView):
    """A session with its state history as a timeline; a state that is not current is
    shown as stale, and a notice above says when it was read and why it is not current.
    Its effective import and export policies and communities (what its router's template
    applies) each say the level they come from."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["state_changes"] = self.object.state_changes.order_by("-at")[:TIMELINE_LENGTH]
        effective = context["effective"] = effective_policies(self.object)
        context["effective_groups"] = [
            ("Import policies", effective.import_policies),
            ("Export policies", effective.export_policies),
            ("Communities", effective.communities),
        ]
        stale = context["stale"] = session_staleness(self.object)
        if stale is not None:
            context["rows"] = [
                Row(row.label, stale_state(self.object.bgp_state, stale, note=False))
                if row.kind == "bgp_state"
                else row
                for row in context["rows"]
            ]
        return context


class AutonomousSystemDetailView(ObjectDetailView):
    """An AS with its PeeringDB record: each followed field beside PeeringDB's value and
    where it comes from, and the changes synchronisations made; its AS-set's prefix lists
    as last fetched from the IRR."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        system = self.object
        network = Network.objects.filter(asn=system.asn).order_by("-updated").first()
        context["network"] = network
        context["field_sources"] = field_sources(system, network) if network else []
        context["changes"] = system.changes.all()[:CHANGES_SHOWN]
        context["irr"] = as_page_section(system.asn, system.irr_as_set)
        return context


class AutonomousSystemEditView(ObjectEditView):
    """Saves an AS and says which values it took from PeeringDB while saving."""

    def form_valid(self, form: AutonomousSystemForm) -> HttpResponse:
        response = super().form_valid(form)
        if form.followed:
            taken = "; ".join(str(change) for change in form.followed)
            messages.info(self.request, f"From PeeringDB (fields not kept local): {taken}.")
        return response


class AutonomousSystemViews(ModelViews):
    queryset = AutonomousSystem.objects.prefetch_related(*ASSIGNED)
    list_queryset = AutonomousSystem.objects.prefetch_related("tags")
    table_class = AutonomousSystemTable
    filterset_class = AutonomousSystemFilterSet
    form_class = AutonomousSystemForm
    detail_view = AutonomousSystemDetailView
    edit_view = AutonomousSystemEditView
    detail_template = "peering/autonomoussystem.html"
    # The form's fields; which of them are kept local shows in the PeeringDB section.
    detail_fields = [name for name in AutonomousSystemForm.Meta.fields if name != "local_fields"]
    related = [
        ("IXP sessions", lambda asys: InternetExchangePeeringSessionTable(
            ixp_sessions().filter(autonomous_system=asys), exclude=("autonomous_system",))),
        ("Direct sessions", lambda asys: DirectPeeringSessionTable(
            direct_sessions().filter(autonomous_system=asys), exclude=("autonomous_system",))),
    ]  # fmt: skip


def _replaced(rows: list[Row], label: str, value: str) -> list[Row]:
    """The rows with the one labelled `label` showing `value` (a PeeringDB link, derived)."""
    return [Row(label, value) if row.label == label else row for row in rows]


class InternetExchangeDetailView(ObjectDetailView):
    """An exchange with its PeeringDB IX (chosen or derived) and its available peers."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_create_sessions"] = user.has_perm("peering.add_internetexchangepeeringsession")
        peers = context["available_peers"] = available_peers(self.object)
        context["rows"] = _replaced(context["rows"], self.labels()["peeringdb_ix"], str(peers.ix))
        return context


class InternetExchangeViews(ModelViews):
    queryset = InternetExchange.objects.select_related(
        "local_autonomous_system", "peeringdb_ix"
    ).prefetch_related(*ASSIGNED)
    list_queryset = (
        InternetExchange.objects.select_related("local_autonomous_system")
        .prefetch_related("tags")
        .annotate(connection_count=Count("connections"))
    )
    table_class = InternetExchangeTable
    filterset_class = InternetExchangeFilterSet
    form_class = InternetExchangeForm
    detail_view = InternetExchangeDetailView
    detail_template = "peering/internetexchange.html"
    related = [
        ("Connections", lambda ixp: ConnectionTable(
            connections().filter(internet_exchange=ixp), exclude=("internet_exchange",))),
        ("Sessions", lambda ixp: InternetExchangePeeringSessionTable(
            ixp_sessions().filter(ixp_connection__internet_exchange=ixp),
            exclude=("internet_exchange",))),
    ]  # fmt: skip


class ConnectionDetailView(ObjectDetailView):
    """A connection with its PeeringDB IX LAN, chosen or matched by its subnet."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        link = str(connection_ixlan(self.object))
        context["rows"] = _replaced(context["rows"], self.labels()["peeringdb_ixlan"], link)
        return context


class ConnectionViews(ModelViews):
    queryset = Connection.objects.select_related(
        "internet_exchange", "router", "peeringdb_ixlan"
    ).prefetch_related(*ASSIGNED)
    list_queryset = connections()
    table_class = ConnectionTable
    filterset_class = ConnectionFilterSet
    form_class = ConnectionForm
    detail_view = ConnectionDetailView
    related = [
        ("Sessions", lambda connection: InternetExchangePeeringSessionTable(
            ixp_sessions().filter(ixp_connection=connection),
            exclude=("internet_exchange", "router"))),
    ]  # fmt: skip


class BGPGroupViews(ModelViews):
    queryset = BGPGroup.objects.prefetch_related(*ASSIGNED)
    list_queryset = BGPGroup.objects.prefetch_related("tags").annotate(
        session_count=Count("sessions")
    )
    table_class = BGPGroupTable
    filterset_class = BGPGroupFilterSet
    form_class = BGPGroupForm
    related = [
        ("Sessions", lambda group: DirectPeeringSessionTable(
            direct_sessions().filter(bgp_group=group), exclude=("bgp_group",))),
    ]  # fmt: skip


class DirectPeeringSessionViews(ModelViews):
    queryset = direct_sessions().prefetch_related(*ASSIGNED)
    list_queryset = direct_sessions()
    table_class = DirectPeeringSessionTable
    filterset_class = DirectPeeringSessionFilterSet
    form_class = DirectPeeringSessionForm
    detail_view = SessionDetailView
    detail_template = "peering/session.html"
    labels = POLLED_LABELS
    extra_detail_fields = POLLED_FIELDS


class InternetExchangePeeringSessionViews(ModelViews):
    queryset = ixp_sessions().prefetch_related(*ASSIGNED)
    list_queryset = ixp_sessions()
    table_class = InternetExchangePeeringSessionTable
    filterset_class = InternetExchangePeeringSessionFilterSet
    form_class = InternetExchangePeeringSessionForm
    detail_view = SessionDetailView
    detail_template = "peering/session.html"
    labels = POLLED_LABELS
    extra_detail_fields = POLLED_FIELDS


class DiscoverSessionsView(EnqueueJobView):
    """Reads the IXP's routers for neighbours: a preview (dry run) or, with the
    permission to add sessions, their creation."""

    queryset = InternetExchange.objects.all()
    job_type = DiscoverJob
    permission_required = "peering.view_internetexchange"
    dry_run = True

    def job_arguments(self, obj: InternetExchange) -> dict[str, Any]:
        return {"dry_run": self.dry_run}


class CreateDiscoveredSessionsView(DiscoverSessionsView):
    permission_required = "peering.add_internetexchangepeeringsession"
    dry_run = False
