"""Bulk imports: arXiv metadata snapshot, DBLP XML and the old site's per-user CSV export.

Each import streams its file, stores papers in batches (one transaction per batch, together with
a checkpoint), so an interrupted run resumes where it stopped and a repeated run adds nothing.
Bad records are reported with their line or record number and skipped.
"""
