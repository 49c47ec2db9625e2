"""People using the site through nginx: one httpx client each, with its own cookies and its own
loopback address (127.0.0.N), so per-IP rate limits see different people as they would."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from tests.production.topology import PASSWORD

T = TypeVar("T")
_addresses = iter(range(10, 250))
_address_lock = threading.Lock()
SIGNED_IN = 'action="/accounts/logout/"'


def next_address() -> str:
    with _address_lock:
        return f"127.0.0.{next(_addresses)}"


@dataclass
class Answer:
    status: int
    seconds: float
    headers: httpx.Headers
    text: str
    error: str = ""
    path: str = ""

    @property
    def signed_in(self) -> bool:
        return SIGNED_IN in self.text


class Person:
    def __init__(self, base_url: str, username: str = "", timeout: float = 30) -> None:
        self.username = username
        self.address = next_address()
        self.base_url = base_url
        self.http = httpx.Client(
            base_url=base_url,
            transport=httpx.HTTPTransport(local_address=self.address),
            timeout=timeout,
            follow_redirects=False,
        )

    def at(self, base_url: str) -> Person:
        """The same person (cookies) talking to another address, e.g. one gunicorn directly."""
        other = Person.__new__(Person)
        other.username, other.address, other.base_url = self.username, self.address, base_url
        other.http = httpx.Client(
            base_url=base_url,
            transport=httpx.HTTPTransport(local_address=self.address),
            timeout=self.http.timeout,
            follow_redirects=False,
            cookies=self.http.cookies,
        )
        return other

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, **kwargs: Any) -> Answer:
        started = time.monotonic()
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            return Answer(0, time.monotonic() - started, httpx.Headers(), "", repr(exc), path)
        seconds = time.monotonic() - started
        return Answer(response.status_code, seconds, response.headers, response.text, "", path)

    def get(self, path: str, **kwargs: Any) -> Answer:
        return self.request("GET", path, **kwargs)

    def csrf(self) -> str:
        token = self.http.cookies.get("csrftoken")
        if not token:
            self.get("/accounts/login/")
            token = self.http.cookies.get("csrftoken")
        assert token, "no CSRF cookie from /accounts/login/"
        return str(token)

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Answer:
        headers = {"X-CSRFToken": self.csrf(), **kwargs.pop("headers", {})}
        return self.request("POST", path, data=data or {}, headers=headers, **kwargs)

    def sign_in(self, password: str = PASSWORD, patience: float = 90) -> Answer:
        """Sign in; a 429 waits and tries again. allauth counts sign-ins per REMOTE_ADDR, which
        behind nginx is nginx's for everyone (30 a minute for the whole site)."""
        deadline = time.monotonic() + patience
        while True:
            answer = self.post("/accounts/login/", {"login": self.username, "password": password})
            if answer.status != 429 or time.monotonic() > deadline:
                break
            time.sleep(min(10.0, float(answer.headers.get("retry-after") or 5)))
        assert answer.status == 302, f"sign-in of {self.username}: {answer.status} {answer.error}"
        return answer

    def ensure_signed_in(self) -> None:
        if not self.get("/notifications/").signed_in:
            self.http.cookies.clear()
            self.sign_in()

    def comment(self, summary_id: int, text: str, style: str = "form") -> Answer:
        """Post a comment as a form post, an htmx request or a fetch that wants JSON."""
        headers = {"HX-Request": "true"} if style == "htmx" else {}
        if style == "json":
            headers = {"Accept": "application/json"}
        return self.post(f"/summaries/{summary_id}/comments/", {"markdown": text},
                         headers=headers)  # fmt: skip

    def publish(self, paper_id: int, text: str) -> Answer:
        return self.post(f"/papers/{paper_id}/write/", {"markdown": text, "action": "publish"})

    def vote(self, summary_id: int, value: str) -> Answer:
        return self.post(f"/summaries/{summary_id}/vote/", {"value": value})


_signed_in: dict[tuple[str, str], Person] = {}


def signed_in_people(base_url: str, names: Iterable[str]) -> list[Person]:
    """People signed in through `base_url`, each session kept for the next scenario (sign-ins
    are rate-limited site-wide, see Person.sign_in); one that lost its session signs in again."""
    people = [_signed_in.get((base_url, name)) or Person(base_url, name) for name in names]
    in_parallel(Person.ensure_signed_in, people)
    _signed_in.update({(base_url, p.username): p for p in people})
    return people


def in_parallel(work: Callable[[Any], T], items: Iterable[Any]) -> list[T]:
    """Run `work` on every item at once, one thread each; re-raises the first failure."""
    items = list(items)
    results: list[Any] = [None] * len(items)
    errors: list[BaseException] = []

    def one(i: int) -> None:
        try:
            results[i] = work(items[i])
        except BaseException as exc:  # handed to the caller below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(items))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def comment_id(answer: Answer) -> int | None:
    """An acknowledged comment: the redirect to its anchor on the summary page."""
    found = re.search(r"#comment-(\d+)", answer.headers.get("location", ""))
    return int(found.group(1)) if answer.status == 302 and found else None
