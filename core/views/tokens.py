"""The API tokens page: a user lists, creates and revokes their own tokens.

A new token's key is in the answer to the POST that created it, and nowhere else: not in
a redirect, a message (messages live in the session), or the database."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from core.models import Token

FORM_NONCE = "token_form_nonce"


class TokenForm(forms.ModelForm):
    expires = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Blank: never expires.",
    )

    class Meta:
        model = Token
        fields = ["description", "write_enabled", "expires"]

    def clean_expires(self) -> Any:
        expires = self.cleaned_data["expires"]
        if expires is not None and expires <= timezone.now():
            raise forms.ValidationError("The expiry must be in the future.")
        return expires


class TokenListView(View):
    """GET: the user's tokens and the form to create one. POST: create one, and show its
    key this once."""

    template_name = "core/tokens.html"

    def page(
        self, request: HttpRequest, form: TokenForm, key: str = "", status: int = 200
    ) -> HttpResponse:
        # A form is good for one token: sent again (the browser's reload of the page that
        # showed a key), it creates none.
        request.session[FORM_NONCE] = secrets.token_urlsafe(16)
        context: dict[str, Any] = {
            "nonce": request.session[FORM_NONCE],
            "tokens": Token.objects.filter(user=request.user),
            "form": form,
            "key": key,
            "now": timezone.now(),
        }
        response = render(request, self.template_name, context, status=status)
        if key:
            response["Cache-Control"] = "no-store"  # the key must not stay in a cache
        return response

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, TokenForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        expected = request.session.pop(FORM_NONCE, None)
        if not expected or request.POST.get("nonce") != expected:
            messages.info(
                request,
                "That form was already sent: its token is listed here (its key was shown "
                "once). Create another below if you need one.",
            )
            return redirect("core:tokens")
        form = TokenForm(request.POST)
        if not form.is_valid():
            return self.page(request, form, status=400)
        _token, key = Token.issue(request.user, **form.cleaned_data)
        return self.page(request, TokenForm(), key=key)


class TokenRevokeView(View):
    """POST: delete one of the user's tokens; it stops working at once."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        token = get_object_or_404(Token, pk=pk, user=request.user)
        token.delete()
        messages.success(request, f"Revoked the token {token.prefix}….")
        return redirect("core:tokens")
