"""Disabling, enabling and revoking an account from the command line: each a ledger
entry, each ending the account's web sessions, and the HTTP server refusing what they
ended (API tokens, session cookies) on its next request."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.errors import Unauthenticated
from ceasefire.services.accounts import authenticate
from ceasefire.services.logins import LoginFailed, log_in, session_account
from ceasefire.store import ledger as ledger_store
from ceasefire.web.cookies import SESSION_COOKIE
from tests.factories import PASSWORD, add_login
from tests.test_cli import run, url_of


@pytest.fixture
def officer(database) -> str:
    """tr-officer's API token; the account has a web password too."""
    return add_login(database)[1]


def web_session(database) -> str:
    return log_in(database, username="tr-officer", password=PASSWORD,
                  lifetime=timedelta(hours=1))[1]


def actions(database) -> list[str]:
    with database.session() as session:
        return [e.action for e, _ in ledger_store.entries(session)]


def account(database, *args: str):
    return run("--database-url", url_of(database), "account", *args)


def test_disable_ends_the_web_sessions_and_refuses_the_tokens(database, officer):
    sessions = [web_session(database), web_session(database)]
    result = account(database, "disable", "tr-officer")
    assert result.exit_code == 0, result.output
    assert result.stdout == "disabled tr-officer: 2 web session(s) ended; its API tokens " \
                            "are refused until `account enable`\n"
    assert actions(database)[-1] == "account.disabled"
    assert [session_account(database, token=s) for s in sessions] == [None, None]
    with pytest.raises(Unauthenticated):
        authenticate(database, token=officer)
    with pytest.raises(LoginFailed):
        web_session(database)
    listed = account(database, "list", "--party", "TR").stdout
    assert "tr-officer" in listed and "(disabled)" in listed


def test_enable_lets_the_tokens_and_the_password_in_again(database, officer):
    session = web_session(database)
    account(database, "disable", "tr-officer")
    result = account(database, "enable", "tr-officer")
    assert result.exit_code == 0, result.output
    assert result.stdout == "enabled tr-officer\n"
    assert actions(database)[-2:] == ["account.disabled", "account.enabled"]
    assert authenticate(database, token=officer).username == "tr-officer"
    assert session_account(database, token=web_session(database)).username == "tr-officer"
    assert session_account(database, token=session) is None  # ended for good
    assert run("--database-url", url_of(database), "ledger", "verify").exit_code == 0


def test_disabling_twice_changes_nothing_the_second_time(database, officer):
    account(database, "disable", "tr-officer")
    before = actions(database)
    again = account(database, "disable", "tr-officer")
    assert again.exit_code == 0 and again.stdout == "tr-officer is already disabled\n"
    assert account(database, "enable", "tr-officer").exit_code == 0
    assert account(database, "enable", "tr-officer").stdout == "tr-officer is already enabled\n"
    assert actions(database) == [*before, "account.enabled"]


@pytest.mark.parametrize("command", ["disable", "enable", "revoke"])
def test_an_unknown_account_is_one_clean_line(database, command):
    result = account(database, command, "nobody")
    assert result.exit_code == 1
    assert result.stderr == "error: username: no account named 'nobody'\n"


def test_revoke_ends_the_web_sessions_too(database, officer):
    session = web_session(database)
    result = account(database, "revoke", "tr-officer")
    assert result.stdout == "revoked 1 token(s); 1 web session(s) ended\n"
    assert actions(database)[-1] == "account.tokens_revoked"
    assert session_account(database, token=session) is None
    with pytest.raises(Unauthenticated):
        authenticate(database, token=officer)
    # The password still opens a new session: revoking ends what was handed out.
    assert session_account(database, token=web_session(database)) is not None


@pytest.mark.parametrize("command", ["disable", "revoke"])
def test_the_server_refuses_what_the_command_ended(database, officer, command):
    settings = Settings(database_url=url_of(database))
    with TestClient(create_app(settings, database=database),
                    base_url="https://testserver") as client:
        client.cookies.set(SESSION_COOKIE, web_session(database))
        api = {"Authorization": f"Bearer {officer}"}
        assert client.get("/", follow_redirects=False).status_code == 200
        assert client.get("/api/v1/me", headers=api).status_code == 200
        assert account(database, command, "tr-officer").exit_code == 0
        page = client.get("/", follow_redirects=False)
        assert (page.status_code, page.headers["location"]) == (303, "/login")
        assert client.get("/api/v1/me", headers=api).status_code == 401
