"""Django's PostgreSQL backend with a health check that costs no round trip when the connection is quiet
(`base.DatabaseWrapper`)."""
