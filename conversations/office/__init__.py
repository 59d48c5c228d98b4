"""The office desk: a question the library cannot answer reaches staff, and the answer comes
back in the chat (/ask, /questions)."""
