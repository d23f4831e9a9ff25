"""Platform and router pages: list, detail, add, edit and delete (core/tests/model_views.py)."""

from typing import Any

from core.tests.builders import config_template, connection, our_as, platform, router
from core.tests.model_views import InUseDeleteCases, ModelPageCases
from devices.models import Platform, Router


class TestPlatformPages(ModelPageCases, InUseDeleteCases):
    model = Platform
    invalid_changes = {"napalm_args": "[1, 2]"}

    def make(self) -> Platform:
        return Platform.objects.create(name="EOS", slug="eos", napalm_driver="eos")

    def make_in_use(self) -> Platform:
        return router().platform

    def form_data(self) -> dict[str, Any]:
        return {
            "name": "Junos",
            "slug": "junos",
            "napalm_driver": "junos",
            "napalm_args": '{"port": 830}',
            "description": "MX routers",
        }


class TestRouterPages(ModelPageCases, InUseDeleteCases):
    model = Router
    invalid_changes = {"hostname": "not a host!"}

    def make(self) -> Router:
        return Router.objects.create(name="edge-9", hostname="198.18.0.9")

    def make_in_use(self) -> Router:
        return connection().router

    def form_data(self) -> dict[str, Any]:
        return {
            "name": "r2",
            "hostname": "198.18.0.12",
            "platform": platform().pk,
            "status": "maintenance",
            "local_autonomous_system": our_as().pk,
            "config_template": config_template().pk,
            "poll_bgp_sessions_state": "on",
            "napalm_username": "peerkeeper",
            "napalm_password": "a-napalm-password",
            "napalm_timeout": "30",
            "napalm_args": '{"port": 2222}',
            "description": "Edge router",
        }
