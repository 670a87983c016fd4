"""Failures of something retried with backoff, logged once per outage: the first failure
(or one that differs from the last) at ERROR with its traceback, the same failure again
at DEBUG with a count, and the end of the outage at INFO. An unreachable cluster retried
for an hour was otherwise a traceback in the log every 30 s."""

from __future__ import annotations

import logging


class OutageLog:
    def __init__(self, log: logging.Logger, what: str) -> None:
        self.log = log
        self.what = what  # who failed, as the log names it ("fleet prod: /version")
        self.failures = 0  # in a row, this outage
        self._said: str | None = None  # the failure logged with its traceback

    def failed(self, message: str) -> None:
        """Call in the except block (the first record carries the traceback)."""
        self.failures += 1
        if message != self._said:
            self._said = message
            self.log.error("%s: %s", self.what, message, exc_info=True)
        else:
            self.log.debug("%s: %s (again: %d failures in a row)", self.what, message,
                           self.failures)

    def recovered(self) -> None:
        """It worked: say so if it had been failing, and start counting afresh."""
        if self.failures:
            self.log.info("%s: works again after %d failure%s (%s)", self.what,
                          self.failures, "" if self.failures == 1 else "s", self._said)
        self.failures, self._said = 0, None


__all__ = ["OutageLog"]
