from playwright.sync_api import expect

from ceasefire.web.cookies import SESSION_COOKIE


def test_log_in_see_the_home_page_and_log_out(live_server, login, watched_page, tmp_path):
    page = watched_page.page
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="log in", exact=True).click()
    expect(page).to_have_url(f"{live_server}/login")
    # By keyboard alone: the username field has the focus, Tab reaches the password.
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type(login.username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(login.password)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Logged in as {login.username}")
    expect(page.locator("p.lead")).to_contain_text("a guarantor officer")
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)
    # Chromium keeps a Secure cookie from http://127.0.0.1: loopback counts as a
    # trustworthy origin, so the cookie need not drop Secure for local use.
    [session] = [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE]
    assert (session["secure"], session["httpOnly"], session["sameSite"]) == (True, True, "Strict")
    assert session["expires"] > 0  # a lasting cookie with an expiry, not a browser-session one

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_server}/login")
    assert SESSION_COOKIE not in {c["name"] for c in page.context.cookies()}
    page.goto(f"{live_server}/")  # the public home again, not the account's
    expect(page.get_by_role("heading", level=1)).to_have_text("Ceasefire Monitor")
    assert watched_page.csp_violations() == [] and watched_page.outside == []


def test_a_wrong_password_shows_the_error_next_to_the_form(live_server, login, watched_page):
    page = watched_page.page
    page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill(login.username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Unknown username or wrong password.")
    expect(page.get_by_label("Username")).to_have_value(login.username)
    assert watched_page.csp_violations() == []
