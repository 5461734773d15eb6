"""``python -m irp_dagster.ops doctor|metrics``: the operations commands without ``irp``."""

from irp_dagster.ops.cli import ops

if __name__ == "__main__":
    ops(prog_name="python -m irp_dagster.ops")
