"""Memory a long-running process gives back, and the objects of its start that the garbage
collector need not go through again. glibc's malloc raises the size from which it maps
blocks of their own each time such a block is freed; after a big file (an export of 13 MB), the
next blocks of that size come from the heap and stay with the process when freed (measured: 13
MiB more after /export of 10,000 applications, 6 MiB with the size held at glibc's default)."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

log = logging.getLogger(__name__)
M_MMAP_THRESHOLD = -3  # mallopt's parameter (malloc.h)
MAPPED_FROM_BYTES = 128 * 1024  # glibc's default, held there
_pausing = 0  # the `collection_paused` blocks under way (on the event loop)


@cache
def _libc() -> ctypes.CDLL | None:
    """The C library, once; None where it cannot be loaded."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c"))
    except OSError:
        return None


def give_back_big_blocks() -> None:
    """Blocks from 128 KiB on are mapped on their own and returned when freed; elsewhere than
    glibc (musl, macOS) nothing changes."""
    libc = _libc()
    if libc is None or not hasattr(libc, "mallopt"):  # not glibc
        return
    if not libc.mallopt(M_MMAP_THRESHOLD, MAPPED_FROM_BYTES):
        log.debug("mallopt refused M_MMAP_THRESHOLD")


def give_back_freed() -> None:
    """After a big file: its garbage collected now (cycles would hold it until Python's next full
    collection), and the freed memory inside the heaps of every thread back to the system
    (elsewhere than glibc, only the collection)."""
    gc.collect()
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):  # glibc
        libc.malloc_trim(0)


def freeze_startup_objects() -> None:
    """Once started: the objects of the start (modules, catalogs, SQLAlchemy's and python-telegram-
    bot's classes; 145,000 objects after the imports alone) are left out of every later full
    collection. Each such collection went through them all in 80-210 ms, with the event loop
    stopped, whatever transaction was open holding the database meanwhile (SQLite's write lock,
    measured as the longest write lock-out while an announcement was queued)."""
    gc.collect()
    gc.freeze()


@contextmanager
def collection_paused() -> Iterator[None]:
    """No collection while a big file's rows are made (an export of 10,000 applications: the
    collector went through them again and again, 0.1 s of the bot's 0.5 s of CPU, each time with
    every thread stopped). They hold no cycles; what others make meanwhile waits for the next
    collection, which `give_back_freed` makes once the file is sent. Nested blocks (two exports
    at once) turn it back on when the last ends; one that someone else turned off stays off."""
    global _pausing
    if not _pausing and not gc.isenabled():
        yield
        return
    _pausing += 1
    gc.disable()
    try:
        yield
    finally:
        _pausing -= 1
        if not _pausing:
            gc.enable()
