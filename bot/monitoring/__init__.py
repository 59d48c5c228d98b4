"""Watching the bot run: `/healthz` and `/metrics` over HTTP, and alerts to administrators."""
