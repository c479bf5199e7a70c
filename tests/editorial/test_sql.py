"""Vendor SQL from migrations runs where it is written for, and a database
it is missing for is refused by name when the app needs it."""

import pytest

from editorial.sql import run_for_vendor


class Editor:
    def __init__(self, vendor: str) -> None:
        self.connection = type("Connection", (), {"vendor": vendor})()
        self.ran: list[str] = []

    def execute(self, statement: str) -> None:
        self.ran.append(statement)


def test_each_database_runs_its_own_statements():
    postgres, sqlite = Editor("postgresql"), Editor("sqlite")
    for editor in (postgres, sqlite):
        run_for_vendor(editor, postgresql="PG ONE", sqlite=["LITE ONE", "LITE TWO"])
    assert postgres.ran == ["PG ONE"]
    assert sqlite.ran == ["LITE ONE", "LITE TWO"]


def test_a_database_without_statements_is_skipped_or_refused():
    sqlite = Editor("sqlite")
    run_for_vendor(sqlite, postgresql="PG ONLY")
    assert sqlite.ran == []
    with pytest.raises(NotImplementedError, match="No vote tally triggers for mysql."):
        run_for_vendor(
            Editor("mysql"), postgresql="PG", sqlite=[], required="vote tally triggers"
        )
