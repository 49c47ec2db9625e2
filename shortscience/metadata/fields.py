"""Fields of study from arXiv categories: the archive groups arXiv lists on its front page."""

from __future__ import annotations

from collections.abc import Sequence

# Group key -> label, in the order arXiv's home page lists them.
FIELDS: dict[str, str] = {
    "physics": "Physics",
    "math": "Mathematics",
    "cs": "Computer Science",
    "q-bio": "Quantitative Biology",
    "q-fin": "Quantitative Finance",
    "stat": "Statistics",
    "eess": "Electrical Engineering and Systems Science",
    "econ": "Economics",
}

# Archives that arXiv files under Physics although their names do not say so.
_PHYSICS_ARCHIVES = (
    "astro-ph",
    "cond-mat",
    "gr-qc",
    "hep-",
    "math-ph",
    "nlin",
    "nucl-",
    "physics",
    "quant-ph",
)


def field_of_category(category: str) -> str:
    """'cs.LG' -> 'cs', 'hep-th' -> 'physics', 'math-ph' -> 'physics', unknown -> ''."""
    category = category.strip().lower()
    if not category:
        return ""
    if category.startswith(_PHYSICS_ARCHIVES):
        return "physics"
    archive = category.split(".", 1)[0]
    return archive if archive in FIELDS else ""


def field_of(categories: Sequence[str]) -> str:
    """The field of a paper: that of its first (primary) category that names one."""
    for category in categories:
        field = field_of_category(category)
        if field:
            return field
    return ""
