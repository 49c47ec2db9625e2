"""Paper identity and metadata from outside sources, pure: no ORM, no request.

`identifiers` parses and normalises every name a paper goes by; one module per source (arxiv,
crossref, dblp, openreview, semanticscholar, bibtex) turns raw responses into PaperMetadata;
`http` is the one shared outbound client. Services inject the fetch function and the cache, so
tests run offline against recorded responses under tests/data/metadata/.
"""
