"""Transports: each turns its updates into `Inbound` and sends `Reply` its own way."""
