"""The public open-data dump (`manage.py dump_public`) and loading one back (`load_dump`).

A dump is a directory of JSON Lines files (venues, users, papers, summaries, comments, votes),
sorted by id (users by username), keys in a fixed order, no dump time inside them; beside
them LICENSE.txt and manifest.json (format version, licence, time, per-file counts, SHA-256).

It holds what any visitor can see and nothing else: summaries through `public_q()` (anonymous
ones with author null), their shown comments (a deleted or hidden comment that has shown
replies appears as a tombstone without author or text, so replies keep their thread), the
people named on them (username, display name, description, ORCID; never an e-mail), and vote
counts per summary, never who voted. Placeholder accounts (services.accounts) are author null.
Papers carry the ORCID iDs their metadata lists and their verified authors (approved claims
only; pending and declined ones are not public), comments the erratum an author marked.

Loading goes into an empty database in one transaction and restores ids; HTML is stored, so
nothing is rendered, but rows rendered by another renderer version are counted so the
operator knows to run `manage.py rerender`. What a dump leaves out is filled with inactive
placeholders: anonymous summaries get one author per slot on a paper, author-less comments a
"[deleted]" account, and vote counts become rows from placeholder voters so that every score
still equals the sum of its vote rows. Dump, load, dump again gives byte-identical files.
"""

from shortscience.services.dumps.format import FILES, FORMAT, FORMAT_VERSION, DumpError
from shortscience.services.dumps.loading import LoadReport, load
from shortscience.services.dumps.writing import write

__all__ = ["FILES", "FORMAT", "FORMAT_VERSION", "DumpError", "LoadReport", "load", "write"]
