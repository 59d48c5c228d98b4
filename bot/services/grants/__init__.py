"""The grant rules: applications against the round's cap and pot, decisions, reports and their
deadlines, funding rounds, and the figures and spreadsheet of the programme."""
