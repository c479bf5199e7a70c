"""SQL a content app installs from its migrations (triggers, indexes,
stored columns), written once per database it supports."""

from __future__ import annotations

from collections.abc import Sequence


def run_for_vendor(
    schema_editor,
    *,
    postgresql: str | None = None,
    sqlite: Sequence[str] | None = None,
    required: str = "",
) -> None:
    """Run the statements for this database. A database with none is
    skipped, unless `required` names what it would lack: then it is
    refused with that name."""
    vendor = schema_editor.connection.vendor
    statements = {
        "postgresql": [postgresql] if postgresql else None,
        "sqlite": list(sqlite) if sqlite is not None else None,
    }.get(vendor)
    if statements is None:
        if required:
            raise NotImplementedError(f"No {required} for {vendor}.")
        return
    for statement in statements:
        schema_editor.execute(statement)
