"""Full-text search over papers, summaries and comments, on SQLite (FTS5) or PostgreSQL
(tsvector): the only package that knows the two differ (docs/search.md).

    search(query, viewer=..., sort=..., page=..., per_page=...) -> Results
    index_papers / index_summaries / index_comments / index_users (ids)
    remove_paper / remove_summary / remove_comment (id), refresh_scores (ids), rebuild(progress)

Services call the indexing functions through services/events.py; views and feeds call search().
"""

from shortscience.search.engine import MAX_PAGE, SORTS, Hit, Results, find_paper_url, search
from shortscience.search.indexing import (
    index_comments,
    index_papers,
    index_summaries,
    index_users,
    rebuild,
    refresh_scores,
    remove_comment,
    remove_paper,
    remove_summary,
)
from shortscience.search.query import ParsedQuery, Term, parse

__all__ = [
    "MAX_PAGE",
    "SORTS",
    "Hit",
    "ParsedQuery",
    "Results",
    "Term",
    "find_paper_url",
    "index_comments",
    "index_papers",
    "index_summaries",
    "index_users",
    "parse",
    "rebuild",
    "refresh_scores",
    "remove_comment",
    "remove_paper",
    "remove_summary",
    "search",
]
