import subprocess
import sys
from datetime import timedelta

import pytest
from click.testing import CliRunner

from ceasefire.cli import cli
from ceasefire.services.accounts import authenticate
from ceasefire.store import parties
from ceasefire.store.db import Database


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def url_of(database) -> str:
    return database.url.render_as_string(hide_password=False)


def test_db_upgrade_creates_a_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = run("--database-url", url, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert f"schema at {Database(url).head_revision()}" in result.stdout


def test_unmigrated_database_tells_how_to_fix_it(tmp_path):
    result = run("--database-url", f"sqlite:///{tmp_path / 'new.db'}", "account", "list")
    assert result.exit_code == 1
    assert "run `ceasefire db upgrade`" in result.stderr


def test_scenario_load_prints_tokens_once(database):
    first = run("--database-url", url_of(database), "scenario", "load", "syria-2016")
    assert first.exit_code == 0, first.output
    assert "created 5 party, 45 actor, 1 agreement, 6 account, 6 amendment" in first.stdout
    assert first.stdout.count("cfm_") == 6
    second = run("--database-url", url_of(database), "scenario", "load", "syria-2016")
    assert second.exit_code == 0
    assert "created nothing new" in second.stdout and "cfm_" not in second.stdout


def test_scenario_file_fault_names_file_field_and_id(database, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\ncode = "x"\ntitle = "x"\nboundaries = "syria"\n'
                   '[[parties]]\ncode = "RU"\nname = "Russia"\nkind = "guarantor"\n'
                   '[[accounts]]\nusername = "u1"\nparty = "KZ"\nrole = "guarantor"\n',
                   encoding="utf-8")
    result = run("--database-url", url_of(database), "scenario", "load", str(bad))
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"error: {bad}, line 11, accounts[0].party, id 'u1': "
                                     "unknown party 'KZ'")


def test_scenario_clashing_with_the_record_is_refused_whole(database, tmp_path):
    url = url_of(database)
    run("--database-url", url, "scenario", "load", "syria-2016")
    clash = tmp_path / "clash.toml"
    clash.write_text('[scenario]\ncode = "x"\ntitle = "x"\nboundaries = "syria"\n'
                     '[[actors]]\ncode = "newcomer"\nname = "New group"\n'
                     '[[accounts]]\nusername = "ru-officer"\nparty = "RU"\nrole = "analyst"\n'
                     '[[parties]]\ncode = "RU"\nname = "Russian Federation"\n'
                     'kind = "guarantor"\n', encoding="utf-8")
    result = run("--database-url", url, "scenario", "load", str(clash))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {clash}, account.role: account 'ru-officer' ")
    with database.session() as s:
        assert parties.find_actor(s, code="newcomer") is None  # written, then rolled back


def test_unknown_scenario_name(database):
    result = run("--database-url", url_of(database), "scenario", "load", "atlantis-2030")
    assert result.exit_code == 1 and "no scenario 'atlantis-2030'" in result.stderr


def test_account_create_prints_a_working_token(database):
    run("--database-url", url_of(database), "scenario", "load", "syria-2016")
    result = run("--database-url", url_of(database), "account", "create", "--party", "TR",
                 "--role", "guarantor")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("cfm_") and "\n" not in token
    assert authenticate(database, token=token).party == "TR"
    listed = run("--database-url", url_of(database), "account", "list", "--party", "TR")
    assert "tr-guarantor-1" in listed.stdout and token not in listed.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--party", "KZ", "--role", "guarantor"], "no party with code 'KZ'"),
    (["--party", "UN", "--role", "guarantor"], "cannot have role guarantor"),
    (["--party", "TR", "--role", "king"], "unknown role 'king'"),
])
def test_account_create_bad_input(database, args, message):
    run("--database-url", url_of(database), "scenario", "load", "syria-2016")
    result = run("--database-url", url_of(database), "account", "create", *args)
    assert result.exit_code == 1 and message in result.stderr


def test_account_create_needs_party_and_role(database):
    result = run("--database-url", url_of(database), "account", "create", "--party", "TR")
    assert result.exit_code == 2 and "--role" in result.stderr


@pytest.mark.parametrize(("url", "message"), [
    ("mysql://root@127.0.0.1/x", "unsupported database 'mysql'"),
    ("nonsense", "is not a database URL"),
    ("postgresql://u@h:abc/db", "is not a database URL"),
    ("postgresql://[::1/x", "is not a database URL"),
    ("sqlite:////tmp/q.db?timeout=abc", "SQLite URLs take no options"),
    ("postgresql://nobody@127.0.0.1:1/x", "cannot reach the database"),
])
def test_bad_database_url_is_one_clean_line(url, message):
    result = run("--database-url", url, "account", "list")
    assert result.exit_code == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_bad_url_from_the_environment_in_a_real_process():
    proc = subprocess.run([sys.executable, "-m", "ceasefire", "account", "list"],
                          capture_output=True, text=True, check=False,
                          env={"CEASEFIRE_DATABASE_URL": "mysql://x/y", "PATH": ""})
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "CEASEFIRE_DATABASE_URL: unsupported database 'mysql'" in proc.stderr


def test_bad_port_setting():
    proc = subprocess.run([sys.executable, "-m", "ceasefire", "serve"], capture_output=True,
                          text=True, check=False, env={"CEASEFIRE_PORT": "eighty", "PATH": ""})
    assert proc.returncode == 1 and "CEASEFIRE_PORT: must be a whole number" in proc.stderr


def test_geo_locate_outside_syria_is_a_clean_error():
    result = run("geo", "locate", "--lat", "33.89", "--lon", "35.5")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: (33.89, 35.5) lies outside every admin area"


def test_geo_locate_prints_nested_areas():
    result = run("geo", "locate", "--lat", "36.2", "--lon", "37.15")
    assert result.exit_code == 0
    assert [line.split()[1] for line in result.stdout.splitlines()] == [
        "SY02", "SY0200", "SY020000"]


def test_token_and_revoke_commands(database):
    url = url_of(database)
    run("--database-url", url, "scenario", "load", "syria-2016")
    token = run("--database-url", url, "account", "token", "un-monitor").stdout.strip()
    assert authenticate(database, token=token).username == "un-monitor"
    revoked = run("--database-url", url, "account", "revoke", "un-monitor")
    assert revoked.stdout.strip() == "revoked 2 token(s); 0 web session(s) ended"
    missing = run("--database-url", url, "account", "token", "nobody")
    assert missing.exit_code == 1 and "no account named 'nobody'" in missing.stderr


@pytest.fixture
def officer_url(database) -> str:
    from tests.factories import add_login

    add_login(database)
    return url_of(database)


def set_password(url: str, *args: str, given: str):
    return CliRunner().invoke(cli, ["--database-url", url, "account", "password", *args],
                              input=given, catch_exceptions=False)


def test_account_password_prompts_twice_and_only_the_hash_is_kept(officer_url, database):
    from ceasefire.services.logins import log_in

    result = set_password(officer_url, "tr-officer",
                          given="a new long passphrase\na new long passphrase\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Password") == 1 and "Repeat for confirmation" in result.stdout
    assert result.stdout.endswith("password set for tr-officer; 0 web session(s) ended\n")
    assert "a new long passphrase" not in result.stdout + result.stderr
    account, _ = log_in(database, username="tr-officer", password="a new long passphrase",
                        lifetime=timedelta(hours=1))
    assert account.username == "tr-officer"


def test_account_password_from_stdin_for_scripts(officer_url, database):
    from ceasefire.services.logins import log_in

    result = set_password(officer_url, "tr-officer", "--stdin",
                          given="read from a script\n")
    assert result.exit_code == 0 and "Password" not in result.stdout
    log_in(database, username="tr-officer", password="read from a script",
           lifetime=timedelta(hours=1))


@pytest.mark.parametrize("args, given, message", [
    (("tr-officer", "--stdin"), "too short\n",
     "error: password: must be at least 12 characters, got 9"),
    (("tr-officer", "--stdin"), "", "error: password: must be at least 12 characters, got 0"),
    (("tr-officer",), "short one\nshort one\n",
     "error: password: must be at least 12 characters, got 9"),
    (("nobody", "--stdin"), "a long enough password\n",
     "error: username: no account named 'nobody'"),
])
def test_account_password_refuses_naming_the_field(officer_url, database, args, given,
                                                   message):
    from ceasefire.services.logins import LoginFailed, log_in

    result = set_password(officer_url, *args, given=given)
    assert result.exit_code == 1 and result.stderr.strip().endswith(message)
    with pytest.raises(LoginFailed):  # the old password still stands, nothing else
        log_in(database, username="tr-officer", password=given.split("\n")[0],
               lifetime=timedelta(hours=1))


def test_account_password_asks_again_when_the_two_differ(officer_url):
    result = set_password(officer_url, "tr-officer",
                          given="first passphrase\nsecond passphrase\n"
                                "third passphrase\nthird passphrase\n")
    assert result.exit_code == 0 and "do not match" in result.output


def test_db_current_shows_both_revisions(database):
    result = run("--database-url", url_of(database), "db", "current")
    assert result.stdout.split() == ["current:", "0017", "needed:", "0017"]


def test_verdicts_from_the_command_line(database, tmp_path):
    url = url_of(database)
    run("--database-url", url, "scenario", "load", "syria-2016")
    lines = tmp_path / "reports.jsonl"
    lines.write_text('{"when": {"earliest": "2017-01-15T10:00:00Z"}, '
                     '"place": {"lat": 36.2021, "lon": 37.1343}, "violation": "shelling", '
                     '"perpetrators": ["syrian-government"], "targets": ["syrian-opposition"], '
                     '"narrative": "Shelling."}\n', encoding="utf-8")
    imported = run("--database-url", url, "import", str(lines), "--format", "jsonl",
                   "--party", "RU")
    assert imported.exit_code == 0, imported.output
    queue = run("--database-url", url, "verdict", "queue", "--party", "TR")
    heading, line = queue.stdout.splitlines()
    assert heading == "1 incident awaits TR's verdict:"
    incident = line.split()[-1]
    # When, where and what in words, the deadline, the version to cast against, the id.
    assert line.startswith("2017-01-15  Jebel Saman: shelling, artillery or missile attack; due ")
    assert "h left), version 0  " in line
    assert run("--database-url", url, "assess").stdout == "1 incidents assessed\n"

    stale = run("--database-url", url, "verdict", "cast", incident, "--account", "tr-officer",
                "--position", "reject", "--version", "3")
    assert stale.exit_code == 1 and "version" in stale.stderr
    cast = run("--database-url", url, "verdict", "cast", incident, "--account", "tr-officer",
               "--position", "reject", "--version", "0", "--comment", "no such shelling")
    assert cast.stdout == f"{incident}: disputed, version 1\n"
    analyst = run("--database-url", url, "verdict", "cast", incident, "--account", "analyst",
                  "--position", "confirm", "--version", "1")
    assert analyst.exit_code == 1 and "an analyst account cannot cast verdicts" in analyst.stderr

    shown = run("--database-url", url, "verdict", "show", incident).stdout
    assert "disputed, version 1" in shown and "ok   excluded-actors" in shown
    assert "not answered: RU, IR" in shown
    assert "sides:" not in shown  # one side so far
    assert "v1" in shown and "TR (tr-officer): reject: no such shelling" in shown
    # The actor by a name reports use, as well as by its code.
    ru = run("--database-url", url, "verdict", "cast", incident, "--account", "ru-officer",
             "--position", "confirm", "--version", "1", "--attributed-to", "Syrian Arab Army")
    assert ru.stdout == f"{incident}: disputed, version 2\n"
    shown = run("--database-url", url, "verdict", "show", incident).stdout
    assert "sides: confirm: RU; reject: TR" in shown
    assert "RU (ru-officer): confirm, attributed to syrian-government" in shown
    assert run("--database-url", url, "verdict", "queue", "--party", "TR").stdout == \
        "Nothing awaits TR's verdict.\n"
