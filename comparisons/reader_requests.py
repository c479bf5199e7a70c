"""Readers asking the editors to compare two tools.

Each reader counts once per pair, whatever the order they name the tools
in: the request row is unique per pair and reader, and the pair's counter
moves in the same transaction, with F(), only when a new row went in.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from comparisons.models import PairRequest, RequestedPair
from tools.models import Tool


def _pair_of(left: Tool, right: Tool) -> RequestedPair | None:
    return RequestedPair.objects.filter(
        Q(left=left, right=right) | Q(left=right, right=left)
    ).first()


def pair_request(*, left: Tool, right: Tool, reader_key: str) -> bool:
    """Count this reader's request for the pair; False if they had asked
    already (in either order)."""
    if left.pk == right.pk:
        raise ValueError("A tool cannot be compared with itself.")
    now = timezone.now()
    with transaction.atomic():
        pair = _pair_of(left, right)
        if pair is None:
            try:
                with transaction.atomic():
                    pair = RequestedPair.objects.create(
                        left=left, right=right, first_asked_at=now, last_asked_at=now
                    )
            except IntegrityError:
                # Another reader asked for the same pair at the same moment.
                pair = _pair_of(left, right)
        try:
            with transaction.atomic():
                PairRequest.objects.create(pair=pair, reader=reader_key, asked_at=now)
        except IntegrityError:
            return False
        RequestedPair.objects.filter(pk=pair.pk).update(
            requests=F("requests") + 1, last_asked_at=now
        )
    return True


def has_asked(*, left: Tool, right: Tool, reader_key: str) -> bool:
    return PairRequest.objects.filter(
        Q(pair__left=left, pair__right=right) | Q(pair__left=right, pair__right=left),
        reader=reader_key,
    ).exists()
