"""Storage: SQLAlchemy models, the database connection, migrations and the repository API."""
