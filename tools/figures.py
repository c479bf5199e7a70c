from dataclasses import dataclass


@dataclass(frozen=True)
class ShipShare:
    """A share of *ship* among some verdicts: the panel's or the readers'."""

    ship: int
    total: int

    @property
    def is_shown(self) -> bool:
        return self.total > 0

    @property
    def share(self) -> int | None:
        """Whole-number percentage, or None while there is no figure to show."""
        if not self.is_shown:
            return None
        return round(100 * self.ship / self.total)

    @property
    def label(self) -> str:
        return "—" if self.share is None else f"{self.share}%"
