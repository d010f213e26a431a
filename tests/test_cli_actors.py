"""`ceasefire actor …`: the secretariat keeps the registry from the command line; anyone
else is refused by name and nothing changes."""

from __future__ import annotations

import pytest

from ceasefire.services.scenarios import load_scenario
from tests.fingerprint import fingerprint
from tests.test_cli import run, url_of


@pytest.fixture
def url(database, syria_scenario) -> str:
    load_scenario(database, syria_scenario)
    return url_of(database)


def actor(url: str, *args: str):
    return run("--database-url", url, "actor", *args)


def test_the_secretariat_adds_names_and_merges(url):
    added = actor(url, "add", "douma-army", "--name", "Douma Army", "--side", "opposition",
                  "--alias", "ar:جيش دوما", "--alias", "ru:Армия Думы", "--party", "SEC")
    assert added.exit_code == 0, added.output
    assert added.stdout.startswith("added actor douma-army (ledger entry ")
    named = actor(url, "alias", "douma-army", "Jaysh Douma", "--party", "SEC")
    assert named.exit_code == 0, named.output
    assert "douma-army is also called 'Jaysh Douma' (en)" in named.stdout
    merged = actor(url, "merge", "douma-army", "--into", "jaysh-al-islam", "--reason",
                   "one group", "--party", "SEC")
    assert merged.exit_code == 0, merged.output
    listed = actor(url, "list").stdout
    line = next(x for x in listed.splitlines() if x.startswith("douma-army "))
    assert "Douma Army" in line and "opposition" in line
    assert line.endswith("(merged into jaysh-al-islam)")
    shown = actor(url, "show", "douma-army").stdout
    assert "merged into jaysh-al-islam: its names lead to jaysh-al-islam" in shown
    assert "  ar: جيش دوما\n" in shown and "  en: Jaysh Douma\n" in shown
    assert "  ru: Армия Думы\n" in shown
    assert "syria-2016 (" in shown and "): non-signatory" in shown
    assert "merged into it: douma-army" in actor(url, "show", "jaysh-al-islam").stdout
    verified = run("--database-url", url, "ledger", "verify")
    assert verified.exit_code == 0, verified.output


def test_a_spelling_like_another_actors_is_noted(url):
    added = actor(url, "add", "jaish-2", "--name", "Jeish el-Islam", "--party", "SEC")
    assert added.exit_code == 0
    assert "note: jaysh-al-islam has a name spelled alike" in added.stderr


@pytest.mark.parametrize(("args", "said"), [
    (("add", "new-group", "--name", "New", "--party", "UN"),
     "error: party UN is an observer party; only the secretariat changes the actor registry"),
    (("merge", "fsa", "--into", "syrian-opposition", "--reason", "x", "--party", "RU"),
     "error: party RU is a guarantor party; only the secretariat changes the actor registry"),
    (("add", "new-group", "--name", "New", "--alias", "Daesh", "--party", "SEC"),
     "error: alias: 'Daesh' is not LANG:TEXT (e.g. en:Jaish al-Islam)"),
    (("add", "new-group", "--name", "New", "--alias", "english:Daesh", "--party", "SEC"),
     "error: alias.lang: 'english' is not an ISO 639 language code"),
    (("add", "New Group", "--name", "New", "--party", "SEC"),
     "error: code: 'New Group' is not a valid code (lower-case letters, digits and '-')"),
    (("add", "isil", "--name", "New", "--party", "SEC"),
     "error: code: actor code 'isil' is taken"),
    (("add", "new-group", "--name", "x" * 201, "--party", "SEC"),
     "error: name, id 'new-group': is 201 characters long; at most 200"),
    (("alias", "fsa", "Daesh", "--party", "SEC"),
     "error: aliases: 'Daesh' already leads to actor isil; a name leads to one actor"),
    (("alias", "martians", "Martian Brigade", "--party", "SEC"),
     "error: actor: no actor with code 'martians'"),
    (("merge", "fsa", "--into", "fsa", "--reason", "x", "--party", "SEC"),
     "error: into: actor fsa cannot be merged into itself"),
    (("show", "martians",), "error: actor: no actor with code 'martians'"),
])
def test_a_refusal_is_one_line_and_changes_nothing(database, url, args, said):
    before = fingerprint(database)
    done = actor(url, *args)
    assert done.exit_code == 1, done.output
    assert done.stderr.strip() == said
    assert fingerprint(database) == before
