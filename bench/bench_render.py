"""Benchmark render_markdown on realistic, math-heavy summaries.

Run from the repository root:

    .venv/bin/python bench/bench_render.py [--iterations N]

Prints, per document, the mean wall-clock milliseconds per render and the formulas
typeset per second (every formula occurrence counts, even though identical formulas
in one document are sent to KaTeX once), plus the one-off cost of starting V8 and
loading KaTeX.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shortscience.rendering import render_markdown
from shortscience.rendering.katex import reset_engine
from shortscience.rendering.math_syntax import collect_math
from shortscience.rendering.pipeline import build_parser

TRANSFORMER = r"""
# Attention Is All You Need

The Transformer replaces recurrence with attention \cite{conf/nips/VaswaniSPUJGKP17}.
Given queries $Q \in \mathbb{R}^{n \times d_k}$, keys $K$ and values $V$:

$$\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right) V$$

Multi-head attention concatenates $h$ heads, $\mathrm{head}_i = \mathrm{Attention}(QW_i^Q,
KW_i^K, VW_i^V)$ with $W_i^Q \in \mathbb{R}^{d_{model} \times d_k}$, and projects with $W^O$.

| Layer | Complexity | Sequential ops |
|---|---|---|
| Self-attention | $O(n^2 \cdot d)$ | $O(1)$ |
| Recurrent | $O(n \cdot d^2)$ | $O(n)$ |
| Convolutional | $O(k \cdot n \cdot d^2)$ | $O(1)$ |

Positional encodings use $PE_{(pos, 2i)} = \sin(pos / 10000^{2i/d_{model}})$ and
$PE_{(pos, 2i+1)} = \cos(pos / 10000^{2i/d_{model}})$. The learning rate follows

\[ lrate = d_{model}^{-0.5} \cdot \min(step^{-0.5}, step \cdot warmup^{-1.5}) \]

See https://arxiv.org/abs/1706.03762 for details.[^1]

[^1]: Label smoothing uses $\epsilon_{ls} = 0.1$.
"""

VAE = r"""
# Auto-Encoding Variational Bayes

We maximise the evidence lower bound for each datapoint $x^{(i)}$:

\begin{align}
\log p_\theta(x^{(i)}) &\geq \mathcal{L}(\theta, \phi; x^{(i)}) \\
&= -D_{KL}\left(q_\phi(z \mid x^{(i)}) \,\|\, p_\theta(z)\right)
   + \mathbb{E}_{q_\phi(z \mid x^{(i)})}\left[\log p_\theta(x^{(i)} \mid z)\right]
\end{align}

The reparameterisation trick writes $z = \mu + \sigma \odot \epsilon$ with
$\epsilon \sim \mathcal{N}(0, I)$, so that $\nabla_\phi$ passes through the sample.
For Gaussian $q$ and prior $p(z) = \mathcal{N}(0, I)$ the KL term is analytic:

$$-D_{KL} = \frac{1}{2} \sum_{j=1}^{J} \left(1 + \log((\sigma_j)^2)
    - (\mu_j)^2 - (\sigma_j)^2\right)$$

The estimator $\widetilde{\mathcal{L}}^{M}(\theta, \phi; X^M) = \frac{N}{M}
\sum_{i=1}^{M} \widetilde{\mathcal{L}}(\theta, \phi; x^{(i)})$ uses minibatches of $M = 100$.
Compare \cite{journals/corr/KingmaW13, conf/icml/RezendeMW14}.
"""

OPTIMISATION = "\n\n".join(
    rf"""## Step {n}

Adam keeps $m_t = \beta_1 m_{{t-1}} + (1 - \beta_1) g_t$ and
$v_t = \beta_2 v_{{t-1}} + (1 - \beta_2) g_t^2$, corrects the bias with
$\hat{{m}}_t = m_t / (1 - \beta_1^t)$ and updates
$$\theta_t = \theta_{{t-1}} - \alpha \frac{{\hat{{m}}_t}}{{\sqrt{{\hat{{v}}_t}} + \epsilon}},
\quad t = {n}$$
with $\alpha = 10^{{-{n % 5 + 2}}}$, $\beta_1 = 0.9$ and $\beta_2 = 0.999$."""
    for n in range(1, 13)
)

DOCUMENTS = {"transformer": TRANSFORMER, "vae": VAE, "adam-x12": OPTIMISATION}


def formula_count(source: str) -> int:
    return len(collect_math(build_parser().parse(source, {})))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=50)
    args = parser.parse_args()

    reset_engine()
    start = time.perf_counter()
    render_markdown("$x$")
    cold_ms = 1000 * (time.perf_counter() - start)
    print(f"cold start (V8 + katex.min.js + first formula): {cold_ms:.1f} ms")
    header = ("document", "formulas", "html KB", "mean ms", "p95 ms", "formulas/s")
    print("{:<12} {:>8} {:>8} {:>8} {:>8} {:>11}".format(*header))
    for name, source in DOCUMENTS.items():
        rendered = render_markdown(source)
        assert not rendered.math_errors, rendered.math_errors
        timings = []
        for _ in range(args.iterations):
            start = time.perf_counter()
            render_markdown(source)
            timings.append(time.perf_counter() - start)
        mean = statistics.fmean(timings)
        p95 = sorted(timings)[int(0.95 * (len(timings) - 1))]
        count = formula_count(source)
        print(
            f"{name:<12} {count:>8} {len(rendered.html) / 1024:>8.1f} {1000 * mean:>8.2f}"
            f" {1000 * p95:>8.2f} {count / mean:>11.0f}"
        )


if __name__ == "__main__":
    main()
