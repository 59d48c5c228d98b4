"""Scheduled jobs: idempotent scans of the database that write outbox rows or tidy up."""
