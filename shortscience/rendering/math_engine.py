"""Server-side TeX to MathML: one lazily created V8 isolate running Temml, plus a result cache.

This module owns the JavaScript engine (py_mini_racer's ``MiniRacer``) and the
contract with Temml, the KaTeX fork that writes MathML Core only (no visual HTML
copy, no inline positioning): docs/decisions/0007-math-markup.md says why.
Nothing else in the project talks to V8.

* One engine per process, created on first use and guarded by a ``threading.Lock``
  because a ``MiniRacer`` must never be entered by two threads at once.
* ``temml.min.js`` is loaded from ``node_modules`` (installed by npm from the
  project's package.json) or from the file named by ``$TEMML_JS_PATH``.
* All formulas of a document that are not in the cache are typeset in ONE call into
  JavaScript: Python sends a JSON array of ``{tex, display}`` and gets back an array
  of ``{html}`` or ``{error}``. Each formula is wrapped in its own ``try``/``catch``
  inside JS, so a broken formula (a ``ParseError``, or a ``RangeError`` such as
  "Maximum call stack size exceeded" from thousands of nested braces) only affects
  itself.
* Temml runs with ``trust: false`` (no ``\\href``, ``\\url``, ``\\includegraphics``
  ...), ``maxExpand`` and ``maxSize`` limits, and every call has a wall-clock timeout
  and a V8 heap limit. When the engine itself fails (timeout, out of memory,
  anything unexpected) every formula of that batch gets an error result. V8
  terminates a timed-out script and the isolate stays usable; after any other
  failure the engine is thrown away and the next call builds a new one.
* Typeset results (MathML or a parse error: both depend only on the formula and
  the mode) are kept in a bounded LRU cache, because the same formulas recur across
  summaries ($x$, $\\theta$, $\\mathbb{R}^d$ ...). Engine failures are never cached.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from py_mini_racer import MiniRacer

from shortscience.rendering import legacy
from shortscience.rendering.sanitize import sanitize_html

logger = logging.getLogger(__name__)

TEMML_JS_ENV_VAR = "TEMML_JS_PATH"
DEFAULT_TEMML_JS = Path(__file__).resolve().parents[2] / "node_modules/temml/dist/temml.min.js"

#: Wall-clock budget for typesetting all formulas of one document.
BATCH_TIMEOUT_SECONDS = 10.0
#: Hard V8 heap limit; beyond it V8 stops the script and we rebuild the engine.
HARD_MEMORY_LIMIT_BYTES = 512 * 1024 * 1024
#: Temml limit on macro expansions per formula (stops ``\def\a{\a\a}\a``).
MAX_EXPAND = 1000
#: Temml limits on user-specified sizes (``\rule``, ``\kern`` ...): in em, and in pt for
#: absolute units (20 em of 10 pt text).
MAX_SIZE_EM = 20
MAX_SIZE_PT = 200
#: Formulas kept in the result cache (typically 0.2-1 KB of MathML each: a few MB at most).
CACHE_SIZE = 20_000

_JS_FUNCTION = "__shortscienceRenderMath"
_SURROGATES_RE = re.compile("[\ud800-\udfff]")

_BATCH_JS = (
    """
// The old site's MathJax 2 macros (rendering/legacy.py), defined once; each formula starts from
// a copy, so a \\def or \\gdef in one formula never reaches another.
var __LEGACY_MACROS = Object.create(null);
// MathJax 2's \\newcommand defines a name whatever it meant before (old summaries redefine \\vec).
__LEGACY_MACROS["\\\\newcommand"] = function (context) {
  var token = context.popToken(), name = token.text;
  if (name === "{") { name = context.popToken().text; context.popToken(); }
  return (context.isDefined(name) ? "\\\\renewcommand" : "\\\\providecommand") + "{" + name + "}";
};
temml.renderToString(__PREAMBLE__, {macros: __LEGACY_MACROS, throwOnError: true});
var __NAME__ = function (items) {
  var out = [];
  for (var i = 0; i < items.length; i++) {
    var item = items[i];
    try {
      out.push({html: temml.renderToString(String(item.tex), {
        displayMode: item.display === true,
        macros: Object.assign({}, __LEGACY_MACROS),
        // Inline formulas may break after a top-level relation or operator, as TeX does
        // (math.css lays <math> out as a wrapping flex row): a long one fits a phone.
        wrap: "tex",
        annotate: false,
        throwOnError: true,
        trust: false,
        strict: false,
        maxExpand: __MAX_EXPAND__,
        maxSize: [__MAX_SIZE_EM__, __MAX_SIZE_PT__]
      })});
    } catch (e) {
      var message;
      if (e instanceof temml.ParseError) {
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
    .replace("__PREAMBLE__", json.dumps(legacy.MATHJAX2_PREAMBLE))
    .replace("__MAX_EXPAND__", str(MAX_EXPAND))
    .replace("__MAX_SIZE_EM__", str(MAX_SIZE_EM))
    .replace("__MAX_SIZE_PT__", str(MAX_SIZE_PT))
)


class MathRequest(NamedTuple):
    """One formula to typeset: TeX source without delimiters, and display or inline.

    A named tuple rather than a frozen dataclass: it is hashed and compared several times
    per formula (deduplication, the cache), and a tuple does both in C.
    """

    tex: str
    display: bool
    #: TeX typeset before the formula: the definitions earlier formulas of its document made
    #: (``legacy.carry_definitions``); the formula's own source stays ``tex``.
    preamble: str = ""


@dataclass(frozen=True)
class MathResult:
    """Temml's MathML for a formula, or the human-readable reason it could not be typeset."""

    html: str | None = None
    error: str | None = None
    #: The engine failed (timeout, no engine): say so, but do not remember it for the formula.
    transient: bool = False


class EngineUnavailableError(RuntimeError):
    """temml.min.js could not be found or loaded into V8."""


def temml_js_path() -> Path:
    """Where temml.min.js is read from: ``$TEMML_JS_PATH`` or ``node_modules``."""
    override = os.environ.get(TEMML_JS_ENV_VAR)
    return Path(override) if override else DEFAULT_TEMML_JS


def _build_context() -> MiniRacer:
    path = temml_js_path()
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise EngineUnavailableError(f"cannot read Temml from {path}: {exc}") from exc
    context = MiniRacer()
    try:
        context.set_hard_memory_limit(HARD_MEMORY_LIMIT_BYTES)
        context.eval(source)
        if context.eval("typeof temml === 'object' && typeof temml.renderToString") != "function":
            raise EngineUnavailableError(f"{path} did not define the temml global")
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
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="math-init") as pool:
        return pool.submit(_build_context).result()


class MathEngine:
    """A lazily started, thread-safe, self-healing Temml engine."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._context: MiniRacer | None = None

    def render(self, requests: Sequence[MathRequest]) -> list[MathResult]:
        """Typeset ``requests`` in one JavaScript call; never raises."""
        if not requests:
            return []
        forms = [legacy.engine_form(r.tex, r.display) for r in requests]
        payload = [
            {"tex": r.preamble + tex, "display": display}
            for r, (tex, display) in zip(requests, forms, strict=True)
        ]
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
                logger.warning("Math batch of %d formulas failed: %s", len(requests), message)
                return [MathResult(error=message, transient=True)] * len(requests)
        results = _parse_results(raw, len(requests))
        if any(r.preamble for r in requests):
            results = [
                _without_preamble(r, result) for r, result in zip(requests, results, strict=True)
            ]
        return results

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
                logger.debug("closing a failed math engine context raised", exc_info=True)


_POSITION_RE = re.compile(r"at position (\d+)")


def _without_preamble(request: MathRequest, result: MathResult) -> MathResult:
    """An error's position counted in the formula as written, not after its preamble."""
    if not request.preamble or result.error is None:
        return result
    shift = len(request.preamble)
    error = _POSITION_RE.sub(
        lambda m: f"at position {max(int(m.group(1)) - shift, 1)}", result.error
    )
    return MathResult(error=error, transient=result.transient)


def _engine_failure_message(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"Math rendering timed out after {BATCH_TIMEOUT_SECONDS:g} s"
    if isinstance(exc, EngineUnavailableError):
        return "Math rendering is unavailable (Temml could not be loaded)"
    return f"Math rendering failed ({type(exc).__name__})"


def _parse_results(raw: Any, expected: int) -> list[MathResult]:
    if not isinstance(raw, list) or len(raw) != expected:
        logger.error("Temml returned %r results for %d formulas", type(raw).__name__, expected)
        return [
            MathResult(error="Math rendering failed (bad engine reply)", transient=True)
        ] * expected
    results: list[MathResult] = []
    for item in raw:
        html = item.get("html") if isinstance(item, dict) else None
        if isinstance(html, str):
            results.append(MathResult(html=html))
            continue
        error = item.get("error") if isinstance(item, dict) else None
        # Temml starts its messages with a space.
        results.append(MathResult(error=str(error).strip() if error else "Unknown math error"))
    return results


class ResultCache:
    """A bounded, thread-safe LRU map from a formula to its typeset result."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[MathRequest, MathResult] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get_many(self, requests: Sequence[MathRequest]) -> dict[MathRequest, MathResult]:
        found: dict[MathRequest, MathResult] = {}
        with self._lock:
            for request in requests:
                result = self._items.get(request)
                if result is not None:
                    self._items.move_to_end(request)
                    found[request] = result
            self.hits += len(found)
            self.misses += len(requests) - len(found)
        return found

    def put_many(self, pairs: Sequence[tuple[MathRequest, MathResult]]) -> None:
        with self._lock:
            for request, result in pairs:
                self._items[request] = result
                self._items.move_to_end(request)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0


_ENGINE = MathEngine()
_CACHE = ResultCache(CACHE_SIZE)
# A process that used V8 and leaves it to interpreter shutdown can hang there (seen under
# load: the render is done in 0.2 s, then exit waits forever), so close the context first.
atexit.register(_ENGINE.reset)


def _sanitised(result: MathResult) -> MathResult:
    if result.html is None:
        return result
    # Temml (like KaTeX) works in UTF-16 code units and can split an astral character.
    return MathResult(html=sanitize_html(_SURROGATES_RE.sub("\ufffd", result.html)))


# Between two sanitised formulas: text at the top of the sanitiser's tree. A formula whose
# MathML holds this private-use character itself makes one piece too many: then each formula
# is sanitised alone.
_BETWEEN = "\ue002"


def _sanitised_many(results: list[MathResult]) -> list[MathResult]:
    """`_sanitised` on each result, in one sanitiser pass over all their MathML.

    Temml writes each formula as one balanced `<math>` element, so joined with a mark between
    them the formulas come out of one pass exactly as they do one at a time, and the mark stays
    text between them. Unless every piece is again one whole `<math>` element, each formula is
    sanitised alone."""
    typeset = [i for i, result in enumerate(results) if result.html is not None]
    if len(typeset) < 2:
        return [_sanitised(result) for result in results]
    joined = _BETWEEN.join(_SURROGATES_RE.sub("\ufffd", results[i].html or "") for i in typeset)
    pieces = sanitize_html(joined).split(_BETWEEN)
    if len(pieces) != len(typeset) or not all(map(_one_math_element, pieces)):
        return [_sanitised(result) for result in results]
    out = list(results)
    for i, piece in zip(typeset, pieces, strict=True):
        out[i] = MathResult(html=piece)
    return out


def _one_math_element(html: str) -> bool:
    return (
        html.startswith("<math")
        and html.endswith("</math>")
        and html.count("<math") == 1
        and html.count("</math>") == 1
    )


def _retried_in_display(requests: list[MathRequest], results: list[MathResult]) -> list[MathResult]:
    """Inline formulas Temml refused only for not being in display mode, typeset again in
    display mode (MathJax 2 took them inline), all in one more engine call; the ones that fail
    again keep their first error."""
    retry = [
        i
        for i, (request, result) in enumerate(zip(requests, results, strict=True))
        if not request.display and result.error is not None and legacy.needs_display(result.error)
    ]
    if not retry:
        return results
    again = _sanitised_many(_ENGINE.render([requests[i]._replace(display=True) for i in retry]))
    out = list(results)
    for i, result in zip(retry, again, strict=True):
        if result.html is not None:
            out[i] = result
    return out


def render_math(requests: Sequence[MathRequest]) -> list[MathResult]:
    """Typeset formulas to sanitised MathML: cached ones from the cache, the rest (each once)
    in one engine call and one sanitiser pass."""
    unique = list(dict.fromkeys(requests))
    known = _CACHE.get_many(unique)
    missing = [request for request in unique if request not in known]
    if missing:
        fresh = _retried_in_display(missing, _sanitised_many(_ENGINE.render(missing)))
        known.update(zip(missing, fresh, strict=True))
        # MathML and parse errors depend only on the formula; engine failures do not.
        _CACHE.put_many(
            [pair for pair in zip(missing, fresh, strict=True) if not pair[1].transient]
        )
    return [known[request] for request in requests]


def cache_stats() -> tuple[int, int]:
    """(hits, misses) of the result cache since the process started or the last reset."""
    return _CACHE.hits, _CACHE.misses


def clear_cache() -> None:
    """Forget every typeset formula (benchmarks, tests)."""
    _CACHE.clear()


def reset_engine() -> None:
    """Throw the V8 context and the result cache away (tests, or after changing TEMML_JS_PATH)."""
    _ENGINE.reset()
    _CACHE.clear()


def warm_up() -> None:
    """Start V8 and load Temml now, so a web worker pays the start-up at boot, not on the first
    request that renders math. Call it after the process forked: V8 does not survive a fork."""
    _ENGINE.render([MathRequest(tex="x", display=False)])
