"""/export: every submitted application in the staff member's language, as a workbook with a
sheet each for the applications, cost items, decisions and reports (and two of the questions to
the office), and as one CSV (a row per cost item) for other programs.

Both are made together when the first of their messages is sent (`bot/delivery/carrier.py`,
`making.py`), in one pass over the rows of a transaction that only reads (`queries.py`), put in
the reader's words (`rows.py`) and written (`files.py`) by a process of their own (`process.py`).
This package imports nothing itself: that process starts without the database's modules."""
