"""Portfolio creation (sync): each base portfolio in the EDM its Databases row created."""

from __future__ import annotations

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.moodys.client import MoodysClient
from irp_dagster.services.handlers import BatchContext, SubmitHandler, SubmitOutcome, register
from irp_dagster.services.handlers._common import (
    ensure_portfolio,
    portfolio_outcome,
    portfolios_path,
    sync_outcome,
)


@register(BatchType.PORTFOLIO_CREATION)
class PortfolioCreationHandler(SubmitHandler):
    def prepare(self, client: MoodysClient, context: BatchContext) -> dict:
        return {"context": context}

    def submit(self, client, data, request_id, prepared, on_retry) -> SubmitOutcome:
        edm = prepared["context"].result(BatchType.EDM_CREATION, data["Database"])
        name = data["Portfolio"]
        portfolio_id, created = ensure_portfolio(
            client, edm["exposure_id"], name, request_id, on_retry
        )
        return sync_outcome(
            request={"path": portfolios_path(edm["exposure_id"]), "portfolioName": name},
            response={"portfolio_id": portfolio_id, "created": created},
            result={
                **portfolio_outcome(edm, name, portfolio_id),
                "import_file": data["Import File"],
            },
        )
