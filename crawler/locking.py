"""Advisory locks on files in DATA (flock): one crawl per capture store, one `xxgk update` at a time.
The kernel drops a flock when its process dies, so a SIGKILLed holder never leaves a stale lock."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

CRAWL_LOCK = "crawl.lock"
UPDATE_LOCK = "update.lock"


class LockBusy(RuntimeError):
    """Another live process holds the lock."""


class FileLock:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.fd: int | None = None

    def acquire(self) -> FileLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            os.close(fd)
            raise LockBusy(f"{self.path} is held by another process ({holder or 'pid unknown'})") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}\n".encode(), 0)
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> FileLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
