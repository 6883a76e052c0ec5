"""The OEC staff web app: aiohttp, server-rendered with aiohttp-jinja2, no JavaScript needed.

``app.create_app`` builds it; ``routes.ROUTES`` is the one table of URLs and the minimum role
of each; ``auth`` holds sessions, CSRF, sign-in throttling and the role guard; page handlers
live in small modules (``signin``, ``leads``, ``lead``, ``admin``, ``audit``, ``account``).
"""
