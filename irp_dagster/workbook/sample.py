"""The project's own sample configuration workbook, generated from code.

A small, realistic cycle: three EDMs (Florida homeowners, Texas commercial, California
earthquake and wildfire), twelve portfolios (five base), three treaties, 23 analyses, 15 groups
(two rollups), with the same ten sheets and columns as a real workbook. It validates clean
and feeds the demo and the tests.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Font

from irp_dagster.workbook import spec as S

DATE = "202606"
PREFIX = f"RM_EDM_{DATE}_Quarterly_"
OUTPUT_PROFILE = "Cycle_Standard_Output"
EVENT_RATES = {
    "LT": "RMS 2025 Long Term Event Rates",
    "NT": "RMS 2025 Medium Term Event Rates",
    "EQ": "RMS 2025 Earthquake Time Independent Rates",
    "ST": "RMS 2025 Severe Convective Storm Rates",
}
#: database suffix -> base portfolios -> (import file, sub-portfolios)
DATABASES: dict[str, dict[str, list[str]]] = {
    "FLHO": {"FLHO": ["FLHO_Coastal", "FLHO_Inland"], "FLCONDO": ["FLCONDO_Miami"]},
    "TXCO": {"TXCO": ["TXCO_Houston", "TXCO_Dallas"]},
    "CACAT": {"CAEQ": ["CAEQ_LA", "CAEQ_SF"], "CAWF": []},
}
TREATIES = [
    ("FL_CatXL_2026", "FL-CXL-26", "Working Excess", 25_000_000, 50_000_000, 10_000_000, 100, 95),
    ("TX_QS_30", "TX-QS-30", "Quota Share", 5_000_000, 120_000_000, 0, 100, 30),
    ("CA_PerRisk_10M", "CA-PR-10", "Working Excess", 10_000_000, 30_000_000, 2_000_000, 100, 100),
]
GEOCODE_LEVELS = [
    ("Null", 0, 1),
    ("Coordinate", 20, 30),
    ("Street address", 45, 30),
    ("High Resolution Postcode / Street Block", 10, 20),
    ("Street Name", 5, 10),
    ("Postcode", 10, 10),
    ("City District/ Admin4", 2, 5),
    ("City/Town", 4, 5),
    ("District / Municipality/Admin3", 1, 2),
    ("State/Province/ Admin1", 1.5, 1),
    ("County/Admin2", 1.5, 1),
]


def _analyses() -> list[dict[str, Any]]:
    """(database, portfolio, name, profile, event rate, treaty, peril) per analysis."""
    rows = []

    def add(
        db: str,
        portfolio: str,
        name: str,
        profile: str,
        rate: str | None,
        treaty: str | None,
        peril: str,
    ) -> None:
        rows.append(
            {
                "Database": PREFIX + db,
                "Portfolio": portfolio,
                "Analysis Name": name,
                "Analysis Profile": profile,
                "Event Rate": rate,
                "treaty": treaty,
                "peril": peril,
            }
        )

    for base, subs in DATABASES["FLHO"].items():
        for portfolio in (base, *subs):
            for horizon in ("LT", "NT"):
                add(
                    "FLHO",
                    portfolio,
                    f"{portfolio}_HU_{horizon}",
                    "DLM FLHU v25",
                    EVENT_RATES[horizon],
                    "FL_CatXL_2026",
                    "HU",
                )
    for portfolio in ("TXCO", *DATABASES["TXCO"]["TXCO"]):
        for horizon in ("LT", "NT"):
            add(
                "TXCO",
                portfolio,
                f"{portfolio}_HU_{horizon}",
                "DLM TXHU v25",
                EVENT_RATES[horizon],
                "TX_QS_30",
                "HU",
            )
        add(
            "TXCO",
            portfolio,
            f"{portfolio}_ST",
            "DLM USST v25",
            EVENT_RATES["ST"],
            "TX_QS_30",
            "ST",
        )
    for portfolio in ("CAEQ", *DATABASES["CACAT"]["CAEQ"]):
        add(
            "CACAT",
            portfolio,
            f"{portfolio}_EQ",
            "DLM CAEQ v25",
            EVENT_RATES["EQ"],
            "CA_PerRisk_10M",
            "EQ",
        )
    add("CACAT", "CAWF", "CAWF_WF", "HD NAWF v3", None, None, "WF")
    return rows


def _groups(analyses: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """Thirteen groups of analyses, then two rollups (groups of groups)."""

    def named(portfolio: str, suffix: str) -> list[str]:
        return [
            a["Analysis Name"]
            for a in analyses
            if a["Portfolio"].startswith(portfolio) and a["Analysis Name"].endswith(suffix)
        ]

    groups = [
        (f"{DATE}_{portfolio}_{suffix}_Group", named(portfolio, f"_{suffix}"))
        for portfolio, suffix in [
            ("FLHO", "HU_LT"),
            ("FLHO", "HU_NT"),
            ("FLCONDO", "HU_LT"),
            ("FLCONDO", "HU_NT"),
            ("TXCO", "HU_LT"),
            ("TXCO", "HU_NT"),
            ("TXCO", "ST"),
            ("CAEQ", "EQ"),
        ]
    ]
    groups += [
        (f"{DATE}_CA_Metro_EQ_Group", ["CAEQ_LA_EQ", "CAEQ_SF_EQ"]),
        (f"{DATE}_FL_Coastal_Group", ["FLHO_Coastal_HU_LT", "FLCONDO_Miami_HU_LT"]),
        (f"{DATE}_TX_Metro_Group", ["TXCO_Houston_HU_LT", "TXCO_Dallas_HU_LT"]),
        (f"{DATE}_CA_All_Perils_Group", ["CAEQ_EQ", "CAWF_WF"]),
        (f"{DATE}_Base_Portfolios_LT_Group", ["FLHO_HU_LT", "FLCONDO_HU_LT", "TXCO_HU_LT"]),
    ]
    groups.append((f"{DATE}_HU_LT_Rollup", [groups[0][0], groups[2][0], groups[4][0]]))
    groups.append(
        (f"{DATE}_Cat_Portfolio_Rollup", [f"{DATE}_HU_LT_Rollup", groups[7][0], "CAWF_WF"])
    )
    return groups


def _sheet(wb: openpyxl.Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "A2"


def write_sample_workbook(path: Path | str) -> Path:
    """Write the sample workbook to ``path`` (parents created) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    meta = wb.active
    meta.title = S.METADATA
    for key, value in [
        ("Current Date Value", DATE),
        ("EDM Data Version", "23.0.0"),
        ("Geocode Version", "23.0.0"),
        ("Hazard Version", "23.0.0"),
        ("DLM Model Version", 23),
        ("Validate DLM Model Versions?", "Y"),
        ("Wildfire HD Model Version", 3),
        ("SCS HD Model Version", 2),
        ("Inland Flood HD Model Version", 1.3),
        ("Validate HD Model Versions?", "N"),
        ("Export RDM Name", f"RM_RDM_{DATE}_Quarterly_Sample"),
        ("Cycle Type", "Quarterly"),
    ]:
        meta.append([key, value])

    portfolios = [
        [name, PREFIX + db, base, "Y" if name == base else "N"]
        for db, bases in DATABASES.items()
        for base, subs in bases.items()
        for name in (base, *subs)
    ]
    analyses = _analyses()
    groups = _groups(analyses)
    start, end = dt.datetime(2026, 6, 1), dt.datetime(2027, 5, 31)
    treaties = [
        [
            name,
            number,
            kind,
            risk,
            occurrence,
            attach,
            start,
            end,
            "US Dollar",
            "Losses Occurring",
            "Location",
            covered,
            placed,
            100,
            100,
            0,
            1,
            0,
            0,
            0,
            1,
            None,
            None,
        ]
        for name, number, kind, risk, occurrence, attach, covered, placed in TREATIES
    ]
    import_files = [base for bases in DATABASES.values() for base in bases]
    products = {
        "HU": ["Homeowners", "Condominium"],
        "ST": ["Commercial Property"],
        "EQ": ["Earthquake Shake"],
        "WF": ["Wildfire"],
    }
    pp_rows: list[list[Any]] = []
    for a in analyses:
        if a["Portfolio"] in import_files:
            peril = a["Analysis Name"].removeprefix(a["Portfolio"] + "_").replace("_", " ")
            for product in products[a["peril"]]:
                pp_rows.append([a["Analysis Name"], f"{a['Portfolio']} {peril}", product])
        else:
            pp_rows.append([a["Analysis Name"], None, None])
    pp_rows += [[name, None, None] for name, _ in groups[-2:]]

    _sheet(wb, S.DATABASES.name, S.DATABASES.column_names, [[PREFIX + db, "Y"] for db in DATABASES])
    _sheet(wb, S.PORTFOLIOS.name, S.PORTFOLIOS.column_names, portfolios)
    _sheet(wb, S.REINSURANCE_TREATIES.name, S.REINSURANCE_TREATIES.column_names, treaties)
    _sheet(
        wb,
        S.GEOHAZ_THRESHOLDS.name,
        S.GEOHAZ_THRESHOLDS.column_names,
        [
            [level, f, share, threshold]
            for f in import_files
            for level, share, threshold in GEOCODE_LEVELS
        ],
    )
    _sheet(
        wb,
        S.ANALYSIS_TABLE.name,
        S.ANALYSIS_TABLE.column_names,
        [
            [
                a["Database"],
                a["Portfolio"],
                a["Analysis Name"],
                a["Analysis Profile"],
                OUTPUT_PROFILE,
                a["Event Rate"],
                a["treaty"],
                None,
                None,
                None,
                None,
                f"{DATE}_Quarterly_{a['Analysis Name']}",
                None,
                None,
                None,
                None,
            ]
            for a in analyses
        ],
    )
    width = max(len(items) for _, items in groups)
    _sheet(
        wb,
        S.GROUPINGS.name,
        ["Group_Name", *(f"Item{i}" for i in range(1, 51))],
        [[name, *items, *([None] * (width - len(items)))] for name, items in groups],
    )
    _sheet(wb, S.PRODUCTS_AND_PERILS.name, S.PRODUCTS_AND_PERILS.column_names, pp_rows)
    profiles = sorted({a["Analysis Profile"] for a in analyses} | {"DLM USFL v25"})
    outputs = [OUTPUT_PROFILE, "Cycle_By_State_Output"]
    rates = sorted(set(EVENT_RATES.values()))
    depth = max(len(profiles), len(outputs), len(rates))
    pad = lambda xs: xs + [None] * (depth - len(xs))  # noqa: E731
    _sheet(
        wb,
        S.MOODYS_REFERENCE_DATA.name,
        S.MOODYS_REFERENCE_DATA.column_names,
        [list(r) for r in zip(pad(profiles), pad(outputs), pad(rates), strict=True)],
    )
    _sheet(
        wb,
        S.EXPOSURE_GROUP_PORTNAME.name,
        S.EXPOSURE_GROUP_PORTNAME.column_names,
        [[f"{f}_Exposure", f] for f in import_files],
    )
    wb.save(path)
    return path
