"""Every gunicorn this repository starts takes request lines as long as nginx passes (its 8k
buffer), so that a long API query reaches Django and gets a JSON answer (docs/api.md, Limits),
and spreads connections over its workers (`--reuse-port`: one listening socket per worker, so the
kernel shares kept-alive connections out instead of one worker accepting a whole burst)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORNS = [
    "shortscience/management/commands/serve.py",
    "deploy/entrypoint.sh",
    "deploy/systemd/shortscience-web.service",
    "docs/deploy.md",
    "tests/production/topology.py",
]

# How each file starts gunicorn: a shell or unit line, or an argument list.
STARTS = re.compile(r'gunicorn shortscience\.wsgi|"shortscience\.wsgi:application"')


@pytest.mark.parametrize("path", GUNICORNS)
def test_every_gunicorn_takes_request_lines_up_to_its_largest_limit(path):
    text = (ROOT / path).read_text()
    assert re.search(r"""--limit-request-line["',\s]+8190\b""", text), path


@pytest.mark.parametrize("path", [*GUNICORNS, "bench/pages/servers.py"])
def test_every_gunicorn_spreads_its_connections_over_its_workers(path):
    text = (ROOT / path).read_text()
    starts = len(STARTS.findall(text))
    assert starts >= 1, path
    assert len(re.findall(r"--reuse-port", text)) >= starts, path


def test_nginx_passes_request_lines_that_fit_one_8k_buffer():
    template = (ROOT / "deploy" / "nginx.conf.template").read_text()
    assert re.search(r"^\s*large_client_header_buffers 4 8k;", template, re.M)
