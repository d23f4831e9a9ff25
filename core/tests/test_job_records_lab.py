"""A deploy run from cron against the lab's real r1 is on r1's page: the job, the command
line and the OS user that started it, and its diff, with the session password masked."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from changelog.context import os_user
from core.choices import JobOrigin, JobStatus
from core.models import Job
from peering.models import AutonomousSystem, InternetExchangePeeringSession

SESSION_PASSWORD = "Lab-Record-Secret-7"

pytestmark = pytest.mark.lab


def test_a_deploy_from_the_command_line_is_on_the_router_page(
    demo_inventory, lab, client, admin_user, capsys
) -> None:
    AutonomousSystem.objects.filter(asn=64502).update(ipv4_max_prefixes=12345)
    InternetExchangePeeringSession.objects.filter(ip_address="192.0.2.13").update(
        password=SESSION_PASSWORD
    )

    call_command("configure_routers", "--limit", "r1")

    assert "r1: changed: committed" in capsys.readouterr().out
    job = Job.objects.get()
    assert (job.kind, job.target_name, job.status) == ("deploy", "r1", JobStatus.COMPLETED)
    assert (job.origin, job.requested_by) == (JobOrigin.COMMAND, os_user())
    assert "maximum-prefix 12345" in job.output
    row = json.dumps(Job.objects.filter(pk=job.pk).values().get(), default=str)
    assert SESSION_PASSWORD not in row

    client.force_login(admin_user)
    page = client.get(reverse("devices:router", args=[demo_inventory.pk])).content.decode()
    assert f"{os_user()} · command" in page
    assert str(job.pk)[:8] in page or reverse("core:job", args=[job.pk]) in page
    assert "changed: committed" in page
    assert "maximum-prefix 12345" in page
    assert SESSION_PASSWORD not in page
    # The password did reach the router.
    assert "neighbor 192.0.2.13 password" in lab.router("r1").vtysh("show running-config")
