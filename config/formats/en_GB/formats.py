"""Dates as the site writes them ("1 December 2026"), in the admin too."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
