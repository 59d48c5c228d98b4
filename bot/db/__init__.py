"""Storage: models, the async engine and sessions, migrations."""
