"""The OEC staff side: accounts and roles, the follow-up pipeline, masking, lead filters and
the eligibility outcome, exports, the web app (``bot.staff.web``) and the ``ssw-bot staff``
commands."""
