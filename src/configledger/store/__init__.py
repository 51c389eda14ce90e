"""The store: SQLAlchemy Core tables, SQLite by default and PostgreSQL for scale."""
