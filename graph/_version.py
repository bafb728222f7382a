"""paradiplo's version (also part of a persistent store's fingerprint)."""

__version__ = "0.1.0"
