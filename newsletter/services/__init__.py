"""Writes with side effects on the newsletter, one module per concern.

- `subscribers`: signing up, confirming, unsubscribing, importing.
- `issues`: assembling the weekly issue, cancelling it, sending a test copy.
- `dispatch`: freezing an issue's audience, queueing its chunks, and the
  reconciler that re-queues what a dead worker left.

Services queue tasks (`newsletter.tasks`); a task never imports a service.
What a queued task does (a chunk: claim rows, send, record outcomes; a
confirmation email) is in `newsletter.sending`, below both.
"""
