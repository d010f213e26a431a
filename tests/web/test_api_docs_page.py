from playwright.sync_api import expect


def test_api_docs_render_offline_in_a_real_browser(live_server, watched_page, tmp_path):
    page = watched_page.page
    page.goto(f"{live_server}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Ceasefire Monitor")
    expect(page.locator(".opblock-summary-path[data-path='/api/v1/me']")).to_be_visible()
    page.screenshot(path=str(tmp_path / "docs.png"), full_page=True)
    assert watched_page.outside == []


def test_api_docs_run_under_the_content_security_policy(live_server, watched_page):
    page = watched_page.page
    response = page.goto(f"{live_server}/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # Open an operation too: Swagger UI draws more (and styles it) on demand.
    page.locator(".opblock-summary-path[data-path='/api/v1/me']").click()
    expect(page.locator(".opblock-body")).to_be_visible()
    assert watched_page.csp_violations() == []
