"""The export's files written by a process of its own (`python -m
bot.services.grants.export.process`): the applications' cells go there pickled, a chunk at a
time, through a pipe large enough for a few chunks, and both files' bytes come back at the end.

With one interpreter lock, the export of 10,000 applications took the sum of fetching and
formatting the rows and writing both files (~1.1 s of CPU); the files' part (~0.6 s: templates,
escaping, deflating, the CSV) now runs on another core meanwhile."""

from __future__ import annotations

import fcntl
import gc
import pickle
import subprocess
import sys
from collections.abc import Sequence
from typing import IO, Any

from bot.services.grants.export.files import Cells, ExportFiles, Layout
from bot.services.spreadsheet import Table

# What the pipe holds (Linux's most for anyone): a few chunks, so that the rows' reader goes on
# with the next chunk rather than wait for the writer to take each one.
PIPE_BYTES = 1 << 20
LENGTH_BYTES = 8  # a file's length before its bytes, so that they are read in one block


class WriterProcess:
    """`ExportFiles` in a process of its own, with the same calls; `close` or `discard` it."""

    def __init__(self, layout: Layout) -> None:
        # The child imports the package as this process does (an installed or editable one).
        self._process = subprocess.Popen(
            [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        fcntl.fcntl(self._stdin(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        self._send(("layout", layout))

    def write(self, applications: Sequence[Cells]) -> None:
        self._send(("write", applications))

    def close(self, questions: list[Table]) -> tuple[bytes, bytes]:
        """The workbook's and the CSV's bytes, once the process wrote them."""
        self._send(("close", questions))
        self._stdin().close()
        assert self._process.stdout is not None
        files = _read(self._process.stdout), _read(self._process.stdout)
        if self._process.wait() != 0 or None in files:
            raise RuntimeError(f"the export's writer failed ({self._process.returncode})")
        return files  # type: ignore[return-value]

    def discard(self) -> None:
        """The process ends without writing the files (the rows could not all be read)."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()

    def _send(self, message: tuple[str, Any]) -> None:
        try:
            pickle.dump(message, self._stdin(), pickle.HIGHEST_PROTOCOL)
        except BrokenPipeError as error:
            raise RuntimeError("the export's writer ended early") from error

    def _stdin(self) -> IO[bytes]:
        assert self._process.stdin is not None
        return self._process.stdin


def _read(source: IO[bytes]) -> bytes | None:
    length = int.from_bytes(source.read(LENGTH_BYTES), "big")
    content = source.read(length)
    return content if len(content) == length else None


def serve(source: IO[bytes], target: IO[bytes]) -> None:
    """The child's side: the files made of the messages in `source`, their bytes to `target`."""
    kind, layout = pickle.load(source)
    assert kind == "layout"
    files = ExportFiles(layout)
    while True:
        kind, argument = pickle.load(source)
        if kind == "write":
            files.write(argument)
            continue
        for content in files.close(argument):
            target.write(len(content).to_bytes(LENGTH_BYTES, "big"))
            target.write(content)
        target.flush()
        return


if __name__ == "__main__":
    # The process lives for one export, and its rows hold no cycles: the collector would go
    # through every row unpickled, again and again (60% of the unpickling's time).
    gc.disable()
    serve(sys.stdin.buffer, sys.stdout.buffer)
