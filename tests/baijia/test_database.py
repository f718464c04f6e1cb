"""The database connection as the settings make it."""

from django.db import connection

import pytest


@pytest.mark.postgresql
@pytest.mark.django_db
def test_postgresql_prepares_a_statement_a_connection_runs_often():
    """Parsing and planning were half of PostgreSQL's work per enrolment: from its sixth run on a
    connection a statement is prepared, and the server only binds and runs it."""
    query = "SELECT id FROM school_cohort WHERE code = %s"
    with connection.cursor() as cursor:
        for code in ["A", "B", "C", "D", "E", "F"]:
            cursor.execute(query, [code])
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        prepared = [statement for (statement,) in cursor.fetchall()]

    assert "SELECT id FROM school_cohort WHERE code = $1" in prepared
