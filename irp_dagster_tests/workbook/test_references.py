"""Moody's checks through the ReferenceChecker protocol, with an in-memory fake."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pytest

from irp_dagster.workbook import ReferenceChecker, validate_workbook

from .conftest import set_cell
from .test_intents import AT, DB


@dataclass
class FakeMoodys:
    """Knows everything except the names listed as missing; EDMs/RDMs exist when listed."""

    missing: set[str] = field(default_factory=set)
    existing_databases: set[str] = field(default_factory=set)
    broken: bool = False
    calls: Counter = field(default_factory=Counter)

    def _ask(self, method: str, name: str) -> bool:
        self.calls[(method, name)] += 1
        if self.broken:
            raise ConnectionError("Moody's is unreachable")
        return name not in self.missing

    def model_profile_exists(self, name: str) -> bool:
        return self._ask("model_profile_exists", name)

    def output_profile_exists(self, name: str) -> bool:
        return self._ask("output_profile_exists", name)

    def event_rate_scheme_exists(self, name: str) -> bool:
        return self._ask("event_rate_scheme_exists", name)

    def edm_exists(self, name: str) -> bool:
        self.calls[("edm_exists", name)] += 1
        return name in self.existing_databases

    def rdm_exists(self, name: str) -> bool:
        self.calls[("rdm_exists", name)] += 1
        return name in self.existing_databases


def test_fake_implements_the_protocol() -> None:
    assert isinstance(FakeMoodys(), ReferenceChecker)


def test_everything_known_is_valid_and_each_name_is_asked_once(real_workbook, real_validation):
    fake = FakeMoodys()
    result = validate_workbook(real_workbook, reference_checker=fake)
    assert result.ok, result.errors_markdown()
    assert set(fake.calls.values()) == {1}
    analyses = real_validation.configuration["analysis_table"]
    profiles = {a["Analysis Profile"] for a in analyses}
    assert {n for m, n in fake.calls if m == "model_profile_exists"} == profiles
    rates = {a["Event Rate"] for a in analyses if a["Event Rate"]}
    assert {n for m, n in fake.calls if m == "event_rate_scheme_exists"} == rates
    assert ("rdm_exists", "RM_RDM_202503_QEM_USAP") in fake.calls
    assert sum(m == "edm_exists" for m, _ in fake.calls) == 7


def test_unknown_profile_is_reported_on_every_row_using_it(real_workbook, real_validation):
    analyses = real_validation.configuration["analysis_table"]
    profile = analyses[0]["Analysis Profile"]
    fake = FakeMoodys(missing={profile, "Modeling_Output_Profile"})
    result = validate_workbook(real_workbook, reference_checker=fake)
    rows = [a["_row"] for a in analyses if a["Analysis Profile"] == profile]
    assert [(e.code, e.row) for e in result.errors if e.code == "REF-008"] == [
        ("REF-008", r) for r in rows
    ]
    assert {e.column for e in result.errors if e.code == "REF-009"} == {"Output Profile"}
    assert fake.calls[("model_profile_exists", profile)] == 1


def test_existing_edm_and_rdm_are_reported(real_workbook) -> None:
    fake = FakeMoodys(existing_databases={"RM_EDM_202503_Quarterly_USEQ", "RM_RDM_202503_QEM_USAP"})
    result = validate_workbook(real_workbook, reference_checker=fake)
    assert [(e.code, e.sheet, e.row, e.column) for e in result.errors] == [
        ("BUS-008", DB, 3, "Database"),
        ("BUS-009", "Metadata", 11, "Export RDM Name"),
    ]


def test_an_unreachable_moodys_is_an_error_not_an_exception(real_workbook) -> None:
    fake = FakeMoodys(broken=True)
    result = validate_workbook(real_workbook, reference_checker=fake)
    assert not result.ok
    assert {e.code for e in result.errors} == {"REF-011"}
    assert "unreachable" in result.errors[0].message
    assert max(fake.calls.values()) == 1


@pytest.mark.parametrize("checker", [None, FakeMoodys()], ids=["without", "with"])
def test_moodys_is_not_asked_when_the_workbook_has_errors(mutate, checker) -> None:
    result = validate_workbook(mutate(set_cell(AT, "D2", "FAKE")), reference_checker=checker)
    assert [e.code for e in result.errors] == ["REF-004"]
    if checker is not None:
        assert not checker.calls
