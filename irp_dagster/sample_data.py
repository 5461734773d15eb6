"""Built-in sample exposure data: what data extraction produces when no source database is
configured (demo, tests). Deterministic per import file, realistic in shape (MRI CSV columns)."""

from __future__ import annotations

import random
import zlib

import pandas as pd

STATES = [
    ("FL", "Miami", 25.76, -80.19),
    ("TX", "Houston", 29.76, -95.37),
    ("CA", "Los Angeles", 34.05, -118.24),
    ("LA", "New Orleans", 29.95, -90.07),
    ("SC", "Charleston", 32.78, -79.93),
    ("NC", "Wilmington", 34.21, -77.89),
]
CONSTRUCTION = ["Wood frame", "Masonry", "Reinforced concrete", "Steel"]
LINES_OF_BUSINESS = ["Personal Property", "Commercial Property"]
CEDANT = "IRP Sample Cedant"


def sample_exposure(import_file: str, accounts: int = 20) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(accounts, locations) frames for one import file, seeded by its name."""
    rng = random.Random(zlib.crc32(import_file.encode()))
    account_rows, location_rows = [], []
    for a in range(1, accounts + 1):
        account = f"{import_file}-A{a:04d}"
        account_rows.append(
            {
                "ACCNTNUM": account,
                "ACCNTNAME": f"Insured {a}",
                "POLICYNUM": f"P{a:06d}",
                "CEDANTID": "IRPS",
                "CEDANTNAME": CEDANT,
                "LOBNAME": rng.choice(LINES_OF_BUSINESS),
                "BLANLIMAMT": rng.randint(1, 50) * 1e5,
            }
        )
        for loc in range(1, rng.randint(2, 8)):
            state, city, lat, lon = rng.choice(STATES)
            location_rows.append(
                {
                    "ACCNTNUM": account,
                    "LOCNUM": f"{account}-L{loc:02d}",
                    "STATECODE": state,
                    "CITY": city,
                    "LATITUDE": round(lat + rng.uniform(-0.3, 0.3), 5),
                    "LONGITUDE": round(lon + rng.uniform(-0.3, 0.3), 5),
                    "BLDGCLASS": rng.choice(CONSTRUCTION),
                    "EQCV1VAL": rng.randint(2, 40) * 25_000,
                    "WSCV1VAL": rng.randint(2, 40) * 25_000,
                }
            )
    return pd.DataFrame(account_rows), pd.DataFrame(location_rows)
