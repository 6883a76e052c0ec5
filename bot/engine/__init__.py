"""The flow engine: conversation content comes from YAML flows, this package runs it.

It knows no channel and does no I/O: it takes a state and what the user did, and returns the new
state, what to say and what happened (events). Telegram, the terminal and storage live elsewhere.
"""
