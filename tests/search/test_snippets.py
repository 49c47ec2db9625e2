"""Snippets come from the text a reader sees, not the Markdown source: formulas as their TeX in
code, citations as the cited paper's title (else the key), markup reduced to its words, matches
marked, everything escaped. The end-to-end cases run on SQLite and PostgreSQL alike."""

import pytest
from django.core.management import call_command

from shortscience import search
from shortscience.models import PaperIdentifier, SearchDocument
from shortscience.search import snippets
from shortscience.services import comments
from tests.factories import make_paper, make_summary, make_user


def snippet_of(markdown, *tokens, titles=None):
    return snippets.snippet(snippets.document_text(markdown), tokens, titles=titles)


def test_a_formula_shows_as_its_tex_in_code_without_dollars():
    html = snippet_of("Adam sets $\\beta_1 = 0.9$ by default.", "adam")
    assert '<code class="tex">\\beta_1 = 0.9</code>' in html
    assert "$" not in html


def test_display_formulas_and_double_dollar_formulas_show_as_tex_too():
    html = snippet_of(
        "The loss is\n\n$$\n\\mathcal{L} = \\sum_i \\ell_i\n$$\n\nand $$x^2$$ inline."
    )
    assert '<code class="tex">\\mathcal{L} = \\sum_i \\ell_i</code>' in html
    assert '<code class="tex">x^2</code>' in html and "$" not in html


def test_a_word_inside_a_formula_is_still_marked_and_the_tex_is_escaped():
    html = snippet_of("Bound: $a < b \\& \\beta > 0$.", "beta")
    assert '<code class="tex">a &lt; b \\&amp; \\<mark>beta</mark> &gt; 0</code>' in html


def test_a_citation_shows_the_cited_title_when_known_else_the_key():
    source = "Builds on \\cite{1706.03762, unknown/key99} closely."
    html = snippet_of(source, "builds", titles={"1706.03762": "Attention Is All You Need"})
    assert '<cite class="cite" title="1706.03762">Attention Is All You Need</cite>' in html
    assert '<cite class="cite">unknown/key99</cite>' in html
    assert "\\cite" not in html and "{" not in html


def test_a_matching_citation_key_stays_visible_beside_the_title():
    html = snippet_of(
        "See \\cite{vaswani2017}.", "vaswani2017", titles={"vaswani2017": "Attention"}
    )
    assert '<cite class="cite" title="vaswani2017">Attention</cite> [<mark>vaswani2017</mark>]' in (
        html
    )


def test_a_long_cited_title_is_shortened_and_escaped():
    title = "<b>Bold</b> " + "word " * 40
    html = snippet_of("Per \\cite{k1}.", "per", titles={"k1": title})
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html and "<b>" not in html
    assert "…</cite>" in html


def test_markdown_links_emphasis_headings_and_images_are_reduced_to_their_text():
    html = snippet_of(
        "# Method\n\nWe **really** use [the code](https://example.org/x) and\n\n"
        "![a diagram](https://example.org/d.png)\n\n> quoted _text_",
        "method",
    )
    assert html == ("<mark>Method</mark> We really use the code and a diagram quoted text"), html


def test_html_in_the_source_is_escaped_and_cannot_add_markup():
    html = snippet_of("A <script>alert(1)</script> & <code class=tex>x</code>", "alert")
    assert "<script>" not in html and "&lt;script&gt;<mark>alert</mark>(1)" in html
    assert "&lt;code class=tex&gt;" in html


def test_a_window_that_starts_inside_a_formula_opens_and_closes_its_code():
    text = snippets.document_text("$" + " ".join(f"x_{n}" for n in range(60)) + "$ then target.")
    html = snippets.snippet(text, ("target",), words=10)
    assert html.startswith('… <code class="tex">') and "</code> then <mark>target</mark>" in html


def test_a_window_never_cuts_a_citation_in_two():
    text = "lead " * 30 + snippets.document_text("\\cite{conf/iccv/Girshick15} after")
    where = snippets.window(text, ("after",), words=4)  # starts at "Girshick15"
    assert where.cited() == ["conf/iccv/Girshick15"]
    assert snippets.render(where).startswith('… <cite class="cite">conf/iccv/Girshick15</cite>')


def test_the_text_cannot_forge_the_markers():
    text = snippets.document_text("x \x0e not math \x0f and \x10 not a cite \x0f")
    assert "\x0e" not in text and "\x10" not in text and "\x0f" not in text


@pytest.mark.django_db
def test_search_finds_formula_words_and_citation_keys_and_shows_titles():
    cited = make_paper("Attention Is All You Need")
    PaperIdentifier.objects.create(paper=cited, scheme="arxiv", value="1706.03762")
    make_summary(markdown="Adam with $\\beta_1$ follows \\cite{1706.03762} and \\cite{nokey1}.")
    for query in ("beta", "1706.03762 adam", "nokey1"):
        results = search.search(query, viewer=None)
        hit = next(h for h in results.hits if h.kind == "summary")
        assert '<code class="tex">\\' in hit.snippet_html, query
        assert '<cite class="cite" title="1706.03762">Attention Is All You Need</cite>' in (
            hit.snippet_html
        )
        assert '<cite class="cite">' in hit.snippet_html  # the unknown key, as itself
        assert "$" not in hit.snippet_html and "\\cite" not in hit.snippet_html


@pytest.mark.django_db
def test_comments_get_text_snippets_too():
    summary = make_summary(markdown="Plain summary.")
    comments.add(make_user(), summary.pk, "Why $\\gamma=2$ in **focal** loss?")
    hit = next(h for h in search.search("focal", viewer=None).hits if h.kind == "comment")
    assert hit.snippet_html == 'Why <code class="tex">\\gamma=2</code> in <mark>focal</mark> loss?'


@pytest.mark.django_db
def test_reindex_rebuilds_the_stored_text_from_the_source():
    summary = make_summary(markdown="Momentum $\\beta_1$ here.")
    SearchDocument.objects.filter(summary_id=summary.pk).update(body="Momentum $\\beta_1$ here.")
    call_command("reindex", "--quiet")
    body = SearchDocument.objects.get(kind="summary", object_id=summary.pk).body
    assert body == "Momentum \x0e\\beta_1\x0f here."
