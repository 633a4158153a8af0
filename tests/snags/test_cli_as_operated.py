"""The CLI as an operator uses it: --db anywhere, erase by request number, practitioners never erased."""
from __future__ import annotations

import argparse

import pytest

from bot.cli import build_parser, main
from storage.models import ErasureRequest, Practitioner

ADDRESS = "+447700900123"
PRACTITIONER_PHONE = "+447700900555"


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _takes_db(parser: argparse.ArgumentParser) -> bool:
    return "--db" in parser._option_string_actions


def test_db_is_accepted_before_and_after_every_subcommand_that_uses_a_database():
    checked = 0
    for name, command in _subcommands(build_parser()).items():
        leaves = _subcommands(command)
        if not (_takes_db(command) or any(_takes_db(leaf) for leaf in leaves.values())):
            continue  # nlu, telegram, safeguarding: no database
        assert _takes_db(command), f"`cyswllt {name} --db X ...` is refused"
        for leaf_name, leaf in leaves.items():
            assert _takes_db(leaf), f"`cyswllt {name} {leaf_name} --db X` is refused"
            checked += 1
    assert checked >= 15


@pytest.mark.parametrize("argv", [
    ["person", "--db", "sqlite:///x.db", "erase", ADDRESS],
    ["person", "erase", ADDRESS, "--db", "sqlite:///x.db"],
    ["person", "erase", "--db", "sqlite:///x.db", ADDRESS],
    ["practitioner", "--db", "sqlite:///x.db", "list"],
    ["practitioner", "list", "--db", "sqlite:///x.db"],
    ["assets", "search", "walks", "--db", "sqlite:///x.db"],
    ["db", "--db", "sqlite:///x.db", "upgrade"],
    ["scheduler", "once", "--db", "sqlite:///x.db"],
    ["dataset", "--db", "sqlite:///x.db", "coverage"],
])
def test_db_lands_in_the_same_place_wherever_it_is_written(argv):
    assert build_parser().parse_args(argv).db == "sqlite:///x.db"


def test_without_db_the_settings_url_is_used_and_a_bare_coverage_db_still_means_the_settings():
    parser = build_parser()
    assert parser.parse_args(["person", "erase", ADDRESS]).db is None
    assert parser.parse_args(["dataset", "coverage"]).db is None
    assert parser.parse_args(["dataset", "coverage", "--db"]).db == ""


def ask_for_erasure(bot):
    bot.send("Helo")
    bot.send("2")
    bot.send("delete my data")
    bot.send("1").expect_key("rights.erase.requested", lang="en")


def test_requests_give_a_number_and_erase_takes_it(bot, app, capsys):
    ask_for_erasure(bot)
    request = bot.rows(ErasureRequest)[0]
    url = app.settings.database.url
    assert main(["person", "requests", "--db", url]) == 0
    out = capsys.readouterr().out
    assert f"request {request.id}" in out and f"person erase --request {request.id} --yes" in out
    assert "ADDRESS" not in out and ADDRESS not in out
    assert main(["person", "erase", "--request", str(request.id), "--db", url]) == 0
    assert "would erase the person at +44*******123" in capsys.readouterr().out
    assert bot.person() is not None
    assert main(["person", "erase", "--request", str(request.id), "--yes", "--db", url]) == 0
    assert bot.person() is None
    assert [r.status for r in bot.rows(ErasureRequest)] == ["done"]
    # The same number again: nothing pending, said plainly.
    assert main(["person", "erase", "--request", str(request.id), "--yes", "--db", url]) == 1
    assert "no pending request" in capsys.readouterr().err


def test_erase_wants_an_address_or_a_request_number(app, capsys):
    url = app.settings.database.url
    assert main(["person", "erase", "--db", url]) == 2
    assert main(["person", "erase", ADDRESS, "--request", "1", "--db", url]) == 2
    assert "one of them" in capsys.readouterr().err


def test_erase_refuses_a_practitioners_address(app, bot, capsys):
    from bot.practitioners import add_practitioner

    with app.sessions.begin() as session:
        _, code = add_practitioner(session, "Alys", "Caerdydd", app.clock.now())
    practitioner = bot.as_(PRACTITIONER_PHONE)
    practitioner.send(f"LINK {code}")
    url = app.settings.database.url
    for argv in (["person", "erase", PRACTITIONER_PHONE, "--yes", "--db", url],
                 ["person", "--db", url, "erase", "07700 900555", "--yes"]):
        assert main(argv) == 1
        assert "belongs to a practitioner" in capsys.readouterr().err
    with app.sessions() as session:
        linked = session.query(Practitioner).one()
        assert linked.person_id is not None and linked.active
