"""The web UI in a real browser: Debian's Chromium, driven by Playwright, against the app
served on 127.0.0.1, a real job worker and the lab's real r1. Screenshots of the pages
are saved in test-artifacts/."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Locator, Page, expect

from core.tests.crowd import add_crowd
from devices.models import Router
from peering.models import AutonomousSystem, InternetExchangePeeringSession

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
PASSWORD = "a-long-test-password"
JOB_TIMEOUT_MS = 60_000
SESSION_UP_TIMEOUT = 60.0
P3 = "192.0.2.13"
FINISHED = re.compile(r"^(completed|failed|errored)$")
LAPTOP = {"width": 1366, "height": 768}
# How wide the page and each table are, against the window and each table's container.
WIDTHS = """() => ({
  page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
  tables: Array.from(document.querySelectorAll("table.table"), table =>
    [table.scrollWidth, table.parentElement.clientWidth]),
})"""

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no browser at {CHROMIUM}")


@pytest.fixture(scope="session", autouse=True)
def browser_environment() -> Iterator[None]:
    # Playwright's sync API keeps an event loop in the test's thread, which makes Django
    # refuse ORM calls there; the app is served on 127.0.0.1.
    values = {"DJANGO_ALLOW_ASYNC_UNSAFE": "true", "DJANGO_LIVE_TEST_SERVER_ADDRESS": "127.0.0.1"}
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    yield
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture
def operator(make_user):
    """May view everything, change autonomous systems and deploy."""
    return make_user(
        "peering.change_autonomoussystem", "devices.deploy_router", username="operator"
    )


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Peerkeeper", exact=True)).to_be_visible()


def open_router(page: Page, name: str) -> None:
    page.get_by_role("navigation").get_by_role("link", name="Routers").click()
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()


def run_button(page: Page, name: str) -> Locator:
    """Click a job button; return the job's panel once the job has finished."""
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name=name, exact=True).click()
    job_id = re.search(r'id="job-([0-9a-f-]{36})"', answer.value.text()).group(1)
    panel = page.locator(f"#job-{job_id}")
    expect(panel).to_have_attribute("data-status", FINISHED, timeout=JOB_TIMEOUT_MS)
    return panel


def set_ipv4_max_prefixes(page: Page, asn: int, limit: int) -> None:
    page.get_by_role("link", name="Autonomous systems").click()
    page.get_by_role("link", name=str(asn), exact=True).click()
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("IPv4 max prefixes", exact=True).fill(str(limit))
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text(f"Saved autonomous system AS{asn}")


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def session_row(page: Page, address: str) -> Locator:
    """The row of the router page's IXP sessions table that shows `address` (the recent
    jobs' outcomes below may quote it too)."""
    sessions = page.locator("#router-live section.related").filter(
        has=page.get_by_role("heading", name="IXP sessions", exact=True)
    )
    return sessions.locator("tr", has_text=address)


def test_ping_diff_deploy_and_poll_r1(page: Page, live_server, demo_inventory, job_worker,
                                      operator) -> None:  # fmt: skip
    log_in(page, live_server, "operator")
    open_router(page, "r1")
    expect(page.locator("#router-summary")).to_contain_text("NAPALM driver frr")

    ping = run_button(page, "Ping")
    expect(ping.locator(".job-summary")).to_contain_text(re.compile(r"r1: reachable \([\d.]+ ms\)"))
    screenshot(page, "router-r1-ping")

    # Raise p2's IPv4 limit in the UI: the rendered configuration and the diff show it.
    set_ipv4_max_prefixes(page, 64502, 15000)
    open_router(page, "r1")
    page.get_by_role("button", name="Configuration").click()
    expect(page.locator("#router-job pre.config")).to_contain_text(
        "neighbor 192.0.2.12 maximum-prefix 15000"
    )
    diff = run_button(page, "Diff")
    expect(diff).to_have_attribute("data-status", "completed")
    expect(
        diff.locator(".diff-add", has_text="neighbor 192.0.2.12 maximum-prefix 15000")
    ).to_be_visible()
    screenshot(page, "router-r1-diff")

    # Deploy shows the diff it would commit and asks; the commit is of exactly that diff.
    review = run_button(page, "Deploy…")
    expect(review.locator(".job-summary")).to_contain_text("changed: would change (dry run)")
    expect(review.locator(".diff-add", has_text=f"neighbor {P3} remote-as 64503")).to_be_visible()
    expect(review.locator(".confirm-deploy button")).to_have_text(["Cancel", "Commit this change"])
    screenshot(page, "router-r1-deploy-confirm")
    deploy = run_button(page, "Commit this change")
    expect(deploy.locator(".job-summary")).to_contain_text("changed: committed")
    expect(deploy.locator(".diff-add", has_text=f"neighbor {P3} remote-as 64503")).to_be_visible()
    screenshot(page, "router-r1-deploy")

    # p3 was not configured on r1 before; it comes up seconds after the commit.
    p3 = session_row(page, P3)
    deadline = time.monotonic() + SESSION_UP_TIMEOUT
    while True:
        poll = run_button(page, "Poll sessions")
        expect(poll).to_have_attribute("data-status", "completed")
        try:
            expect(p3).to_contain_text("Established", timeout=3000)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
    expect(page.locator("#router-summary")).not_to_contain_text("Last polled —")
    expect(page.locator("#router-live")).to_contain_text("Deploy configuration")
    screenshot(page, "router-r1-sessions")

    # Once deployed, changing the limit again is a one-line change in the diff.
    set_ipv4_max_prefixes(page, 64502, 16000)
    open_router(page, "r1")
    diff = run_button(page, "Diff")
    expect(diff.locator(".diff-del")).to_have_text(
        [re.compile(r"^-\s+neighbor 192.0.2.12 maximum-prefix 15000$")]
    )
    expect(diff.locator(".diff-add")).to_have_text(
        [re.compile(r"^\+\s+neighbor 192.0.2.12 maximum-prefix 16000$")]
    )
    screenshot(page, "router-r1-diff-one-line")

    # Cancel under Deploy's diff commits nothing and takes the button away.
    review = run_button(page, "Deploy…")
    review.get_by_role("button", name="Cancel").click()
    expect(review).to_contain_text("Cancelled: nothing was committed.")
    expect(review.get_by_role("button", name="Commit this change")).to_have_count(0)


def test_a_wrong_password_shows_authentication_failed(page: Page, live_server, demo_inventory,
                                                      job_worker, operator) -> None:  # fmt: skip
    without_key = {k: v for k, v in demo_inventory.napalm_args.items() if k != "key_file"}
    Router.objects.create(
        name="r1-wrong-password",
        hostname=demo_inventory.hostname,
        platform=demo_inventory.platform,
        napalm_username=demo_inventory.napalm_username,
        napalm_password="not-the-password",
        napalm_args=without_key,
    )
    log_in(page, live_server, "operator")
    open_router(page, "r1-wrong-password")
    ping = run_button(page, "Ping")
    expect(ping).to_have_attribute("data-status", "failed")
    expect(ping.locator(".job-summary")).to_contain_text("Ping failed: authentication failed")
    screenshot(page, "router-wrong-password-ping")


def test_discovering_the_sessions_of_an_ixp(page: Page, live_server, demo_inventory, job_worker,
                                            make_user) -> None:  # fmt: skip
    # r1 has a session with p1 over IPv6 that the inventory forgot.
    InternetExchangePeeringSession.objects.filter(ip_address="2001:db8:1::11").delete()
    make_user("peering.add_internetexchangepeeringsession", username="operator")
    log_in(page, live_server, "operator")
    page.get_by_role("link", name="Internet exchanges").click()
    page.get_by_role("link", name="Demo IX", exact=True).click()
    sessions = page.locator("#ixp-live section.related").filter(
        has=page.get_by_role("heading", name="Sessions", exact=True)
    )
    expect(sessions).not_to_contain_text("2001:db8:1::11")
    # PeeringDB lists it: r1's connection has no session with p1's IPv6 address.
    available = page.locator("#available-peers tr", has_text="AS64501")
    expect(available).to_contain_text("2001:db8:1::11")

    preview = run_button(page, "Discover sessions")
    expect(preview.locator(".job-summary")).to_contain_text("Demo IX on r1: 1 would create")
    expect(preview.locator("pre")).to_contain_text("would create 2001:db8:1::11 AS64501")
    expect(sessions).not_to_contain_text("2001:db8:1::11")

    page.once("dialog", lambda dialog: dialog.accept())
    created = run_button(page, "Create discovered sessions")
    expect(created.locator(".job-summary")).to_contain_text("Demo IX on r1: 1 created")
    expect(sessions.locator("tr", has_text="2001:db8:1::11")).to_contain_text("AS64501 Peer One")
    expect(page.locator("#available-peers tr", has_text="AS64501")).to_have_count(0)
    screenshot(page, "ixp-demo-ix-discovery")


def assert_fits(page: Page) -> None:
    """No horizontal scrolling: neither the page nor any table in its container."""
    widths = page.evaluate(WIDTHS)
    assert widths["page"][0] <= widths["page"][1], widths
    assert widths["tables"], "no table on the page"
    for wide, room in widths["tables"]:
        assert wide <= room, widths


def test_the_pages_fit_a_laptop_screen(page: Page, live_server, demo_inventory, job_worker,
                                       operator) -> None:  # fmt: skip
    page.set_viewport_size(LAPTOP)
    log_in(page, live_server, "operator")
    open_router(page, "r1")
    poll = run_button(page, "Poll sessions")
    expect(poll).to_have_attribute("data-status", "completed")
    # The lab's sessions as r1 reports them, then a crowd as a real router has: 45 more of
    # each kind, with long AS names and counts in the millions.
    p1 = session_row(page, "192.0.2.11")
    expect(p1).to_contain_text(re.compile(r"Established for \d+ (s|min)"))
    assert add_crowd(demo_inventory, 45) == 90

    page.reload()
    napalm = page.locator("details.napalm-arguments")
    expect(napalm.locator("table")).to_be_hidden()
    napalm.locator("summary").click()
    expect(napalm).to_contain_text("Timeout")
    expect(napalm).to_contain_text("key_file")
    assert_fits(page)
    screenshot(page, "laptop-router-r1")

    for link, name in [("Direct sessions", "direct-sessions"), ("IXP sessions", "ixp-sessions")]:
        page.get_by_role("navigation").get_by_role("link", name=link).click()
        expect(page.locator(".count")).to_contain_text(re.compile(r"^\d\d+ "))
        expect(page.locator("table.table")).to_contain_text("1,234,567")
        assert_fits(page)
        screenshot(page, f"laptop-{name}")

    page.get_by_role("navigation").get_by_role("link", name="Internet exchanges").click()
    page.get_by_role("link", name="Demo IX", exact=True).click()
    expect(page.locator("#ixp-live")).to_contain_text("Established for")
    assert_fits(page)
    screenshot(page, "laptop-ixp-demo-ix")

    page.get_by_role("navigation").get_by_role("link", name="Jobs").click()
    expect(page.locator("table.table")).to_contain_text("r1")
    assert_fits(page)
    screenshot(page, "laptop-jobs")

    # A name and an AS-set of one long word each wrap rather than widen the AS list.
    AutonomousSystem.objects.create(
        asn=4_199_999_999, name="Longnamedcommunicationsnetwork" * 3, irr_as_set="AS-" + "X" * 70
    )
    page.get_by_role("navigation").get_by_role("link", name="Autonomous systems").click()
    expect(page.locator("table.table")).to_contain_text("AS-XXXX")
    assert_fits(page)
    screenshot(page, "laptop-autonomous-systems")
