"""Where an award or a credential is accepted: answers that say the same thing (verdict,
words, recogniser) for three or more requirements are said once, with those requirements
one click away; every requirement is still there, each with its own "why"."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

from graph_app.core.satisfaction import answers_for
from graph_app.core.store import OxigraphStore
from graph_app.web.acceptance import GROUP_FROM, MAX_ROWS
from graph_app.web.app import create_app
from tests.test_incremental_validation import generated_store

BASE = "https://w3id.org/qagraph/id/"
QA = "https://w3id.org/qagraph/ontology#"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    store = generated_store(tmp_path_factory.mktemp("groups"), "--triples", "20000", "--violations", "0",
                            "--awards-per-org", "3")
    yield store
    store.close()


class _Items(HTMLParser):
    """The items of the "where accepted" list, each as its text and its parts: the
    verdict, the words, where, and (a group) the requirements it names."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[dict[str, object]] = []
        self._depth = 0  # of <ul> inside the list, 1 at its own level
        self._class: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = dict(attrs).get("class") or ""
        if tag == "ul" and (self._depth or cls == "accepted"):
            self._depth += 1
        elif tag == "li" and self._depth == 1:
            self.items.append({"group": cls == "group", "members": 0, "verdict": "", "text": "", "where": "",
                               "links": []})
        elif tag == "li" and self._depth == 2:
            self.items[-1]["members"] = int(self.items[-1]["members"]) + 1  # type: ignore[call-overload]
        if tag == "a" and self._depth and self.items:
            self.items[-1]["links"].append(dict(attrs).get("href") or "")  # type: ignore[attr-defined]
        self._class.append(cls if tag != "br" else self._class[-1] if self._class else "")
        if tag == "br":
            self._class.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag == "ul" and self._depth:
            self._depth -= 1
        if self._class:
            self._class.pop()

    def handle_data(self, data: str) -> None:
        if not self._depth or not self.items or not self._class:
            return
        cls = self._class[-1]
        item = self.items[-1]
        if cls.startswith("verdict "):
            item["verdict"] = cls.split()[1]
        elif cls == "answer-text":
            item["text"] = str(item["text"]) + data
        elif cls == "where":
            item["where"] = str(item["where"]) + data


def _items(html: str) -> list[dict[str, object]]:
    parser = _Items()
    parser.feed(html)
    return parser.items


@pytest.mark.parametrize("kind", ["Award", "Credential"])
def test_the_same_answer_is_said_once_and_every_requirement_keeps_its_why(generated: OxigraphStore,
                                                                         kind: str) -> None:
    app = create_app({"STORE_OBJECT": generated, "TESTING": True})
    client = app.test_client()
    rows = generated.query(f"SELECT ?a WHERE {{ ?a a <{QA}{kind}> }} ORDER BY ?a LIMIT 25")
    grouped_pages = 0
    for row in rows:  # type: ignore[union-attr]
        iri = row["a"].value
        html = client.get("/id/" + iri[len(BASE):] + "?lang=en").get_data(as_text=True)
        asked = answers_for(generated, iri, date.today(), limit=MAX_ROWS)
        if not asked:
            continue
        items = _items(html)
        said = Counter((i["verdict"], i["text"]) for i in items)
        # nothing alike is said three times: three alike became one group
        assert all(n < GROUP_FROM or n == 1 for n in said.values()), said
        assert all(n == 1 for (v, t), n in said.items() if any(i["group"] and (i["verdict"], i["text"]) == (v, t)
                                                                 for i in items))
        groups = [i for i in items if i["group"]]
        grouped_pages += bool(groups)
        for group in groups:
            assert int(group["members"]) >= GROUP_FROM  # type: ignore[call-overload]
            assert str(group["members"]) in str(group["where"]) or "," in str(group["where"])
        # every requirement asked is there once, with its own link to the whole path
        whys = [link for i in items for link in i["links"] if "/check?" in link]  # type: ignore[attr-defined]
        assert len(whys) == len(asked)
        for answer in asked:
            assert sum(1 for link in whys if unquote(link).endswith("requirement=" + answer.requirement)) == 1
        assert len(items) - len(groups) + sum(int(g["members"]) for g in groups) == len(asked)  # type: ignore[call-overload]
    assert grouped_pages, "no page of the generated data had answers alike enough to group"


def test_a_lone_answer_is_not_a_group(generated: OxigraphStore, tmp_path: Path) -> None:
    """Fewer than GROUP_FROM alike answers stay rows of their own, as before."""
    app = create_app({"STORE_OBJECT": generated, "TESTING": True})
    client = app.test_client()
    rows = generated.query(f"SELECT ?a WHERE {{ ?a a <{QA}Award> }} ORDER BY ?a LIMIT 25")
    for row in rows:  # type: ignore[union-attr]
        html = client.get("/id/" + row["a"].value[len(BASE):] + "?lang=en").get_data(as_text=True)
        if '<ul class="accepted">' not in html:
            continue
        items = _items(html)
        alike = Counter((i["verdict"], i["text"]) for i in items if not i["group"])
        assert all(n < GROUP_FROM for n in alike.values())
