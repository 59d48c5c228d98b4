"""Transport-free conversations: flows see `Inbound` and answer with `Reply`."""
