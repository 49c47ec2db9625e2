"""Notification mail is claimed before it is sent, so it is mailed once (notification_emails)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shortscience", "0008_similar_incremental"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="email_claimed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
