"""Meetings in the database: planning and changes, invitations and RSVPs with capacity and the
waiting list, attendance, and the calendar files."""
