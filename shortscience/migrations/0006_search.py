"""The search index: SearchDocument rows, plus FTS5 (SQLite) or a tsvector + GIN (PostgreSQL)."""

from django.db import migrations, models


# The full-text part of the index, per database (shortscience.search owns how it is queried).
TABLE = "shortscience_searchdocument"
FTS_COLUMNS = "title, authors, identifiers, people, body"
SQLITE_UP = [
    f"""CREATE VIRTUAL TABLE search_fts USING fts5({FTS_COLUMNS}, content='{TABLE}',
        content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER search_fts_insert AFTER INSERT ON {TABLE} BEGIN
        INSERT INTO search_fts(rowid, {FTS_COLUMNS})
        VALUES (new.id, new.title, new.authors, new.identifiers, new.people, new.body); END""",
    f"""CREATE TRIGGER search_fts_delete AFTER DELETE ON {TABLE} BEGIN
        INSERT INTO search_fts(search_fts, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.id, old.title, old.authors, old.identifiers, old.people, old.body);
        END""",
    f"""CREATE TRIGGER search_fts_update AFTER UPDATE OF {FTS_COLUMNS} ON {TABLE} BEGIN
        INSERT INTO search_fts(search_fts, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.id, old.title, old.authors, old.identifiers, old.people, old.body);
        INSERT INTO search_fts(rowid, {FTS_COLUMNS})
        VALUES (new.id, new.title, new.authors, new.identifiers, new.people, new.body); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TABLE IF EXISTS search_fts",
]


def _vector(column: str, weight: str) -> str:
    # translate(): PostgreSQL's parser keeps r-cnn, 1706.03762 and a/b as compound tokens and
    # drops anything between < and > as an HTML tag (x < y ... z > w in a formula); FTS5 and our
    # query parser split and keep them, so the index does too.
    return f"setweight(to_tsvector('english', translate({column}, '-./_:@+<>&', '          ')), '{weight}')"


POSTGRES_UP = [
    f"""ALTER TABLE {TABLE} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        {_vector('title', 'A')} || {_vector('authors', 'B')} || {_vector('identifiers', 'B')}
        || {_vector('body', 'C')} || {_vector('people', 'D')}) STORED""",
    f"CREATE INDEX search_vector_gin ON {TABLE} USING gin (search_vector)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS search_vector_gin",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('shortscience', '0005_follows_notifications_rankings'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('paper', 'Paper'), ('summary', 'Summary'), ('comment', 'Comment')], max_length=10)),
                ('object_id', models.BigIntegerField()),
                ('paper_id', models.BigIntegerField(db_index=True)),
                ('summary_id', models.BigIntegerField(blank=True, db_index=True, null=True)),
                ('comment_id', models.BigIntegerField(blank=True, null=True)),
                ('user_id', models.BigIntegerField(blank=True, db_index=True, null=True)),
                ('title', models.TextField(blank=True)),
                ('authors', models.TextField(blank=True, help_text="The paper's authors")),
                ('identifiers', models.TextField(blank=True, help_text='arXiv id, DOI ... as plain words')),
                ('people', models.TextField(blank=True, help_text="Writer's name; empty when anonymous")),
                ('body', models.TextField(blank=True, help_text='Abstract, summary or comment source')),
                ('venue', models.CharField(blank=True, help_text='Lower-cased venue key', max_length=100)),
                ('year', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('author_username', models.CharField(blank=True, help_text='Lower-cased; empty when anonymous', max_length=150)),
                ('is_public', models.BooleanField(default=True)),
                ('owner_id', models.BigIntegerField(blank=True, help_text='Author of a private or draft summary: only they find it', null=True)),
                ('score', models.IntegerField(default=0)),
                ('date', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'indexes': [models.Index(fields=['venue', 'year'], name='search_venue_year'), models.Index(fields=['year'], name='search_year'), models.Index(fields=['author_username'], name='search_username'), models.Index(fields=['is_public', 'date'], name='search_public_date')],
                'constraints': [models.UniqueConstraint(fields=('kind', 'object_id'), name='search_one_row_per_object')],
            },
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
