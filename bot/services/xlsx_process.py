"""A workbook written by a process of its own (`python -m bot.services.xlsx_process`): the rows
go there pickled, a batch at a time, and the file's bytes come back when it is closed.

The workbook's Python work (escaping, templates, deflating) then runs on another core than the
one that fetches the rows and writes the CSV: with one interpreter lock, the export of 10,000
applications took the sum of both, above its second. The same `Book` writes the same bytes."""

from __future__ import annotations

import fcntl
import pickle
import subprocess
import sys
from collections.abc import Sequence
from typing import IO, Any

from bot.services.spreadsheet import Cell
from bot.services.xlsx import WRITTEN_ROWS, Book

# The rows the pipe holds, a few batches: the rows' writer goes on with the CSV, and does not
# wait for the workbook's process to take each batch (1 MiB: Linux's most, for anyone).
PIPE_BYTES = 1 << 20
LENGTH_BYTES = 8  # the file's length before its bytes, so that they are read in one block


class BookElsewhere:
    """A `Book` in a process of its own, with the same calls; `close` or `discard` it."""

    def __init__(self, *, right_to_left: bool = False) -> None:
        # The child imports the package as this process does (an installed or editable one).
        self._process = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self._process.stdin is not None
        fcntl.fcntl(self._process.stdin, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        self._pending: list[tuple[int, Sequence[Cell]]] = []  # (sheet, row), not yet sent
        self._sheets = 0
        self._send(("book", right_to_left))

    def sheet(self, name: str, header: Sequence[str]) -> SheetElsewhere:
        self._flush()  # a sheet's rows come after the sheet
        self._send(("sheet", name, list(header)))
        self._sheets += 1
        return SheetElsewhere(self, self._sheets - 1)

    def append(self, sheet: int, row: Sequence[Cell]) -> None:
        self._pending.append((sheet, row))
        if len(self._pending) >= WRITTEN_ROWS:
            self._flush()

    def close(self) -> bytes:
        """The file's bytes, once the process wrote them."""
        self._flush()
        self._send(("close",))
        stdout = self._output()
        length = int.from_bytes(stdout.read(LENGTH_BYTES), "big")
        content = stdout.read(length)
        if self._process.wait() != 0 or len(content) != length:
            raise RuntimeError(f"the workbook's process failed ({self._process.returncode})")
        return content

    def discard(self) -> None:
        """The process ends without writing the file (the rows could not all be read)."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()

    def _flush(self) -> None:
        if self._pending:
            self._send(("rows", self._pending))
            self._pending = []

    def _send(self, message: tuple[Any, ...]) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        try:
            pickle.dump(message, stdin, pickle.HIGHEST_PROTOCOL)
            if message[0] == "close":
                stdin.close()
        except BrokenPipeError as error:
            raise RuntimeError("the workbook's process ended early") from error

    def _output(self) -> IO[bytes]:
        assert self._process.stdout is not None
        return self._process.stdout


class SheetElsewhere:
    """A sheet of a `BookElsewhere`: its rows are appended in order."""

    def __init__(self, book: BookElsewhere, number: int) -> None:
        self._book = book
        self._number = number

    def append(self, row: Sequence[Cell]) -> None:
        self._book.append(self._number, row)


def serve(source: IO[bytes], target: IO[bytes]) -> None:
    """The child's side: a `Book` made of the messages in `source`, its bytes to `target`."""
    book: Book | None = None
    sheets = []
    while True:
        message = pickle.load(source)
        if message[0] == "book":
            book = Book(right_to_left=message[1])
        elif message[0] == "sheet":
            assert book is not None
            sheets.append(book.sheet(message[1], message[2]))
        elif message[0] == "rows":
            for number, row in message[1]:
                sheets[number].append(row)
        else:
            assert book is not None
            content = book.close()
            target.write(len(content).to_bytes(LENGTH_BYTES, "big"))
            target.write(content)
            target.flush()
            return


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
