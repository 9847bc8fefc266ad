"""The thread that drives the control plane in real time.

:class:`ControlLoop` repeats ``ControlPlane.step()`` (plus the garbage
collector and the simulated pod terminator); when nothing was done it sleeps
until the next thing is due, at most ``idle_poll`` seconds, or until
:meth:`wake` is called (the API calls it after every write, so a new object
is acted upon at once).
"""

from __future__ import annotations

import logging
import threading
import time

__all__ = ["ControlLoop"]

log = logging.getLogger(__name__)


class ControlLoop:
    def __init__(self, control_plane, *, gc=None, extra=(), idle_poll: float = 0.05,
                 gc_interval: float = 1.0) -> None:
        self.cp, self.gc, self.extra = control_plane, gc, list(extra)
        self.idle_poll, self.gc_interval = idle_poll, gc_interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._gc_due = threading.Event()
        self._thread: threading.Thread | None = None
        self.errors = 0

    def wake(self, verb: str = "") -> None:
        if verb == "delete":
            self._gc_due.set()
        self._wake.set()

    def start(self) -> "ControlLoop":
        self.cp.start()
        self._thread = threading.Thread(target=self._run, name="kubekit-control-loop", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.error("the control loop did not stop within %s s", timeout)
            self._thread = None

    def step(self) -> int:
        did = self.cp.step()
        for component in self.extra:
            did += component.run_once()
        return did

    def _run(self) -> None:
        next_gc = time.monotonic() + self.gc_interval
        while not self._stop.is_set():
            self._wake.clear()
            try:
                did = self.step()
                if self.gc is not None and (self._gc_due.is_set() or time.monotonic() >= next_gc):
                    self._gc_due.clear()
                    swept = self.gc.sweep()
                    if swept:
                        self._gc_due.set()      # dependents of what was just deleted: sweep again
                    did += swept
                    next_gc = time.monotonic() + self.gc_interval
            except Exception:  # noqa: BLE001 - a failing step must not kill the control plane
                self.errors += 1
                log.exception("control loop step failed")
                did = 0
                self._stop.wait(0.5)
            if did:
                continue
            wait = self.cp.next_wakeup()
            wait = self.idle_poll if wait is None else min(max(wait, 0.0), self.idle_poll)
            if self._gc_due.is_set():
                wait = 0.0
            self._wake.wait(wait)
