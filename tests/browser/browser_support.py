"""Helpers shared by the browser journeys."""


def click_nav(page, key: str) -> None:
    """Click a menu entry, opening its menu group first when it sits in one."""
    link = page.locator(f'a[data-nav="{key}"]')
    if not link.is_visible():
        page.locator(f'details.navgroup:has(a[data-nav="{key}"]) > summary').click()
    link.click()
