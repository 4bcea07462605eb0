# The statement table is the largest in the system: on PostgreSQL the index is built
# CONCURRENTLY, so that the LRS keeps accepting statements while it is built.

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class AddIndexConcurrentlyOnPostgres(AddIndexConcurrently):
    """CREATE INDEX CONCURRENTLY on PostgreSQL; a plain CREATE INDEX elsewhere (SQLite)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("records", "0003_partial_indexes"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="statement",
            index=models.Index(
                condition=models.Q(("actor_home_page", ""), _negated=True),
                fields=["actor_home_page", "id"],
                name="records_stmt_page_id",
            ),
        ),
    ]
