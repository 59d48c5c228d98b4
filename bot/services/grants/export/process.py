"""The export's files, each written by a process of its own (`python -m
bot.services.grants.export.process workbook|csv`): the applications' cells go to both pickled once,
a chunk at a time, through pipes large enough for a few chunks, and each file's bytes come back
at the end.

With one interpreter lock, the export of 10,000 applications took the sum of fetching and
formatting the rows and writing both files (~1.1 s of CPU). Now the bot fetches and formats
(~0.4 s), the workbook's process writes it (~0.45 s with its start) and the CSV's (~0.3 s), side
by side on the machine's cores, the writers at a lower priority (`NICENESS`); one process for
both files was the slowest of the three."""

from __future__ import annotations

import fcntl
import gc
import os
import pickle
import subprocess
import sys
from collections.abc import Sequence
from typing import IO, Any

from bot.services.grants.export.files import Cells, ExportCsv, ExportFile, ExportWorkbook, Layout
from bot.services.spreadsheet import Table

WRITERS: dict[str, type[ExportFile]] = {"workbook": ExportWorkbook, "csv": ExportCsv}
# What a pipe holds (Linux's most for anyone): a few chunks, so that the rows' reader goes on
# with the next chunk rather than wait for a writer to take each one.
PIPE_BYTES = 1 << 20
LENGTH_BYTES = 8  # a file's length before its bytes, so that they are read in one block
# The writers yield the cores to the bot (as `nice` does by default): people's replies come first,
# and so does the bot's reading of the rows that the writers wait for. Side by side with the bot at
# the same priority, the three shared two cores evenly and the rows came slower: 10,000
# applications' files took 0.92 s (median of 24) against 0.79 s with the writers behind it.
NICENESS = 10


class WriterProcesses:
    """The workbook's and the CSV's processes, fed the same messages; `close` or `discard`."""

    def __init__(self, layout: Layout) -> None:
        # Each imports the package as this process does (an installed or editable one).
        self._processes = [
            subprocess.Popen(
                [sys.executable, "-m", __name__, writer],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
            for writer in WRITERS
        ]
        for process in self._processes:
            assert process.stdin is not None
            if hasattr(fcntl, "F_SETPIPE_SZ"):  # Linux; elsewhere the pipe keeps its size
                fcntl.fcntl(process.stdin, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        self._send(("layout", layout))

    def write(self, applications: Sequence[Cells]) -> None:
        self._send(("write", applications))

    def close(self, questions: list[Table]) -> tuple[bytes, bytes]:
        """The workbook's and the CSV's bytes, once their processes wrote them."""
        self._send(("close", questions))
        files = []
        for process in self._processes:
            assert process.stdin is not None and process.stdout is not None
            process.stdin.close()
            files.append(_read(process.stdout))
        if any(process.wait() != 0 for process in self._processes) or None in files:
            raise RuntimeError("a writer of the export failed")
        workbook, table = files
        assert workbook is not None and table is not None
        return workbook, table

    def discard(self) -> None:
        """The processes end without writing the files (the rows could not all be read)."""
        for process in self._processes:
            if process.poll() is None:
                process.kill()
            process.wait()

    def _send(self, message: tuple[str, Any]) -> None:
        pickled = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
        for process in self._processes:
            assert process.stdin is not None
            try:
                process.stdin.write(pickled)
            except BrokenPipeError as error:
                raise RuntimeError("a writer of the export ended early") from error


def _read(source: IO[bytes]) -> bytes | None:
    length = int.from_bytes(source.read(LENGTH_BYTES), "big")
    content = source.read(length)
    return content if len(content) == length else None


def serve(writer: str, source: IO[bytes], target: IO[bytes]) -> None:
    """A writer's side: its file made of the messages in `source`, its bytes to `target`."""
    kind, layout = pickle.load(source)
    assert kind == "layout"
    file = WRITERS[writer](layout)
    while True:
        kind, argument = pickle.load(source)
        if kind == "write":
            file.write(argument)
            continue
        content = file.close(argument)
        target.write(len(content).to_bytes(LENGTH_BYTES, "big"))
        target.write(content)
        target.flush()
        return


if __name__ == "__main__":
    # The process lives for one export, and its rows hold no cycles: the collector would go
    # through every row unpickled, again and again (60% of the unpickling's time).
    gc.disable()
    os.nice(NICENESS)
    serve(sys.argv[1], sys.stdin.buffer, sys.stdout.buffer)
