"""Group commit: concurrent requests of one process share one database transaction.

A single-statement POST costs the database a transaction of its own: BEGIN, the INSERTs, a
COMMIT that waits for the WAL flush, and a round trip for each. When several request threads
of one process store at the same moment, the first becomes the *leader*: it stores its own
work, and whatever arrives meanwhile queues. When the leader is done, the first waiting
thread leads the next group, which is everything queued by then, stored by ``together`` in
one transaction. Nothing waits on purpose: a lone request is stored at once, and a group
forms only from requests that would otherwise have queued for the CPU or the database.

If ``together`` fails (a repeated id with different content, a lost connection, anything),
the group's transaction has rolled back and every member stores its own work again alone,
in its own thread, so each request gets exactly the answer it would have had without
grouping, and one bad request never fails another.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)

_PENDING, _STORED, _ALONE = "pending", "stored", "alone"


class _Job(Generic[T]):
    __slots__ = ("item", "state")

    def __init__(self, item: T):
        self.item = item
        self.state = _PENDING


class GroupCommit(Generic[T]):
    """``submit(item)`` stores ``item`` with ``alone(item)`` or, grouped with the items of
    other threads, with ``together(items)``; it returns once the item is committed, and
    raises what storing it alone raised."""

    def __init__(self, *, alone: Callable[[T], object], together: Callable[[list[T]], object]):
        self._alone = alone
        self._together = together
        self._cv = threading.Condition()
        self._queue: list[_Job[T]] = []
        self._leading = False
        self.groups = 0  # groups of two or more stored together (for benchmarks and tests)
        self.grouped = 0  # items in them

    def waiting(self) -> int:
        """Items queued behind the current leader."""
        with self._cv:
            return len(self._queue)

    def leading(self) -> bool:
        """Whether some thread is storing a group now."""
        with self._cv:
            return self._leading

    def submit(self, item: T) -> None:
        job = _Job(item)
        with self._cv:
            self._queue.append(job)
            while self._leading and job.state is _PENDING:
                self._cv.wait()
            if job.state is _PENDING:  # nobody leads and nobody took this job: lead
                self._leading = True
                group, self._queue = self._queue, []
        if job.state is _PENDING:
            self._lead(job, group)
        if job.state is _ALONE:
            self._alone(item)

    def _lead(self, own: _Job[T], group: list[_Job[T]]) -> None:
        state = _ALONE
        try:
            if len(group) == 1:
                self._alone(own.item)  # its exception is this thread's own answer
                state = _STORED
            else:
                try:
                    self._together([j.item for j in group])
                    state = _STORED
                    self.groups += 1
                    self.grouped += len(group)
                except Exception:  # every member retries alone and gets its own answer
                    log.debug("group of %d not stored together; storing each alone", len(group), exc_info=True)
        finally:
            with self._cv:
                for j in group:
                    j.state = state
                self._leading = False
                self._cv.notify_all()
