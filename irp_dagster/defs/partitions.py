"""The ``cycles`` dynamic partition set: one partition per modelling cycle (e.g. ``2026-Q1``)."""

import dagster as dg

cycles = dg.DynamicPartitionsDefinition(name="cycles")
