"""The data model: users, papers and their identifiers, venues, summaries, revisions, votes,
comments and uploaded images. Models hold data and constraints only; behaviour lives in services."""

from shortscience.models.comments import Comment
from shortscience.models.metadata import ImportCheckpoint, RawResponse
from shortscience.models.papers import Paper, PaperIdentifier, Venue
from shortscience.models.summaries import Revision, Summary, SummaryImage
from shortscience.models.users import User
from shortscience.models.votes import Vote

__all__ = [
    "Comment",
    "ImportCheckpoint",
    "Paper",
    "PaperIdentifier",
    "RawResponse",
    "Revision",
    "Summary",
    "SummaryImage",
    "User",
    "Venue",
    "Vote",
]
