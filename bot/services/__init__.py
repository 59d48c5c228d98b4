"""Domain rules on SQLAlchemy sessions. A service never commits; the turn or job calling it does."""
