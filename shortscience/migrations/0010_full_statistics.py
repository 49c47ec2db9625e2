"""Planner statistics again, unsampled on SQLite (services/maintenance.analyse explains why)."""

from django.db import migrations


def analyse(apps, schema_editor):
    # Inlined, like 0008: migrations must not change when the service does.
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = ["PRAGMA analysis_limit=0", "ANALYZE"]
    elif vendor == "postgresql":
        statements = ["ANALYZE"]
    else:
        statements = []
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("shortscience", "0009_notification_mail_state")]
    operations = [migrations.RunPython(analyse, migrations.RunPython.noop, elidable=True)]
