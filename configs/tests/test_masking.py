"""No form of a session password reaches what people read: rendered configurations, the
command line, jobs, and what a router says back (its diff, its errors)."""

import io
import string

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from configs.masking import MASK, learn, stand_ins
from configs.models import ConfigTemplate
from configs.rendering import RenderError, render_router
from core.choices import JobStatus
from core.job_runner import run
from core.jobs import enqueue
from core.models import Job
from peering.models import InternetExchangePeeringSession

FRR = (
    "router bgp {{ local_as.asn }}\n"
    "{% for s in sessions %}"
    " neighbor {{ s.ip_address }} remote-as {{ s.autonomous_system.asn }}\n"
    "{% if s.password %} neighbor {{ s.ip_address }} password {{ s.password }}\n{% endif %}"
    "{% endfor %}"
)
# IOS-XR keeps type-7 values ("7 <hash>"); templates strip the type to write the hash.
IOS_XR = (
    "router bgp {{ local_as.asn }}\n"
    "{% for s in sessions %}"
    " neighbor {{ s.ip_address }}\n"
    "  remote-as {{ s.autonomous_system.asn }}\n"
    "{% if s.password %}  password encrypted {{ s.password[2:] }}\n{% endif %}"
    "{% endfor %}"
)
TYPE7 = "7 045612150A22595C0C09"
HASH = TYPE7[2:]


def _set_password(address: str, password: str | None) -> None:
    session = InternetExchangePeeringSession.objects.get(ip_address=address)
    session.password = password or ""
    session.save()


def _render_command(*args: str) -> str:
    out = io.StringIO()
    call_command("render_configuration", "r1", *args, stdout=out)
    return out.getvalue()


def test_stand_ins_keep_the_shape_and_differ_everywhere() -> None:
    first, second = stand_ins(TYPE7)
    assert len(first) == len(second) == len(TYPE7)
    assert first[1] == second[1] == " "
    assert first[0].isdigit() and first[2:].isalnum()
    for a, b, real in zip(first, second, TYPE7, strict=True):
        assert real == " " or len({a, b, real}) == 3


def test_a_stand_in_says_nothing_of_the_secret() -> None:
    """Drawn with a key of the process, not derived from the secret: the stand-in a
    template error quotes cannot be turned back into the secret (a shift could be); the
    same secret gets the same stand-ins, as templates may group sessions by password."""
    secret = "IxpPw-Secret55" * 3
    assert stand_ins(secret) == stand_ins(secret)
    assert stand_ins(secret) != stand_ins(secret.swapcase())
    stand_in = stand_ins(secret)[0]
    shifts = {(ord(s) - ord(r)) % 26 for s, r in zip(stand_in, secret, strict=True) if r.isalpha()}
    assert len(shifts) > 1


def test_render_configuration_masks_passwords_unless_asked_to_reveal(make_inventory) -> None:
    make_inventory(template=FRR)
    _set_password("198.18.0.3", "md5-secret-value")
    masked = _render_command()
    assert "md5-secret-value" not in masked
    assert f"neighbor 198.18.0.3 password {MASK}\n" in masked
    assert "neighbor 198.18.0.3 password md5-secret-value\n" in _render_command("--reveal")


def test_a_form_the_template_derives_is_masked_on_every_door(make_inventory, admin_user) -> None:
    router = make_inventory(template=IOS_XR)
    _set_password("198.18.0.3", TYPE7)
    rendered = render_router(router)
    assert f"password encrypted {HASH}" in rendered.text
    assert f"  password encrypted {MASK}\n" in rendered.masked

    client = Client()
    client.force_login(admin_user)
    page = client.get(reverse("devices:router_configuration", args=[router.pk]))
    job = enqueue("render", target=router)
    run(str(job.pk))
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.COMPLETED
    for seen in (rendered.masked, _render_command(), page.content.decode(), job.output):
        assert HASH not in seen and HASH[:8] not in seen
        assert "password encrypted" in seen


def test_a_routers_diff_is_masked_on_both_sides(make_inventory) -> None:
    router = make_inventory(template=FRR)
    _set_password("198.18.0.3", "new-secret-2")
    rendered = render_router(router)
    diff = (
        "router bgp 64500\n"
        "- neighbor 198.18.0.3 password old-secret-1\n"
        "+ neighbor 198.18.0.3 password new-secret-2\n"
        # A session that has no password any more, and one deleted from the inventory.
        "- neighbor 2001:db8:1::3 password cleared-secret\n"
        "- neighbor 198.51.100.77 password deleted-secret\n"
        "  neighbor 198.18.0.3 remote-as 65000\n"
    )
    masked = rendered.mask(diff)
    for secret in ("old-secret-1", "new-secret-2", "cleared-secret", "deleted-secret"):
        assert secret not in masked
    assert f"- neighbor 198.18.0.3 password {MASK}\n" in masked
    assert f"- neighbor 198.51.100.77 password {MASK}\n" in masked
    assert "  neighbor 198.18.0.3 remote-as 65000\n" in masked


def test_a_password_quoted_out_of_its_line_is_masked(make_inventory) -> None:
    router = make_inventory(template=IOS_XR)
    _set_password("198.18.0.3", TYPE7)
    error = f"% Invalid input detected at '^' marker: {HASH}"
    assert HASH not in render_router(router).mask(error)


def test_a_template_that_needs_the_real_secret_still_masks_it(make_inventory) -> None:
    # The stand-ins cannot satisfy this template: only the password itself is masked.
    template = (
        "{% for s in sessions %}{% if s.password and s.password.startswith('7 ') %}"
        "key {{ s.password[2:] }}\n{% endif %}{% endfor %}"
    )
    router = make_inventory(template=template)
    _set_password("198.18.0.3", TYPE7)
    rendered = render_router(router)
    assert rendered.text == f"key {HASH}\n"
    assert HASH not in rendered.masked


def test_learning_from_texts() -> None:
    real = " neighbor 192.0.2.1 password abcdef\n neighbor 192.0.2.2 remote-as 2\n"
    # The stand-in renders also give 192.0.2.2, which has no password, a password line.
    first = (
        " neighbor 192.0.2.1 password bcdefg\n neighbor 192.0.2.2 remote-as 2\n"
        " neighbor 192.0.2.2 password Qk8\n"
    )
    second = first.replace("bcdefg", "cdefgh").replace("Qk8", "Rl9")
    learned = learn(real, first, second, ["abcdef"])
    assert learned is not None
    masker = learned.masker
    assert (
        learned.masked_text
        == f" neighbor 192.0.2.1 password {MASK}\n neighbor 192.0.2.2 remote-as 2\n"
    )
    other = masker.mask(" neighbor 10.0.0.1 password zzz\n")
    assert other == f" neighbor 10.0.0.1 password {MASK}\n"
    assert masker.mask("description abcdef") == f"description {MASK}"
    assert masker.mask(" neighbor 192.0.2.2 remote-as 2\n") == " neighbor 192.0.2.2 remote-as 2\n"


@pytest.mark.parametrize("template", [FRR, IOS_XR])
def test_masking_changes_nothing_without_passwords(make_inventory, template: str) -> None:
    router = make_inventory(template=template)
    rendered = render_router(router)
    assert rendered.masked == rendered.text


def test_the_template_of_a_saved_template_is_read_again(make_inventory) -> None:
    router = make_inventory(template="a")
    assert render_router(router).text == "a"
    ConfigTemplate.objects.filter(name="main").update(template="b")
    assert render_router(router).text == "b"


@pytest.mark.parametrize(
    "expression",
    [
        "{}[s.password]",
        "{}[s.password[2:]]",
        "s.password | int + {}",
        "{}[s.password | upper]",
        "{}[s.password | reverse | join]",
        "{}[s.password | title]",
        "{}[s.password | replace('0', 'O')]",
        "{}[s.password | join('|')]",
        "{}[s.password | join('.')] if s.password.startswith('7 ') else 1",
        "(s | attr(s.password))()",
    ],
)
def test_a_template_error_never_quotes_a_password(make_inventory, expression: str) -> None:
    router = make_inventory(
        template="{% for s in sessions %}{% if s.password %}{{ " + expression + " }}"
        "{% endif %}{% endfor %}"
    )
    _set_password("198.18.0.3", TYPE7)
    with pytest.raises(RenderError) as caught:
        render_router(router)
    shown = str(caught.value).upper().replace("|", "").replace(".", "")
    for form in (HASH, HASH[::-1], HASH.replace("0", "O"), HASH[:8]):
        assert form.upper() not in shown
    # Nor the password moved along its alphabet (a stand-in that could be undone).
    for shift in range(1, 26):
        assert _shifted(HASH, shift) not in str(caught.value)
    assert caught.value.template == "main" and caught.value.line == 1


def _shifted(text: str, shift: int) -> str:
    """Every letter and digit of `text` moved `shift` places along its alphabet."""
    alphabets = (string.ascii_lowercase, string.ascii_uppercase, string.digits)
    table = {ord(c): a[(a.index(c) + shift) % len(a)] for a in alphabets for c in a}
    return text.translate(table)


@pytest.mark.parametrize(
    "template_line",
    [
        "{% for ch in s.password %}\n{{ ch }}\n{% endfor %}",
        "{{ s.password[2:] | batch(2) | map('join') | join('\\n') }}",
        "  {{ s.password | wordwrap(2, break_long_words=true) }}",
    ],
)
def test_a_password_cut_into_short_lines_is_masked_where_it_stands(
    make_inventory, template_line: str
) -> None:
    router = make_inventory(
        template="{% for s in sessions %}{% if s.password %}"
        + template_line
        + "\n{% endif %}{% endfor %}end\n"
    )
    _set_password("198.18.0.3", TYPE7)
    rendered = render_router(router)
    shown = rendered.masked
    assert shown.endswith("end\n")
    pieces = [line.strip() for line in rendered.text.splitlines() if line.strip() != "end"]
    assert pieces and all(piece not in shown.replace(MASK, "") for piece in pieces if piece)


def test_masking_a_template_that_depends_on_the_password_gives_up_learning(
    make_inventory, caplog
) -> None:
    # Every line depends on the password's value: nothing lines up with the stand-ins,
    # and masking gives up learning after a few lines instead of comparing 20,000.
    router = make_inventory(
        template="{% set s = sessions | selectattr('password') | first %}"
        "{% for i in range(20000) %}{{ 'A' if s.password == 'pk-new2' else 'B' }} {{ i }} "
        "key {{ s.password }}\n{% endfor %}"
    )
    _set_password("198.18.0.3", "pk-new2")
    rendered = render_router(router)
    shown = rendered.masked
    assert "pk-new2" not in shown and shown.count(f"key {MASK}") == 20000
    assert "renders differently with stand-in passwords" in caplog.text


NO_PASSWORD_LINES = (
    "router bgp {{ local_as.asn }}\n"
    "{% for s in sessions %} neighbor {{ s.ip_address }} remote-as "
    "{{ s.autonomous_system.asn }}\n{% endfor %}"
)
# A template that tests the password's value: the stand-ins cannot render it alike.
CHECKS_THE_VALUE = (
    "{% for s in sessions %}{% if s.password and not s.password.startswith('pk-') %}"
    "{{ bad_password_prefix }}{% endif %}"
    "{% if s.password %} neighbor {{ s.ip_address }} password {{ s.password }}\n{% endif %}"
    "{% endfor %}"
)


@pytest.mark.parametrize("template", [NO_PASSWORD_LINES, CHECKS_THE_VALUE])
def test_a_previous_password_stays_masked_whatever_the_template(
    make_inventory, template: str
) -> None:
    router = make_inventory(template=FRR)
    _set_password("198.18.0.3", "pk-old1")
    _set_password("198.18.0.3", "pk-new2")
    ConfigTemplate.objects.filter(name="main").update(template=template)
    diff = "- neighbor 198.18.0.3 password pk-old1\n+ neighbor 198.18.0.3 password pk-new2\n"
    shown = render_router(router).mask(diff)
    assert "pk-old1" not in shown and "pk-new2" not in shown


def test_the_password_of_a_deleted_session_stays_masked(make_inventory) -> None:
    router = make_inventory(template=NO_PASSWORD_LINES)
    _set_password("198.18.0.3", "gone-secret-9")
    InternetExchangePeeringSession.objects.filter(ip_address="198.18.0.3").delete()
    InternetExchangePeeringSession.objects.all().delete()
    shown = render_router(router).mask("- neighbor 198.18.0.3 password gone-secret-9\n")
    assert shown == f"- neighbor 198.18.0.3 password {MASK}\n"


def test_previous_passwords_never_reach_the_template(make_inventory) -> None:
    router = make_inventory(
        template="{{ router }} {{ sessions | map(attribute='password') | select | list }}"
    )
    _set_password("198.18.0.3", "pk-old1")
    _set_password("198.18.0.3", "pk-new2")
    text = render_router(router).text
    assert "pk-new2" in text and "pk-old1" not in text


def test_the_form_a_value_testing_template_gives_a_previous_password_is_masked(
    make_inventory,
) -> None:
    # The stand-ins fail the template's test, so nothing is learned from them: the
    # previous type-7 value is rendered through the template to find its form.
    router = make_inventory(
        template="{% for s in sessions %}{% if s.password and s.password[:2] == '7 ' %}"
        " neighbor {{ s.ip_address }} password {{ s.password[2:] }}\n{% endif %}{% endfor %}"
    )
    _set_password("198.18.0.3", TYPE7)
    _set_password("198.18.0.3", "7 13061E010803557878")
    diff = (
        f"- neighbor 198.18.0.3 password {HASH}\n"
        "+ neighbor 198.18.0.3 password 13061E010803557878\n"
    )
    shown = render_router(router).mask(diff)
    assert HASH not in shown and "13061E010803557878" not in shown


def test_a_line_the_router_appends_to_is_still_masked(make_inventory) -> None:
    # Junos shows authentication keys encoded ($9$...) and marks the line.
    router = make_inventory(
        template="{% for s in sessions %}{% if s.password %}neighbor {{ s.ip_address }} {\n"
        '    authentication-key "{{ s.password }}";\n}\n{% endif %}{% endfor %}'
    )
    _set_password("198.18.0.3", "junos-secret-1")
    diff = (
        '-    authentication-key "$9$oldEncodedKey"; ## SECRET-DATA\n'
        '+    authentication-key "$9$newEncodedKey"; ## SECRET-DATA\n'
    )
    shown = render_router(router).mask(diff)
    assert "EncodedKey" not in shown
    assert shown.count(f'authentication-key "{MASK}"; ## SECRET-DATA') == 2
