"""Benchmark: how fast the mock answers submissions and bulk polls (real HTTP, manual clock).

Run: ``uv run python bench/mock_polling.py [jobs]``. Goal: 1,000 submissions and a full bulk
poll of them (10 pages of ``jobId IN (...)``) each well under 10 s on one core.
"""

from __future__ import annotations

import sys
import time

import httpx

from mock_moodys.config import MockConfig
from mock_moodys.server import MockServer

RISKDATA = "/platform/riskdata/v1"


def main(jobs: int = 1000) -> None:
    headers = {"Authorization": "bench", "x-rms-resource-group-id": "bench"}
    with (
        MockServer(MockConfig(manual_clock=True)) as server,
        httpx.Client(base_url=server.base_url, headers=headers) as http,
    ):
        server_id = http.get(f"{RISKDATA}/dataservers").json()[0]["serverId"]
        created = http.post(f"{RISKDATA}/exposuresets", json={"exposureSetName": "bench"})
        set_id = created.headers["location"].rsplit("/", 1)[-1]
        start = time.perf_counter()
        ids = []
        for n in range(jobs):
            response = http.post(
                f"{RISKDATA}/exposuresets/{set_id}/exposures",
                json={"exposureName": f"EDM_{n}", "serverId": server_id},
                headers={"x-rms-requestid": f"bench-{n}"},
            )
            ids.append(response.headers["location"].rsplit("/", 1)[-1])
        submitted = time.perf_counter() - start
        server.state.advance(60)
        start = time.perf_counter()
        seen = 0
        for offset in range(0, len(ids), 100):
            quoted = ",".join(f'"{i}"' for i in ids[offset : offset + 100])
            seen += len(
                http.get(f"{RISKDATA}/jobs", params={"filter": f"jobId IN ({quoted})"}).json()
            )
        polled = time.perf_counter() - start
    print(f"{jobs} submissions: {submitted:.2f} s ({jobs / submitted:.0f}/s)")
    print(f"bulk poll of {seen} jobs in {len(range(0, len(ids), 100))} pages: {polled:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
