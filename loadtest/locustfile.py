"""Locust users, one class per figure; ``python -m loadtest`` runs each class alone.

Every simulated person signs in as a different organisation's respondent (the data are in
the JSON file named by ``LOADTEST_DATA``; ``LOADTEST_FIRST`` is the first respondent a run
may use), so optimistic locking never refuses one person's save because of another's.
Only the request named after the figure counts; sign-in and page fetches made to get a
CSRF token or version have names in brackets and are left out.
"""

import itertools
import json
import os
import re
import time

from locust import FastHttpUser, constant, task

with open(os.environ["LOADTEST_DATA"]) as _file:
    DATA = json.load(_file)
_people = itertools.count(int(os.environ.get("LOADTEST_FIRST", "0")))
_INPUT = re.compile(r"<input[^>]*>")
_VALUE = re.compile(r'value="([^"]*)"')
OPEN = f"/consultations/{DATA['open_reference']}"
REFRESH_SECONDS = 300  # well inside the 30 minutes a session may be idle


def hidden(name: str, html: str) -> str:
    """The value of the page's first input called ``name``."""
    for tag in _INPUT.findall(html):
        if f'name="{name}"' in tag:
            return _VALUE.search(tag).group(1)
    raise ValueError(f"no {name} on the page")


class Visitor(FastHttpUser):
    """Someone not signed in."""

    abstract = True
    wait_time = constant(0)

    def on_start(self) -> None:
        # Never follow redirects, so a POST's time is the POST's alone. (Locust 2.42's
        # allow_redirects=False misspells geventhttpclient's attribute, so set it here.)
        self.client.client.redirect_response_codes = frozenset()

    def sign_in(self, email: str) -> None:
        page = self.client.get("/auth/login", name="(sign-in page)")
        form = {"csrf_token": hidden("csrf_token", page.text), "email": email}
        form["password"] = DATA["password"]
        with self.client.post(
            "/auth/login", data=form, name="(sign in)", catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in of {email}: {response.status_code}")


class Hello(Visitor):
    @task
    def hello(self) -> None:
        self.client.get("/", name="hello")


class ConsultationList(Visitor):
    @task
    def consultation_list(self) -> None:
        self.client.get("/consultations", name="consultation list")


class ConsultationPage(Visitor):
    @task
    def consultation_page(self) -> None:
        self.client.get(OPEN, name="consultation page")


class QuestionPage(Visitor):
    def on_start(self) -> None:
        super().on_start()
        self.sign_in(DATA["respondents"][next(_people)])

    @task
    def question_page(self) -> None:
        self.client.get(f"{OPEN}/respond/q1", name="question page")


class SummaryPage(Visitor):
    def on_start(self) -> None:
        super().on_start()
        self.sign_in(DATA["panel"])

    @task
    def summary_page(self) -> None:
        self.client.get(
            f"/panel/consultations/{DATA['summary_reference']}/summary", name="summary page"
        )


class Changer(Visitor):
    """A respondent posting forms again and again from the pages they fetched once.

    Each task posts ``posts`` (address, figure name) in turn, each with the session cookie
    a page view left (see ``post``). A successful post moves the response's version on by
    a fixed step per address (learnt after its first post by reading the page again), so
    the next post carries the version the page would show now, as a person's next page
    would; any refusal is a failure."""

    abstract = True
    posts: tuple[tuple[str, str], ...] = ()

    def on_start(self) -> None:
        super().on_start()
        self.sign_in(DATA["respondents"][next(_people)])
        self.steps: dict[str, int] = {}
        self.refresh()

    def refresh(self) -> None:
        page = self.client.get(self.posts[-1][0], name="(page for its token)")
        self.csrf = hidden("csrf_token", page.text)
        self.version = int(hidden("version", page.text))
        # The session as a page leaves it: any message waiting in it has been shown.
        self.cookies = list(self.client.cookiejar)
        self.refreshed = time.monotonic()

    def fields(self, path: str) -> dict:
        """What the form at ``path`` sends besides its token and version."""
        raise NotImplementedError

    @task
    def change(self) -> None:
        for path, name in self.posts:
            if not self.post(path, name):
                self.refresh()
                return

    def post(self, path: str, name: str) -> bool:
        # Each post is sent as from a browser that followed the last one's redirect: the page
        # it came back to showed the "saved" message and took it out of the session. Without
        # this, every save would add a message that no page ever showed, and the session
        # cookie, read and written on every request, would grow all through the run.
        # That cookie says when the person was last seen; read a page again well before the
        # idle time-out would sign them out (in a run longer than REFRESH_SECONDS).
        if time.monotonic() - self.refreshed > REFRESH_SECONDS:
            self.refresh()
        for cookie in self.cookies:
            self.client.cookiejar.set_cookie(cookie)
        form = {"csrf_token": self.csrf, "version": str(self.version), **self.fields(path)}
        with self.client.post(path, data=form, name=name, catch_response=True) as response:
            # A save redirects onwards; one to the sign-in page means the session ended.
            stored = response.status_code == 302 and "/auth/" not in response.headers.get(
                "Location", ""
            )
            if not stored:
                where = response.headers.get("Location", "")
                response.failure(f"refused: {response.status_code} {where}".strip())
        if not stored:
            return False
        if path in self.steps:
            self.version += self.steps[path]
        else:
            before = self.version
            self.refresh()
            self.steps[path] = self.version - before
        return True

    def answer(self) -> dict:
        rationale = f"We support the new date (version {self.version})."
        return {"action": "later", "answer": "Yes", "rationale": rationale}


class SaveAnswer(Changer):
    posts = ((f"{OPEN}/respond/q1", "saving an answer"),)

    def fields(self, path: str) -> dict:
        return self.answer()


class Submit(Changer):
    """An amendment: a changed answer (not timed), then submitting it. Submitting with
    nothing changed stores nothing (it only says the response was already submitted)."""

    posts = (
        (f"{OPEN}/respond/q1", "(changing an answer to submit)"),
        (f"{OPEN}/respond/check", "submitting"),
    )

    def fields(self, path: str) -> dict:
        return self.answer() if path.endswith("/q1") else {"declaration": "y"}
