"""The admin of routing policies and communities, and the assignment fields of the
existing admin pages."""

from django.test import Client

from core.tests.builders import router
from peering.policy_models import Community, RoutingPolicy


def test_the_admin_lists_searches_and_filters_policies_and_communities(
    admin_client: Client, db
) -> None:
    Community.objects.create(name="blackhole", slug="blackhole", value="65535:666")
    Community.objects.create(name="target", slug="target", value="rt:64500:1")
    RoutingPolicy.objects.create(name="in-peers", slug="in-peers", type="import")
    RoutingPolicy.objects.create(name="out-transit", slug="out-transit", type="export")

    def listed(url: str, **query: str) -> list[str]:
        response = admin_client.get(url, query)
        assert response.status_code == 200
        return sorted(str(obj) for obj in response.context["cl"].result_list)

    communities = "/admin/peering/community/"
    assert listed(communities, q="65535") == ["blackhole (65535:666)"]
    assert listed(communities, kind__exact="extended") == ["target (rt:64500:1)"]
    policies = "/admin/peering/routingpolicy/"
    assert listed(policies, type__exact="export") == ["out-transit"]
    assert listed(policies, q="peers") == ["in-peers"]


def test_the_router_admin_refuses_a_policy_of_the_wrong_direction(admin_client: Client, db) -> None:
    r1 = router()
    exporting = RoutingPolicy.objects.create(name="out", slug="out", type="export")
    url = f"/admin/devices/router/{r1.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(import_routing_policies=[exporting.pk], napalm_args="{}", tags="")
    data.pop("napalm_password", None)
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "“out” (export) is not an import policy" in response.content.decode()
    assert not r1.import_routing_policies.exists()
