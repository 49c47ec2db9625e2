"""Every service module has a test module of the same name (tests/services/test_<name>.py), or
is listed here with the tests that cover it and why they live elsewhere."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ROOT / "shortscience" / "services"
TESTS = ROOT / "tests"

COVERED_ELSEWHERE = {
    "cards": ("templatetags/test_cards.py", "cards are built for and memoised by the card tag"),
    "errors": ("api/test_errors.py", "the error types are the API's and pages' answers"),
    "events": ("services/test_write_rule.py", "events are checked through every write service"),
    "feeds": ("views/test_feeds.py", "a feed is checked as the XML readers get"),
    "health": ("views/test_health.py", "the probes are checked as /healthz and /readyz answer"),
    "moderation": ("views/test_moderation.py", "the queue and actions are checked as pages"),
    "neutralpages": ("views/test_signed_in_pages.py", "shared copies exist only as pages"),
    "outbound": ("views/test_add.py", "outbound calls are checked through the add flow"),
    "sitemaps": ("views/test_sitemaps.py", "sitemaps are checked as the XML crawlers get"),
    "tokens": ("api/test_tokens.py", "tokens are checked through the API that takes them"),
    "venues": ("services/test_papers.py", "venue pages were part of papers; their tests too"),
}


def _modules() -> list[str]:
    names = [path.stem for path in SERVICES.glob("*.py") if path.stem != "__init__"]
    names += [path.name for path in SERVICES.iterdir() if (path / "__init__.py").exists()]
    return sorted(names)


def test_each_service_module_has_its_test_module_or_a_reason():
    missing = [
        name
        for name in _modules()
        if not (TESTS / "services" / f"test_{name}.py").exists() and name not in COVERED_ELSEWHERE
    ]
    assert missing == [], f"add tests/services/test_<name>.py (or a reason here) for {missing}"


def test_each_reason_names_test_modules_that_exist():
    for name, (tests, why) in COVERED_ELSEWHERE.items():
        path = TESTS / tests
        assert why and path.exists(), (name, tests)
        assert not (TESTS / "services" / f"test_{name}.py").exists(), f"{name} has its own now"
