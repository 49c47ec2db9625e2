"""Bare image URLs are shown as images anywhere in a paragraph, as the old site showed them,
with the same URL rules as links."""

from __future__ import annotations

import pytest

from shortscience.rendering import render_markdown

from .html_checks import assert_safe_html

REL = 'rel="nofollow ugc noopener"'

# (source, the HTML the old site's reader saw as figures)
IMAGES = [
    (
        "As shown in https://i.imgur.com/Fig1.png the loss falls.",
        '<p>As shown in <img src="https://i.imgur.com/Fig1.png" alt="Fig1.png"> '
        "the loss falls.</p>\n",
    ),
    (
        "Figure: http://example.org/a/b/plot.jpeg",
        '<p>Figure: <img src="http://example.org/a/b/plot.jpeg" alt="plot.jpeg"></p>\n',
    ),
    (
        "(see https://github.com/u/r/blob/master/arch.PNG?raw=true).",
        '<p>(see <img src="https://github.com/u/r/blob/master/arch.PNG?raw=true" '
        'alt="arch.PNG">).</p>\n',
    ),
    (
        "two https://e.org/a.gif and https://e.org/b.webp, then https://e.org/c.svg#x",
        '<p>two <img src="https://e.org/a.gif" alt="a.gif"> and '
        '<img src="https://e.org/b.webp" alt="b.webp">, then '
        '<img src="https://e.org/c.svg#x" alt="c.svg"></p>\n',
    ),
    (
        "https://e.org/my%20figure.jpg",
        '<p><img src="https://e.org/my%20figure.jpg" alt="my figure.jpg"></p>\n',
    ),
    (
        "a line\nhttps://e.org/fig.png\nnext line",
        '<p>a line\n<img src="https://e.org/fig.png" alt="fig.png">\nnext line</p>\n',
    ),
    (
        "* item https://e.org/fig.png",
        '<ul>\n<li>item <img src="https://e.org/fig.png" alt="fig.png"></li>\n</ul>\n',
    ),
]

# Not images: links, text, or code, as before.
NOT_IMAGES = [
    ("see https://e.org/fig.png.html", f'<p>see <a href="https://e.org/fig.png.html" {REL}>'),
    ("see https://e.org/png", f'<p>see <a href="https://e.org/png" {REL}>'),
    ("[https://e.org/a.png](https://e.org/page)", f'<p><a href="https://e.org/page" {REL}>'),
    ("[the figure](https://e.org/a.png)", f'<p><a href="https://e.org/a.png" {REL}>the'),
    ("`https://e.org/a.png`", "<p><code>https://e.org/a.png</code></p>"),
    ("ftp://e.org/a.png and javascript://e.org/a.png", "<p>ftp://e.org/a.png and javascript:"),
    ("www.e.org/a.png", f'<p><a href="https://www.e.org/a.png" {REL}>'),
    ("$https://e.org/a.png$", "<p><math>"),
]


@pytest.mark.parametrize(("source", "html"), IMAGES, ids=[s for s, _ in IMAGES])
def test_a_bare_image_url_is_shown_as_the_image(source: str, html: str) -> None:
    rendered = render_markdown(source).html
    assert rendered == html
    assert_safe_html(rendered)


@pytest.mark.parametrize(("source", "start"), NOT_IMAGES, ids=[s for s, _ in NOT_IMAGES])
def test_other_urls_stay_links_or_text(source: str, start: str) -> None:
    rendered = render_markdown(source).html
    assert rendered.startswith(start), rendered
    assert "<img" not in rendered


def test_an_image_url_with_quotes_or_markup_cannot_leave_its_attribute() -> None:
    rendered = render_markdown('https://e.org/a.png?x="onerror=alert(1)&y=<b>').html
    assert_safe_html(rendered)
    assert rendered == (
        '<p><img src="https://e.org/a.png?x=" alt="a.png">"onerror=alert(1)&amp;y=&lt;b&gt;</p>\n'
    )
