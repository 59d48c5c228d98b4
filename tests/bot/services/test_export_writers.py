"""The export's writer processes: behind the bot for the cores, and their files still whole."""

from __future__ import annotations

import io
import os
import time
import zipfile

from bot.services.grants.export.files import Layout
from bot.services.grants.export.process import NICENESS, WriterProcesses

LAYOUT = Layout(
    right_to_left=False,
    sheets=tuple((name, ["Reference", "Title"]) for name in ("A", "B", "C", "D")),
    csv_header=["Reference", "Title"],
    item_cells=3,
    report_cells=6,
)


def test_the_writers_yield_the_cores_to_the_bot() -> None:
    """People's replies come first: the writers run at a lower priority than the bot (nice),
    which the bot's own priority does not follow."""
    own = os.getpriority(os.PRIO_PROCESS, 0)
    writers = WriterProcesses(LAYOUT)
    try:
        pids = [process.pid for process in writers._processes]
        deadline = time.monotonic() + 10
        behind = min(own + NICENESS, 19)  # the lowest priority there is
        while [os.getpriority(os.PRIO_PROCESS, pid) for pid in pids] != [behind] * 2:
            assert time.monotonic() < deadline, "the writers kept the bot's priority"
            time.sleep(0.01)
        assert os.getpriority(os.PRIO_PROCESS, 0) == own
        writers.write([(["MP-1", "Sprachcafé", *[None] * 18], [], [], None)])
        workbook, table = writers.close([])
    except BaseException:
        writers.discard()
        raise
    assert zipfile.ZipFile(io.BytesIO(workbook)).testzip() is None
    assert "Sprachcafé" in table.decode("utf-8-sig")
