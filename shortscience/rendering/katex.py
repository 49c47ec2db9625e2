"""Server-side KaTeX: one lazily created V8 isolate that typesets every formula.

This module owns the JavaScript engine (py_mini_racer's ``MiniRacer``) and the
contract with KaTeX. Nothing else in the project talks to V8.

* One engine per process, created on first use and guarded by a ``threading.Lock``
  because a ``MiniRacer`` must never be entered by two threads at once.
* ``katex.min.js`` is loaded from ``node_modules`` (installed by npm from the
  project's package.json) or from the file named by ``$KATEX_JS_PATH``.
* All formulas of a document are typeset in ONE call into JavaScript: Python sends
  a JSON array of ``{tex, display}`` and gets back an array of ``{html}`` or
  ``{error}``. Each formula is wrapped in its own ``try``/``catch`` inside JS, so a
  broken formula (a KaTeX ``ParseError``, or a ``RangeError`` such as "Maximum call
  stack size exceeded" from thousands of nested braces) only affects itself.
* KaTeX runs with ``trust: false`` (no ``\\href``, ``\\url``, ``\\htmlId``,
  ``\\includegraphics`` ...), ``maxExpand`` and ``maxSize`` limits, and every call
  has a wall-clock timeout and a V8 heap limit. When the engine itself fails
  (timeout, out of memory, anything unexpected) every formula of that batch gets
  an error result. V8 terminates a timed-out script and the isolate stays usable;
  after any other failure the engine is thrown away and the next call builds a
  new one.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from py_mini_racer import MiniRacer

logger = logging.getLogger(__name__)

KATEX_JS_ENV_VAR = "KATEX_JS_PATH"
DEFAULT_KATEX_JS = Path(__file__).resolve().parents[2] / "node_modules/katex/dist/katex.min.js"

#: Wall-clock budget for typesetting all formulas of one document.
BATCH_TIMEOUT_SECONDS = 10.0
#: Hard V8 heap limit; beyond it V8 stops the script and we rebuild the engine.
HARD_MEMORY_LIMIT_BYTES = 512 * 1024 * 1024
#: KaTeX limit on macro expansions per formula (stops ``\def\a{\a\a}\a``).
MAX_EXPAND = 1000
#: KaTeX limit, in em, on user-specified sizes (``\rule``, ``\kern`` ...).
MAX_SIZE = 20

_JS_FUNCTION = "__shortscienceRenderMath"

_BATCH_JS = (
    """
var __NAME__ = function (items) {
  var out = [];
  for (var i = 0; i < items.length; i++) {
    var item = items[i];
    try {
      out.push({html: katex.renderToString(String(item.tex), {
        displayMode: item.display === true,
        output: "htmlAndMathml",
        throwOnError: true,
        trust: false,
        strict: "ignore",
        maxExpand: __MAX_EXPAND__,
        maxSize: __MAX_SIZE__
      })});
    } catch (e) {
      var message;
      if (e instanceof katex.ParseError) {
        message = e.message;
      } else if (e instanceof RangeError) {
        message = "Formula too deeply nested to render (" + e.message + ")";
      } else {
        message = (e && e.name ? e.name + ": " : "") + (e && e.message ? e.message : String(e));
      }
      out.push({error: String(message)});
    }
  }
  return out;
};
""".replace("__NAME__", _JS_FUNCTION)
    .replace("__MAX_EXPAND__", str(MAX_EXPAND))
    .replace("__MAX_SIZE__", str(MAX_SIZE))
)


@dataclass(frozen=True)
class MathRequest:
    """One formula to typeset: TeX source without delimiters, and display or inline."""

    tex: str
    display: bool


@dataclass(frozen=True)
class MathResult:
    """KaTeX's HTML for a formula, or the human-readable reason it could not be typeset."""

    html: str | None = None
    error: str | None = None


class KatexUnavailableError(RuntimeError):
    """katex.min.js could not be found or loaded into V8."""


def katex_js_path() -> Path:
    """Where katex.min.js is read from: ``$KATEX_JS_PATH`` or ``node_modules``."""
    override = os.environ.get(KATEX_JS_ENV_VAR)
    return Path(override) if override else DEFAULT_KATEX_JS


def _build_context() -> MiniRacer:
    path = katex_js_path()
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KatexUnavailableError(f"cannot read KaTeX from {path}: {exc}") from exc
    context = MiniRacer()
    try:
        context.set_hard_memory_limit(HARD_MEMORY_LIMIT_BYTES)
        context.eval(source)
        if context.eval("typeof katex === 'object' && typeof katex.renderToString") != "function":
            raise KatexUnavailableError(f"{path} did not define the katex global")
        context.eval(_BATCH_JS)
    except Exception:
        context.close()
        raise
    return context


def _new_context() -> MiniRacer:
    """Build a context that owns its event-loop thread.

    MiniRacer attaches to the caller's asyncio loop when there is one running, and
    then refuses per-call timeouts; building it on a short-lived worker thread (which
    has no running loop) gives it a private loop thread wherever we are called from.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _build_context()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="katex-init") as pool:
        return pool.submit(_build_context).result()


class KatexEngine:
    """A lazily started, thread-safe, self-healing KaTeX engine."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._context: MiniRacer | None = None

    def render(self, requests: Sequence[MathRequest]) -> list[MathResult]:
        """Typeset ``requests`` in one JavaScript call; never raises."""
        if not requests:
            return []
        payload = [{"tex": r.tex, "display": r.display} for r in requests]
        with self._lock:
            try:
                context = self._context_locked()
                raw = context.call(_JS_FUNCTION, payload, timeout_sec=BATCH_TIMEOUT_SECONDS)
            except Exception as exc:  # the engine itself failed: fail the whole batch
                if not isinstance(exc, TimeoutError):
                    # V8 terminates a timed-out script and the isolate stays usable;
                    # after anything else (out of memory, a bug) start afresh next time.
                    self._discard_locked()
                message = _engine_failure_message(exc)
                logger.warning("KaTeX batch of %d formulas failed: %s", len(requests), message)
                return [MathResult(error=message)] * len(requests)
        return _parse_results(raw, len(requests))

    def reset(self) -> None:
        """Drop the current V8 context; the next render starts a fresh one."""
        with self._lock:
            self._discard_locked()

    def _context_locked(self) -> MiniRacer:
        if self._context is None:
            self._context = _new_context()
        return self._context

    def _discard_locked(self) -> None:
        context, self._context = self._context, None
        if context is not None:
            try:
                context.close()
            except Exception:  # closing a broken isolate must not mask the real error
                logger.debug("closing a failed KaTeX context raised", exc_info=True)


def _engine_failure_message(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"Math rendering timed out after {BATCH_TIMEOUT_SECONDS:g} s"
    if isinstance(exc, KatexUnavailableError):
        return "Math rendering is unavailable (KaTeX could not be loaded)"
    return f"Math rendering failed ({type(exc).__name__})"


def _parse_results(raw: Any, expected: int) -> list[MathResult]:
    if not isinstance(raw, list) or len(raw) != expected:
        logger.error("KaTeX returned %r results for %d formulas", type(raw).__name__, expected)
        return [MathResult(error="Math rendering failed (bad engine reply)")] * expected
    results: list[MathResult] = []
    for item in raw:
        html = item.get("html") if isinstance(item, dict) else None
        if isinstance(html, str):
            results.append(MathResult(html=html))
            continue
        error = item.get("error") if isinstance(item, dict) else None
        results.append(MathResult(error=str(error) if error else "Unknown KaTeX error"))
    return results


_ENGINE = KatexEngine()
# A process that used V8 and leaves it to interpreter shutdown can hang there (seen under
# load: the render is done in 0.2 s, then exit waits forever), so close the context first.
atexit.register(_ENGINE.reset)


def render_math(requests: Sequence[MathRequest]) -> list[MathResult]:
    """Typeset formulas with the process-wide engine, de-duplicating identical ones."""
    unique: dict[MathRequest, int] = {}
    for request in requests:
        unique.setdefault(request, len(unique))
    rendered = _ENGINE.render(list(unique))
    return [rendered[unique[request]] for request in requests]


def reset_engine() -> None:
    """Throw the process-wide V8 context away (tests, or after changing KATEX_JS_PATH)."""
    _ENGINE.reset()


def warm_up() -> None:
    """Start V8 and load KaTeX now, so a web worker pays the start-up at boot, not on the first
    request that renders math. Call it after the process forked: V8 does not survive a fork."""
    render_math([MathRequest(tex="x", display=False)])
