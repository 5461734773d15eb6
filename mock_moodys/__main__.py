"""``python -m mock_moodys`` / ``mock-moodys``: serve the mock Moody's API."""

from __future__ import annotations

import argparse

import uvicorn

from mock_moodys.app import create_app
from mock_moodys.config import MockConfig


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="mock-moodys", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--clock-factor", type=float, default=60.0)
    parser.add_argument("--manual-clock", action="store_true")
    parser.add_argument("--api-key", default=None, help="required Authorization value")
    parser.add_argument("--state-file", default=None, help="SQLite file to persist state")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--base-id", type=int, default=23_000_000)
    args = parser.parse_args(argv)
    config = MockConfig(
        clock_factor=args.clock_factor,
        manual_clock=args.manual_clock,
        api_key=args.api_key,
        state_file=args.state_file,
        seed=args.seed,
        base_id=args.base_id,
    )
    uvicorn.run(create_app(config), host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
