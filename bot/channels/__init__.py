"""Channels: thin adapters that turn a platform's events into ``Incoming`` and render replies."""
