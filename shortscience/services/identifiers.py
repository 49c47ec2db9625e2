"""Finding a paper by one of its names: arXiv id, DOI, DBLP key or old ShortScience.org key.

The full identifier grammar (URLs, versions, old-style arXiv ids) belongs to the metadata
package of a later issue; this module owns the lookup every caller shares.
"""

from __future__ import annotations

from shortscience.models import Paper, PaperIdentifier


def candidates(key: str) -> list[str]:
    """Stored forms a key may take: as given, lower-cased (DOIs), and the arXiv id inside
    an old `journals/corr/<arXiv id>` key."""
    key = key.strip()
    forms = [key, key.lower()]
    if key.lower().startswith("journals/corr/"):
        forms.append(key.split("/", 2)[2])
    return forms


def find_paper(key: str) -> Paper | None:
    ident = (
        PaperIdentifier.objects.select_related("paper")
        .filter(value__in=candidates(key))
        .order_by("scheme")
        .first()
    )
    return ident.paper if ident else None


def find_papers(keys: list[str]) -> dict[str, int]:
    """Paper ids for many keys at once (one query); keys that name no paper are left out."""
    wanted = {key: candidates(key) for key in keys}
    values = {value for forms in wanted.values() for value in forms}
    owner: dict[str, int] = {}
    rows = PaperIdentifier.objects.filter(value__in=values).order_by("-scheme")
    for value, paper_id in rows.values_list("value", "paper_id"):
        owner[value] = paper_id
    found = {}
    for key, forms in wanted.items():
        match = next((owner[form] for form in forms if form in owner), None)
        if match is not None:
            found[key] = match
    return found
