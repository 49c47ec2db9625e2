"""deploy/Containerfile keeps the properties docs/deploy.md promises (the image itself is built
and served by `make test-image`, scripts/test-image.sh)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTAINERFILE = (ROOT / "deploy" / "Containerfile").read_text()


def test_the_base_is_an_argument_defaulting_to_the_public_python_image():
    assert "ARG BASE=python:3.11-slim-bookworm" in CONTAINERFILE
    assert re.findall(r"^FROM (\S+) AS (\w+)", CONTAINERFILE, re.M) == [
        ("${BASE}", "builder"),
        ("${BASE}", "runtime"),
    ]


def test_packages_are_installed_from_the_lock_with_hashes_and_never_resolved():
    installs = re.findall(r"pip (?:install|wheel)[^\n]*", CONTAINERFILE)
    assert installs
    for line in installs:
        assert "--require-hashes" in line or "--no-deps" in line, line
    runtime = CONTAINERFILE.split("AS runtime", 1)[1]
    for line in re.findall(r"pip install[^\n]*", runtime):
        assert "--no-index" in line, f"the runtime stage must not download: {line}"


def test_the_image_runs_as_a_non_root_user_with_a_health_check_and_the_entrypoint():
    assert re.search(r"^USER shortscience$", CONTAINERFILE, re.M)
    assert "HEALTHCHECK" in CONTAINERFILE and "healthcheck.py" in CONTAINERFILE
    assert 'ENTRYPOINT ["/usr/local/lib/shortscience/entrypoint.sh"]' in CONTAINERFILE
    assert 'CMD ["web"]' in CONTAINERFILE


def test_static_files_are_collected_at_build_time():
    assert "collectstatic --noinput" in CONTAINERFILE


def test_every_file_the_containerfile_copies_passes_the_ignore_files():
    allowed = [
        line[1:].rstrip("/")
        for line in (ROOT / ".containerignore").read_text().splitlines()
        if line.startswith("!")
    ]
    assert (ROOT / ".dockerignore").read_text() == (ROOT / ".containerignore").read_text()
    for sources in re.findall(r"^COPY (?!--from)(.+) \S+$", CONTAINERFILE, re.M):
        for source in sources.split():
            path = source.rstrip("/")
            assert any(path == a or path.startswith(a + "/") for a in allowed), path
