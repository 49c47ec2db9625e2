"""The data model: users, papers and their identifiers, venues, summaries, revisions, votes,
comments, uploaded images, follows, notifications and similarity links.
Models hold data and constraints only; behaviour lives in services."""

from shortscience.models.comments import Comment
from shortscience.models.follows import Follow, Notification
from shortscience.models.metadata import ImportCheckpoint, RawResponse
from shortscience.models.moderation import Flag, ModerationAction
from shortscience.models.papers import Paper, PaperIdentifier, Venue
from shortscience.models.search import SearchDocument
from shortscience.models.similar import SimilarPaper, SimilarSummary
from shortscience.models.summaries import Revision, Summary, SummaryImage
from shortscience.models.tokens import ApiToken
from shortscience.models.users import User
from shortscience.models.votes import Vote

__all__ = [
    "ApiToken",
    "Comment",
    "Flag",
    "Follow",
    "ImportCheckpoint",
    "ModerationAction",
    "Notification",
    "Paper",
    "PaperIdentifier",
    "RawResponse",
    "Revision",
    "SearchDocument",
    "SimilarPaper",
    "SimilarSummary",
    "Summary",
    "SummaryImage",
    "User",
    "Venue",
    "Vote",
]
