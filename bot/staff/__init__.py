"""The OEC staff side: accounts and roles, the follow-up pipeline, masking, the web app
(``bot.staff.web``) and the ``ssw-bot staff`` commands."""
