"""services/markup.py: citations labelled by title, one document at a time or many at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shortscience.models import PaperIdentifier
from shortscience.services import markup
from tests.factories import make_paper

pytestmark = pytest.mark.django_db


def cite(title: str, key: str) -> None:
    PaperIdentifier.objects.create(paper=make_paper(title), scheme="legacy", value=key)


def test_rendering_many_texts_at_once_gives_what_rendering_each_gives():
    cite("Fast R-CNN", "conf/iccv/Girshick15")
    cite("Attention is all you need", "conf/nips/VaswaniSPUJGKP17")
    texts = [
        "Builds on \\cite{conf/iccv/Girshick15} with $x^2$.",
        "",
        "No citation, a broken formula $\\frac{1}{$ and $y$.",
        "Both \\cite{conf/nips/VaswaniSPUJGKP17,conf/iccv/Girshick15} and \\cite{unknown/key}.",
    ] * 30
    one_by_one = [markup.render(text, heading_offset=3) for text in texts]
    assert list(markup.render_many(texts, heading_offset=3)) == one_by_one
    assert ">Fast R-CNN</a>" in one_by_one[0].html


def test_many_texts_look_their_citations_up_once_per_batch():
    cite("Fast R-CNN", "conf/iccv/Girshick15")
    texts = ["See \\cite{conf/iccv/Girshick15}."] * 50 + ["See \\cite{conf/iccv/Girshick15}."]
    with CaptureQueriesContext(connection) as queries:
        rendered = list(markup.render_many(texts))
    assert len(queries) == 4  # identifiers + titles, for each batch of 50
    assert all(">Fast R-CNN</a>" in r.html for r in rendered)
