"""Reaching people: information topics and their search, announcements and surveys, who an
audience names, and the messages to people other than the one in the turn."""
