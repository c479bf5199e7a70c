"""Signals that pictures send."""

from django.dispatch import Signal

#: Sent once new renditions or a new share card are stored and recorded on
#: their object (`instance`); pages that show the object must follow.
picture_stored = Signal()
