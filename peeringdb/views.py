"""PeeringDB's pages: creating the sessions of the available peers a user selects."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views import View
from django.views.generic.detail import SingleObjectMixin

from core.links import object_url
from core.operations import InputError
from peering.models import InternetExchange
from peeringdb.peer_sessions import create_sessions


def parse_selection(values: list[str]) -> dict[int, list[int]]:
    """The checkboxes of the available peers ("<connection pk>:<ASN>" each) as ASNs per
    connection pk. InputError for a value that is not one."""
    selection: dict[int, list[int]] = {}
    for value in values:
        connection, _, asn = value.partition(":")
        if not (connection.isdigit() and asn.isdigit()):
            raise InputError(f"{value!r} is not a peer of this page: nothing was created.")
        selection.setdefault(int(connection), []).append(int(asn))
    return selection


class CreateSessionsView(PermissionRequiredMixin, SingleObjectMixin, View):
    """POST: create sessions with the exchange's available peers selected on its page
    (peeringdb.peer_sessions.create_sessions), then back to the page with what was done."""

    http_method_names = ["post"]
    raise_exception = True
    permission_required = "peering.add_internetexchangepeeringsession"
    queryset = InternetExchange.objects.all()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        ixp = self.get_object()
        try:
            result = create_sessions(ixp, parse_selection(request.POST.getlist("peer")))
        except InputError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, result.sentence())
        return redirect(object_url(ixp) + "#available-peers")
