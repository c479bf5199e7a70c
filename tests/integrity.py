import pytest
from django.db import IntegrityError, transaction


def refused_by_database(create) -> None:
    """`create()` breaks a constraint and the database, not Python, says no."""
    with pytest.raises(IntegrityError), transaction.atomic():
        create()
