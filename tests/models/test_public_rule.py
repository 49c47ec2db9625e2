"""The public rule has one owner: `public_q` / `Summary.objects.public()` in models/summaries.py.
A filter that spells it out again (published, public, not hidden) would drift the day the rule
changes, so this test finds any copy in the package."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shortscience.models import Summary
from shortscience.services import moderation
from tests.factories import make_paper, make_summary, make_user

PACKAGE = Path(__file__).resolve().parents[2] / "shortscience"

# A keyword filter on visibility or status (`visibility=...PUBLIC`) is how a copy starts.
COPY = re.compile(
    r"""\b(\w+__)?visibility=(Summary\.Visibility\.PUBLIC|["']public["'])"""
    r"""|\b(\w+__)?status=(Summary\.Status\.PUBLISHED|["']published["'])"""
)

# Places that state those fields for another reason, each with it.
ALLOWED = {
    # The rule itself.
    "models/summaries.py",
    # Creating rows from a public dump, whose summaries are public by definition.
    "services/dumps/loading.py",
    # A deleted account keeps what it ever published openly, hidden or not (a moderator's
    # decision stays on record): another rule than "may be shown".
    "services/accounts.py",
}


def test_no_module_spells_out_the_public_rule_again():
    copies = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("migrations/") or relative in ALLOWED:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if COPY.search(line):
                copies.append(f"{relative}:{number}: {line.strip()}")
    assert copies == [], "use Summary.objects.public() or public_q():\n" + "\n".join(copies)


@pytest.mark.django_db
def test_public_is_published_public_and_not_hidden_and_visible_to_adds_ones_own():
    writer, moderator = make_user(), make_user(is_staff=True)
    shown = make_summary(writer, make_paper())
    draft = make_summary(writer, make_paper(), publish=False)
    private = make_summary(writer, make_paper(), private=True)
    hidden = make_summary(make_user(), make_paper())
    moderation.act(moderator, "hide", "summary", hidden.pk, "spam")
    assert set(Summary.objects.public()) == {shown}
    assert set(Summary.objects.visible_to(writer)) == {shown, draft, private}
    assert set(Summary.objects.visible_to(None)) == {shown}
