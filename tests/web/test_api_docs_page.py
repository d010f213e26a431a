from playwright.sync_api import Route, expect


def test_api_docs_render_offline_in_a_real_browser(live_server, browser, tmp_path):
    page = browser.new_page()
    outside: list[str] = []

    def only_local(route: Route) -> None:
        if route.request.url.startswith(live_server):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{live_server}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Ceasefire Monitor")
    expect(page.locator(".opblock-summary-path[data-path='/api/v1/me']")).to_be_visible()
    page.screenshot(path=str(tmp_path / "docs.png"), full_page=True)
    assert outside == []
    page.close()
