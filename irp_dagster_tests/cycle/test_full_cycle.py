"""The whole cycle of the sample workbook against the mock Moody's: every batch COMPLETED with the
jobs its transformer implies, each downstream submission built from what upstream recorded."""

from __future__ import annotations

from collections import Counter

from irp_dagster.domain.batch_types import BatchType as BT
from irp_dagster.workbook import validate_workbook

#: sample workbook: 3 databases, 5 base portfolios (7 sub-portfolios), 3 (treaty, EDM) pairs,
#: 23 analyses, 13 groups + 2 rollups, and 23 + 15 RDM exports
EXPECTED_JOBS = {
    BT.DATA_EXTRACTION: 5,
    BT.EDM_CREATION: 3,
    BT.PORTFOLIO_CREATION: 5,
    BT.MRI_IMPORT: 5,
    BT.TREATY_CREATION: 3,
    BT.EDM_UPGRADE: 3,
    BT.GEOHAZ: 5,
    BT.PORTFOLIO_MAPPING: 5,
    BT.ANALYSIS: 23,
    BT.GROUPING: 13,
    BT.GROUPING_ROLLUP: 2,
    BT.RDM_EXPORT: 38,
}


def test_sample_cycle_completes_each_batch_built_from_upstream_results(
    cycle_env, sample_workbook
) -> None:
    """One cycle per database (it is the slow part); each check below reads its outcome."""
    env = cycle_env
    env.driver.start()
    run = env.driver.run_until_done(timeout_seconds=120)
    assert {s.batch_type: s.status for s in run.summaries} == {
        str(t): "COMPLETED" for t in EXPECTED_JOBS
    }
    assert {s.batch_type: (s.jobs, s.finished) for s in run.summaries} == {
        str(t): (n, n) for t, n in EXPECTED_JOBS.items()
    }
    assert not run.failed_runs
    assert run.dagster_runs <= 2 * len(EXPECTED_JOBS) + 1  # + the configuration
    assert env.instance.get_runs_count() == run.dagster_runs  # every run, not just counted ones
    config = validate_workbook(sample_workbook).configuration
    _exposure_is_built_where_upstream_put_it(env, config)
    _models_groups_and_exports_use_recorded_ids(env, config)


def _exposure_is_built_where_upstream_put_it(env, config: dict) -> None:
    edms = env.results(BT.EDM_CREATION)
    exposures = {e["exposureId"]: e for e in env.store("exposures")}
    for name, edm in edms.items():
        assert exposures[int(edm["exposure_id"])]["databaseName"] == edm["database_name"]
        assert edm["database_name"].startswith(name + "_")  # the suffixed name Moody's gave

    base = {r["Portfolio"]: r for r in config["portfolios"] if r["Base Portfolio?"] == "Y"}
    portfolios = env.results(BT.PORTFOLIO_CREATION)
    mock_portfolios = {p["portfolioId"]: p for p in env.store("portfolios")}
    for name, portfolio in portfolios.items():
        edm = edms[base[name]["Database"]]
        assert portfolio["exposure_id"] == edm["exposure_id"]
        assert mock_portfolios[int(portfolio["portfolio_id"])]["_exposureId"] == int(
            edm["exposure_id"]
        )
        posted = env.mock.state.journal(
            f"/platform/riskdata/v1/exposures/{edm['exposure_id']}/portfolios", "POST"
        )
        assert any(p["body"]["portfolioName"] == name for p in posted)

    extracted = env.results(BT.DATA_EXTRACTION)
    imports = env.requests(BT.MRI_IMPORT)
    imported = env.results(BT.MRI_IMPORT)
    for name, portfolio in portfolios.items():
        assert imports[name]["body"]["resourceUri"] == portfolio["uri"]
        accounts = env.mock.state.store.rows(
            "accounts", _portfolioId=int(portfolio["portfolio_id"])
        )
        assert len(accounts) == extracted[name]["accounts"] == imported[name]["accounts"] > 0
        assert sum(a["locationsCount"] for a in accounts) == extracted[name]["locations"]
        assert all(a["geocoded"] for a in accounts)  # GeoHaz ran on the same portfolio

    treaties = env.results(BT.TREATY_CREATION)
    for key, treaty in treaties.items():
        database = key.split("@", 1)[1]
        record = env.mock.state.store.get("treaties", treaty["treaty_id"])
        assert record["_exposureId"] == int(edms[database]["exposure_id"])
        lobs = env.mock.state.store.rows("treatylobs", _treatyId=int(treaty["treaty_id"]))
        assert sorted(lob["lobName"] for lob in lobs) == sorted(treaty["lobs"]) != []

    for exposure_id in (int(e["exposure_id"]) for e in edms.values()):
        assert exposures[exposure_id]["edmDataVersion"] == "23"
    polled = env.mock.state.journal("/riskmodeler/v1/workflows", "GET")
    upgrades = {r["edm_data_version"] for r in env.results(BT.EDM_UPGRADE).values()}
    assert polled and upgrades == {"23"}

    mapped = env.results(BT.PORTFOLIO_MAPPING)
    subs = {r["Portfolio"]: r for r in config["portfolios"] if r["Base Portfolio?"] == "N"}
    created = {n: s for m in mapped.values() for n, s in m["sub_portfolios"].items()}
    assert set(created) == set(subs)
    for name, sub in created.items():
        exposure_id = edms[subs[name]["Database"]]["exposure_id"]
        record = env.mock.state.store.get("portfolios", sub["portfolio_id"])
        assert sub["exposure_id"] == exposure_id
        assert (record["portfolioName"], record["_exposureId"]) == (name, int(exposure_id))


def _models_groups_and_exports_use_recorded_ids(env, config: dict) -> None:
    treaties = env.results(BT.TREATY_CREATION)
    analyses = env.results(BT.ANALYSIS)
    submitted = env.requests(BT.ANALYSIS)
    by_id = {a["analysisId"]: a for a in env.store("analyses")}
    for row in config["analysis_table"]:
        name = row["Analysis Name"]
        record = by_id[int(analyses[name]["analysis_id"])]
        assert (record["analysisName"], record["exposureName"]) == (name, row["Database"])
        assert record["portfolioName"] == row["Portfolio"]  # base or mapped sub-portfolio
        expected_treaties = [
            int(treaties[f"{row[f'Reinsurance Treaty {i}']}@{row['Database']}"]["treaty_id"])
            for i in range(1, 6)
            if row[f"Reinsurance Treaty {i}"]
        ]
        assert submitted[name]["body"]["settings"]["treatyIds"] == expected_treaties
        assert record["engineType"] == ("HD" if row["Analysis Profile"].startswith("HD") else "DLM")
        tag_names = {t["tagId"]: t["tagName"] for t in env.store("tags")}
        assert [tag_names[t] for t in record["tagIds"]] == [
            row[f"Tag {i}"] for i in range(1, 6) if row[f"Tag {i}"]
        ]
    workbook_tags = {r[f"Tag {i}"] for r in config["analysis_table"] for i in range(1, 6)}
    assert len(env.store("tags")) == len(workbook_tags - {None})  # each created once

    groups = {**env.results(BT.GROUPING), **env.results(BT.GROUPING_ROLLUP)}
    uris = {
        **{n: a["uri"] for n, a in analyses.items()},
        **{n: g["uri"] for n, g in groups.items()},
    }
    for group in config["groupings"]:
        record = by_id[int(groups[group["Group_Name"]]["analysis_id"])]
        assert record["engineType"] == "Group"
        members = {by_id[m]["uri"] for m in record["memberAnalysisIds"]}
        assert members == {uris[item] for item in group["items"]}  # rollups contain rollups

    exports = env.results(BT.RDM_EXPORT)
    (seed,) = [name for name, r in exports.items() if r["created_rdm"]]
    assert seed == config["analysis_table"][0]["Analysis Name"]  # the first job is the seed
    rdm_id = exports[seed]["database_id"]
    assert Counter(r["database_id"] for r in exports.values()) == {rdm_id: 38}
    rdm = env.mock.state.store.get("databases", rdm_id)
    assert rdm["databaseName"].startswith(config["metadata"]["Export RDM Name"] + "_")
    assert len(rdm["analysisIds"]) == 38
