"""The staff side: what OEC staff use to find and export leads (filters, outcome, exports)."""
