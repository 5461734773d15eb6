"""Operations: ``irp doctor`` (health checks), the Prometheus exporter and process logging.

Nothing here is Dagster wiring; these run beside the deployment (compose services, operators'
shells) and read the same settings and domain tables as the engine.
"""
