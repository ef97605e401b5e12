"""Phones: every main page fits a 390 px screen (no sideways scrolling) and the menu folds behind a button."""
import pytest
from browser_support import click_nav
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/contracts/", "/plans/", "/appraisals/", "/coaching/", "/interviews/", "/dashboards/",
         "/notifications/", "/accounts/password/"]


def login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-Test-1234")
    page.click("#login-submit")


@pytest.mark.parametrize("username", ["staff", "manager", "hr"])
def test_main_pages_fit_a_phone(org, live_server, page, username):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server.url, username)
    wide = {}
    for path in PAGES:
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[path] = width
    assert wide == {}, f"pages wider than the phone: {wide}"


def test_phone_menu_opens_behind_the_button(org, live_server, page):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server.url, "staff")
    expect(page.locator("ul.mainnav")).to_be_hidden()
    expect(page.locator("label.navtoggle")).to_be_visible()
    click_nav(page, "contracts")
    expect(page).to_have_url(f"{live_server.url}/contracts/")


def test_desktop_shows_the_menu_without_a_button(org, live_server, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, live_server.url, "staff")
    expect(page.locator("ul.mainnav")).to_be_visible()
    expect(page.locator("label.navtoggle")).to_be_hidden()
