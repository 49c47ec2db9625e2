"""The data model: users, papers and their identifiers, venues, summaries, revisions, votes,
comments, arXiv categories of papers, verified authors and errata, uploaded images, follows,
notifications and similarity links.
Models hold data and constraints only; behaviour lives in services."""

from shortscience.models.authors import AuthorClaim, AuthorOrcid, Erratum
from shortscience.models.categories import PaperCategory
from shortscience.models.comments import Comment
from shortscience.models.follows import Block, Follow, Notification
from shortscience.models.library import ReadingList, SavedPaper
from shortscience.models.metadata import ImportCheckpoint, RawResponse
from shortscience.models.moderation import Flag, ModerationAction, ModerationMark
from shortscience.models.pageviews import SummaryViewDay
from shortscience.models.papers import Paper, PaperIdentifier, PaperRedirect, Venue
from shortscience.models.search import SearchDocument
from shortscience.models.similar import SimilarPaper, SimilarSummary
from shortscience.models.summaries import Revision, Summary, SummaryImage
from shortscience.models.tokens import ApiToken
from shortscience.models.users import User
from shortscience.models.votes import Vote
from shortscience.models.wanted import SummaryRequest, WantedCount

__all__ = [
    "ApiToken",
    "AuthorClaim",
    "AuthorOrcid",
    "Block",
    "Comment",
    "Erratum",
    "Flag",
    "Follow",
    "ImportCheckpoint",
    "ModerationAction",
    "ModerationMark",
    "Notification",
    "Paper",
    "PaperCategory",
    "PaperIdentifier",
    "PaperRedirect",
    "RawResponse",
    "ReadingList",
    "Revision",
    "SavedPaper",
    "SearchDocument",
    "SimilarPaper",
    "SimilarSummary",
    "Summary",
    "SummaryImage",
    "SummaryRequest",
    "SummaryViewDay",
    "User",
    "Venue",
    "Vote",
    "WantedCount",
]
