"""Reaching people: information for newcomers (/info), announcements (/broadcast) and needs
surveys (/survey)."""
