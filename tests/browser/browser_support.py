"""Helpers shared by the browser journeys."""


def click_nav(page, key: str) -> None:
    """Click a menu entry, opening its menu group first when it sits in one."""
    link = page.locator(f'a[data-nav="{key}"]')
    toggle = page.locator("label.navtoggle")
    if not link.is_visible() and toggle.is_visible() and not page.locator("#navtoggle").is_checked():
        toggle.click()  # on a phone the menu sits behind the menu button
    if not link.is_visible():
        page.locator(f'details.navgroup:has(a[data-nav="{key}"]) > summary').click()
    link.click()
