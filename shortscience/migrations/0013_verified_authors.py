"""Verified authors: ORCID iDs listed by paper metadata, author claims, errata; claim decisions
in the moderation log."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shortscience", "0012_orcid_verified"),
    ]

    operations = [
        migrations.AlterField(
            model_name="moderationaction",
            name="action",
            field=models.CharField(
                choices=[
                    ("hide", "Hid"),
                    ("restore", "Restored"),
                    ("keep", "Reviewed and kept"),
                    ("lock", "Locked comments on"),
                    ("unlock", "Unlocked comments on"),
                    ("merge", "Merged"),
                    ("suspend", "Suspended"),
                    ("ban", "Banned"),
                    ("unban", "Reinstated"),
                    ("approve", "Approved"),
                    ("decline", "Declined"),
                ],
                max_length=10,
            ),
        ),
        migrations.CreateModel(
            name="Erratum",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("confirmed", "Confirmed"),
                            ("fixed", "Fixed"),
                            ("disputed", "Disputed"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "note",
                    models.CharField(blank=True, help_text="e.g. fixed in v2", max_length=200),
                ),
                ("marked_at", models.DateTimeField()),
                (
                    "comment",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="erratum",
                        to="shortscience.comment",
                    ),
                ),
                (
                    "marked_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "errata",
            },
        ),
        migrations.CreateModel(
            name="AuthorClaim",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "orcid",
                    models.CharField(help_text="The verified iD they claimed with", max_length=19),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting for a moderator"),
                            ("approved", "Verified"),
                            ("rejected", "Declined"),
                        ],
                        default="pending",
                        max_length=10,
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("metadata", "The paper's metadata lists their ORCID iD"),
                            ("moderator", "A moderator approved the claim"),
                        ],
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "paper",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="author_claims",
                        to="shortscience.paper",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="author_claims",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "pk"],
                "indexes": [
                    models.Index(fields=["user", "status"], name="author_claim_by_user"),
                    models.Index(
                        condition=models.Q(("status", "pending")),
                        fields=["created_at"],
                        name="author_claim_pending",
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("paper", "user"), name="one_author_claim_per_paper"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="AuthorOrcid",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("orcid", models.CharField(help_text="0000-0002-1825-0097", max_length=19)),
                (
                    "name",
                    models.CharField(blank=True, help_text="The author as listed", max_length=300),
                ),
                (
                    "paper",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="author_orcids",
                        to="shortscience.paper",
                    ),
                ),
            ],
            options={
                "ordering": ["paper", "pk"],
                "indexes": [models.Index(fields=["orcid"], name="author_orcid_by_id")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("paper", "orcid"), name="author_orcid_once_per_paper"
                    )
                ],
            },
        ),
    ]
