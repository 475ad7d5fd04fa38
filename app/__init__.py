"""Tessera: a desktop client for the users, tokens and events of a scheduling service."""

__version__ = "0.1.0"
