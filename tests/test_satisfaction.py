"""Requirement checks on dates, with the sample data: the Nordic hot-work transition."""

from __future__ import annotations

import pytest

from graph_app.cli import bundled_inputs
from graph_app.core.loading import load
from graph_app.core.namespaces import DEFAULT_BASE
from graph_app.core.satisfaction import Checker
from graph_app.core.store import OxigraphStore

CRED = DEFAULT_BASE + "credential/"
SE_HOT_WORK = DEFAULT_BASE + "requirement/heta-arbeten-forsakringsvillkor"
NO_HOT_WORK = DEFAULT_BASE + "requirement/varme-arbeider-sikkerhetsforskrift"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = tmp_path_factory.mktemp("sample") / "store"
    store = OxigraphStore(path)
    load(store, bundled_inputs(), base_iri=DEFAULT_BASE, validate=False)
    yield store, path
    store.close()


@pytest.fixture(scope="module")
def checker(sample):
    return Checker(sample[0])


@pytest.mark.parametrize("country_cert", ["varmt-arbejde", "varme-arbeider", "tulityokortti"])
def test_nordic_certificate_issued_by_2023_06_30_satisfies_the_swedish_requirement(checker, country_cert):
    answer = checker.check(CRED + country_cert, SE_HOT_WORK, on="2025-01-01", issued="2023-06-30")
    assert answer.satisfied and answer.via == "recognition"
    assert answer.path[-1].kind == "recognition"


@pytest.mark.parametrize("country_cert", ["varmt-arbejde", "varme-arbeider", "tulityokortti"])
def test_nordic_certificate_issued_after_2023_06_30_does_not(checker, country_cert):
    answer = checker.check(CRED + country_cert, SE_HOT_WORK, on="2025-01-01", issued="2023-07-01")
    assert not answer.satisfied
    assert "issued-outside-window" in {n.kind for n in answer.notes}


def test_a_covered_certificate_stops_counting_when_it_expires(checker):
    answer = checker.check(CRED + "varmt-arbejde", SE_HOT_WORK, on="2028-07-01", issued="2023-06-01")
    assert not answer.satisfied
    assert [n.kind for n in answer.notes] == ["expired"]
    assert checker.check(CRED + "varmt-arbejde", SE_HOT_WORK, on="2028-05-31", issued="2023-06-01").satisfied


def test_without_an_issue_date_the_transition_rule_cannot_say_yes(checker):
    answer = checker.check(CRED + "varmt-arbejde", SE_HOT_WORK, on="2025-01-01")
    assert not answer.satisfied
    assert "issue-date-needed" in {n.kind for n in answer.notes}


def test_the_swedish_certificate_satisfies_directly(checker):
    answer = checker.check(CRED + "heta-arbeten", SE_HOT_WORK, on="2025-01-01")
    assert answer.satisfied and answer.via == "direct"


def test_exact_equivalence_satisfies_with_its_path(checker):
    answer = checker.check(CRED + "tulityokortti", NO_HOT_WORK, on="2025-01-01")
    assert answer.satisfied
    assert answer.via in {"equivalence", "recognition"}
    if answer.via == "equivalence":
        assert answer.steps and answer.steps[0].kind == "exact"


def test_cli_satisfies_answers_yes_and_no_with_exit_codes(sample, tmp_path):
    from click.testing import CliRunner

    from graph_app.cli import main

    store, path = sample
    store.close()
    try:
        runner = CliRunner()
        base = ["--lang", "en", "--store", str(path), "satisfies",
                "id:credential/varmt-arbejde", "id:requirement/heta-arbeten-forsakringsvillkor", "--on", "2025-01-01"]
        yes = runner.invoke(main, base + ["--issued", "2023-06-30"])
        assert yes.exit_code == 0
        assert yes.output.startswith("yes (through a recognition valid on the date)")
        swedish = runner.invoke(main, ["--lang", "sv", *base[2:], "--issued", "2023-07-01"])
        assert swedish.exit_code == 1 and swedish.output.startswith("nej")
        assert "beviset utfärdades utanför de datum som erkännandet omfattar" in swedish.output
        no = runner.invoke(main, base + ["--issued", "2023-07-01"])
        assert no.exit_code == 1 and no.output.startswith("no")
        bad = runner.invoke(main, base + ["--issued", "yesterday"])
        assert bad.exit_code == 2 and "'yesterday' is not a date" in bad.output
    finally:
        sample[0].__init__(path)  # reopen for the other tests of the module


AWARD = DEFAULT_BASE + "example/award/"


@pytest.mark.parametrize(("award", "on", "expected"), [
    ("karen-eksempel-varmt-arbejde", "2025-01-01", True),    # DK, issued 2023-06-30
    ("soren-eksempel-varmt-arbejde", "2025-01-01", False),   # DK, issued 2023-08-15
    ("ola-eksempel-varme-arbeider", "2025-01-01", True),     # NO, issued 2023-03-02
    ("kari-eksempel-varme-arbeider", "2025-01-01", False),   # NO, issued 2023-09-14
    ("matti-esimerkki-tulityokortti", "2025-01-01", True),   # FI, issued 2022-12-05
    ("maija-esimerkki-tulityokortti", "2025-01-01", False),  # FI, issued 2024-04-22
    ("mette-eksempel-varmt-arbejde", "2027-01-13", False),   # DK, covered but expired 2027-01-12
])
def test_awards_of_the_sample_persons_use_their_own_issue_and_expiry_dates(checker, award, on, expected):
    answer = checker.check(AWARD + award, SE_HOT_WORK, on=on)
    assert answer.satisfied is expected, answer.notes


def test_an_unknown_credential_or_requirement_is_a_clear_error(checker):
    from graph_app.core.errors import InputError

    with pytest.raises(InputError, match="neither a credential nor an award"):
        checker.check(CRED + "no-such-thing", SE_HOT_WORK)
    with pytest.raises(InputError, match="is not a requirement"):
        checker.check(CRED + "heta-arbeten", DEFAULT_BASE + "requirement/no-such-thing")


def test_shared_reasoning_and_the_local_component_give_the_same_answers(sample, checker):
    from graph_app.core.equivalence import reason

    shared = Checker(sample[0], reason(sample[0]))
    for cred in ("varmt-arbejde", "varme-arbeider", "tulityokortti", "heta-arbeten", "esa"):
        for req in (SE_HOT_WORK, NO_HOT_WORK):
            for issued in ("2023-06-30", "2023-07-01"):
                a = checker.check(CRED + cred, req, on="2025-01-01", issued=issued)
                b = shared.check(CRED + cred, req, on="2025-01-01", issued=issued)
                assert (a.satisfied, a.via, a.path) == (b.satisfied, b.via, b.path)
