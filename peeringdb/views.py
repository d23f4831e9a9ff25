"""PeeringDB's pages: creating the sessions of the available peers a user selects."""

from __future__ import annotations

import re
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
from peeringdb.peer_sessions import ADD_AS_PERMISSION, checked_asn, create_sessions

# A checkbox's value: "<connection pk>:<ASN>", in ASCII digits only (str.isdigit() takes
# "²", which int() refuses), no longer than a primary key or an AS number can be.
_PEER_VALUE = re.compile(r"(?P<connection>[0-9]{1,19}):(?P<asn>[0-9]{1,10})")


def parse_selection(values: list[str]) -> dict[int, list[int]]:
    """The checkboxes of the available peers ("<connection pk>:<ASN>" each) as ASNs per
    connection pk. InputError, one sentence, for a value that is not one, or whose ASN is
    no AS number (core.validators.validate_asn)."""
    selection: dict[int, list[int]] = {}
    for value in values:
        match = _PEER_VALUE.fullmatch(value)
        if match is None:
            shown = value if len(value) <= 40 else value[:39] + "…"
            raise InputError(f"{shown!r} is not a peer of this page: nothing was created.")
        asn = checked_asn(int(match["asn"]))
        selection.setdefault(int(match["connection"]), []).append(asn)
    return selection


class CreateSessionsView(PermissionRequiredMixin, SingleObjectMixin, View):
    """POST: create sessions with the exchange's available peers selected on its page
    (peeringdb.peer_sessions.create_sessions), then back to the page with what was done.
    Peers new to the inventory need the permission to add ASes too: without it nothing is
    created, and the message names them."""

    http_method_names = ["post"]
    raise_exception = True
    permission_required = "peering.add_internetexchangepeeringsession"
    queryset = InternetExchange.objects.all()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        ixp = self.get_object()
        try:
            result = create_sessions(
                ixp,
                parse_selection(request.POST.getlist("peer")),
                may_create_ases=request.user.has_perm(ADD_AS_PERMISSION),
            )
        except InputError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, result.sentence())
        return redirect(object_url(ixp) + "#available-peers")
