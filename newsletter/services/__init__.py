"""Writes with side effects on the newsletter, one module per concern.

- `subscribers`: signing up, confirming, unsubscribing, importing.
- `issues`: assembling the weekly issue, cancelling it, sending a test copy.
- `dispatch`: freezing an issue's audience, queueing its chunks, the
  reconciler that re-queues what a dead worker left, and finishing the issue.
- `deliveries`: one chunk task's work: claim rows, send, record outcomes.
"""
