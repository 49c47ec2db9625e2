"""Seeded text for the page benchmark: paper titles, author names, abstracts, summaries, comments.

Summaries look like the old site's: 1-4 KB of Markdown with headings, prose, a list, now and
then a table, about ten formulas (inline `$..$` and display `$$..$$`) and an occasional
`\\cite{...}` of another paper. Every function takes the caller's `random.Random`, so one seed
gives the same corpus on every machine.
"""

from __future__ import annotations

import random

TOPICS = (
    "variational inference", "contrastive learning", "graph neural networks", "attention",
    "reinforcement learning", "diffusion models", "meta-learning", "adversarial robustness",
    "normalizing flows", "language models", "object detection", "Bayesian optimization",
    "federated learning", "knowledge distillation", "neural architecture search",
    "self-supervised learning", "causal inference", "gaussian processes", "speech recognition",
    "semantic segmentation", "sparse coding", "optimal transport", "policy gradients",
)  # fmt: skip
NOUNS = (
    "model", "encoder", "decoder", "objective", "baseline", "benchmark", "dataset", "estimator",
    "gradient", "posterior", "prior", "representation", "embedding", "classifier", "regulariser",
    "kernel", "policy", "critic", "sampler", "bound", "loss", "architecture", "layer", "head",
)  # fmt: skip
VERBS = (
    "improves", "replaces", "bounds", "approximates", "generalises", "outperforms", "reduces",
    "regularises", "stabilises", "reweights", "decomposes", "extends", "simplifies", "matches",
)  # fmt: skip
ADJECTIVES = (
    "simple", "scalable", "robust", "efficient", "hierarchical", "sparse", "deep", "stochastic",
    "amortised", "unbiased", "conditional", "latent", "implicit", "discrete", "continuous",
)  # fmt: skip
FIRST_NAMES = (
    "Alice", "Bo", "Carlos", "Dana", "Elif", "Fei", "Gustav", "Hana", "Ivan", "Jia", "Kofi",
    "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quentin", "Rosa", "Sven", "Tara", "Ugo",
    "Vera", "Wei", "Ximena", "Yusuf", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Anderson", "Bianchi", "Chen", "Dubois", "Eriksson", "Fischer", "Garcia", "Hoffmann",
    "Ito", "Jansen", "Kim", "Larsen", "Martin", "Nakamura", "Okafor", "Petrov", "Quinn",
    "Rossi", "Schmidt", "Tanaka", "Ueda", "Volkov", "Wang", "Xu", "Yilmaz", "Zhang",
)  # fmt: skip
SECTIONS = ("Idea", "Method", "Results", "Why it matters", "Limitations", "Details", "Setup")
GREEK = ("\\alpha", "\\beta", "\\gamma", "\\lambda", "\\theta", "\\phi", "\\mu", "\\sigma")
LETTERS = ("x", "y", "z", "h", "w", "v", "u", "q", "k", "s")

INLINE = (
    "${g} = 0.{n}$",
    "$O(n^{{{n}}} \\log n)$",
    "${l}_{{t+1}} = {l}_t - \\eta \\nabla f({l}_t)$",
    "${l} \\in \\mathbb{{R}}^{{{n}}}$",
    "$p({l} \\mid {g})$",
    "$\\|{l} - \\hat{{{l}}}\\|_2^2$",
    "$\\mathbb{{E}}_{{{l} \\sim q}}[\\log p({l})]$",
    "${g} \\to 0$",
    "$k = {n}$",
    "$\\mathcal{{L}}_{{\\text{{{w}}}}}$",
    "$\\sigma({l}^\\top w + b)$",
    "$\\frac{{{n}}}{{{l}}}$",
)
DISPLAY = (
    "$$\\mathcal{{L}}({g}) = \\mathbb{{E}}_{{q({l})}}\\left[\\log p(x \\mid {l})\\right]"
    " - \\mathrm{{KL}}\\left(q({l}) \\,\\|\\, p({l})\\right)$$",
    "$$\\mathrm{{softmax}}({l})_i = \\frac{{e^{{{l}_i}}}}{{\\sum_{{j=1}}^{{{n}}} e^{{{l}_j}}}}$$",
    "$${l}^\\star = \\arg\\min_{{{l}}} \\sum_{{i=1}}^{{N}} \\ell(f_{g}(x_i), y_i)"
    " + {g} \\|{l}\\|_2^2$$",
    "$$\\nabla_{g} J = \\mathbb{{E}}_{{\\pi}}\\left[\\sum_{{t=0}}^{{T}}"
    " \\nabla_{g} \\log \\pi({l}_t \\mid s_t) A_t\\right]$$",
    "$$p({l}) = \\int p({l} \\mid z) p(z) \\, dz \\approx \\frac{{1}}{{{n}}}"
    " \\sum_{{k=1}}^{{{n}}} p({l} \\mid z_k)$$",
    "$$\\begin{{aligned}} h_t &= \\tanh(W {l}_t + U h_{{t-1}}) \\\\"
    " y_t &= \\mathrm{{softmax}}(V h_t) \\end{{aligned}}$$",
)


def _words(rng: random.Random, n: int) -> str:
    pool = (*NOUNS, *ADJECTIVES)
    return " ".join(rng.choice(pool) for _ in range(n))


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def title(rng: random.Random) -> str:
    topic = rng.choice(TOPICS)
    forms = (
        f"{rng.choice(ADJECTIVES).title()} {topic.title()} with {rng.choice(NOUNS).title()}s",
        f"On the {rng.choice(NOUNS).title()} of {rng.choice(ADJECTIVES).title()} {topic.title()}",
        f"{topic.title()}: A {rng.choice(ADJECTIVES).title()} {rng.choice(NOUNS).title()}",
        f"Towards {rng.choice(ADJECTIVES).title()} {topic.title()}",
    )
    return rng.choice(forms)


def sentence(rng: random.Random) -> str:
    forms = (
        f"The {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {rng.choice(VERBS)} the "
        f"{rng.choice(NOUNS)} of prior work on {rng.choice(TOPICS)}.",
        f"In practice the {rng.choice(NOUNS)} {rng.choice(VERBS)} a {rng.choice(ADJECTIVES)} "
        f"{rng.choice(NOUNS)}, which is why the experiments use {_words(rng, 2)} settings.",
        f"Compared with {rng.choice(TOPICS)}, this {rng.choice(VERBS)} training cost by "
        f"{rng.randint(2, 60)}% on {rng.randint(3, 12)} benchmarks.",
        f"A {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} is enough; the authors argue the "
        f"{rng.choice(NOUNS)} matters less than the {rng.choice(NOUNS)}.",
    )
    return rng.choice(forms)


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def abstract(rng: random.Random) -> str:
    return paragraph(rng, rng.randint(3, 6))


def _formula(rng: random.Random, templates: tuple[str, ...]) -> str:
    return rng.choice(templates).format(
        g=rng.choice(GREEK), l=rng.choice(LETTERS), n=rng.randint(2, 64), w=rng.choice(NOUNS)
    )


def _with_inline(rng: random.Random, text: str, count: int) -> str:
    words = text.split(" ")
    for _ in range(count):
        words.insert(rng.randrange(1, len(words)), f"with {_formula(rng, INLINE)}")
    return " ".join(words)


def _table(rng: random.Random) -> str:
    rows = ["| Method | Accuracy | Cost |", "|---|---|---|"]
    for _ in range(rng.randint(2, 4)):
        rows.append(
            f"| {rng.choice(ADJECTIVES).title()} {rng.choice(NOUNS)} | "
            f"{rng.uniform(60, 99):.1f} | ${_formula(rng, INLINE).strip('$')}$ |"
        )
    return "\n".join(rows)


def summary(rng: random.Random, cite_keys: list[str]) -> str:
    """A summary of 1-4 KB with about ten formulas; cites one of `cite_keys` now and then."""
    target = rng.randint(900, 3400)
    formulas = rng.randint(8, 12)
    displays = rng.randint(1, 3)
    blocks = [f"**{title(rng)}** in one line: {sentence(rng)}"]
    inline_left = formulas - displays
    section = 0
    while sum(len(b) for b in blocks) < target or inline_left > 0 or displays > 0:
        section += 1
        blocks.append(f"## {SECTIONS[section % len(SECTIONS)]}")
        take = min(inline_left, rng.randint(1, 3))
        inline_left -= take
        blocks.append(_with_inline(rng, paragraph(rng, rng.randint(2, 4)), take))
        if displays > 0:
            displays -= 1
            blocks.append(_formula(rng, DISPLAY))
        if section % 3 == 1:
            blocks.append("\n".join(f"- {sentence(rng)}" for _ in range(rng.randint(2, 4))))
        if rng.random() < 0.08:
            blocks.append(_table(rng))
        if cite_keys and rng.random() < 0.1:
            blocks.append(f"This builds on \\cite{{{rng.choice(cite_keys)}}}.")
        if section > 40:  # a safety net: the loop always ends even for odd targets
            break
    return "\n\n".join(blocks)


def comment(rng: random.Random) -> str:
    text = paragraph(rng, rng.randint(1, 3))
    if rng.random() < 0.3:
        text = _with_inline(rng, text, 1)
    return text
