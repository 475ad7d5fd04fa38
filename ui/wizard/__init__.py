"""The first-run wizard: where the data lives, the checks, applying migrations."""
