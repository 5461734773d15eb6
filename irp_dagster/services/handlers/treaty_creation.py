"""Treaty creation (sync): a reinsurance treaty in an EDM, with the EDM's lines of business.

The treaty needs the EDM's single cedant and its LOBs, which appear with the MRI import. Safe to
re-run: an existing treaty is reused and only its missing LOBs are added.
"""

from __future__ import annotations

from typing import Any

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.moodys_payloads import treaty_body
from irp_dagster.moodys.client import MoodysClient, RetryCallback
from irp_dagster.services.handlers import (
    BatchContext,
    SubmitHandler,
    SubmitOutcome,
    SubmitRejectedError,
    register,
)
from irp_dagster.services.handlers._common import derived_key, exposure_path, sync_outcome


def _cedant(client: MoodysClient, exposure: str, edm: dict[str, Any]) -> dict[str, Any]:
    cedants = client.search(f"{exposure}/cedants")
    if len(cedants) != 1:
        raise SubmitRejectedError(
            f"EDM {edm.get('database_name')} has {len(cedants)} cedants; a treaty needs exactly "
            "one (cedants appear with the MRI import)"
        )
    return {k: cedants[0][k] for k in ("cedantId", "cedantName")}


def _attach_lobs(
    client: MoodysClient, exposure: str, treaty_id: str, request_id: str, on_retry: RetryCallback
) -> list[str]:
    treaty_lobs = f"{exposure}/treaties/{treaty_id}/lob"
    attached = {str(row["lobId"]) for row in client.search(treaty_lobs)}
    names = []
    for lob in client.search(f"{exposure}/lobs"):
        names.append(lob["lobName"])
        if str(lob["lobId"]) not in attached:
            client.submit(
                treaty_lobs,
                {"lobId": lob["lobId"], "lobName": lob["lobName"]},
                derived_key(request_id, f"lob-{lob['lobId']}"),
                on_retry=on_retry,
            )
    return names


@register(BatchType.TREATY_CREATION)
class TreatyCreationHandler(SubmitHandler):
    def prepare(self, client: MoodysClient, context: BatchContext) -> dict[str, Any]:
        return {"context": context, "currencies": {}}

    def _currency(self, client: MoodysClient, name: str, prepared: dict) -> dict[str, Any]:
        if name not in prepared["currencies"]:
            prepared["currencies"][name] = client.find_currency(name)
        return prepared["currencies"][name]

    def submit(self, client, data, request_id, prepared, on_retry) -> SubmitOutcome:
        edm = prepared["context"].result(BatchType.EDM_CREATION, data["Database"])
        exposure = exposure_path(edm["exposure_id"])
        name = data["Treaty Name"]
        existing = client.search(f"{exposure}/treaties", f'treatyName="{name}"')
        if existing:
            treaty_id, created = str(existing[0]["treatyId"]), False
        else:
            currency = self._currency(client, data.get("Currency") or "USD", prepared)
            body = treaty_body(data, currency, _cedant(client, exposure, edm))
            path = f"{exposure}/treaties"
            treaty_id = client.submit(path, body, request_id, on_retry=on_retry).job_id
            created = True
        lobs = _attach_lobs(client, exposure, treaty_id, request_id, on_retry)
        return sync_outcome(
            request={"path": f"{exposure}/treaties", "treatyName": name},
            response={"treaty_id": treaty_id, "created": created, "lobs": lobs},
            result={
                "treaty_id": treaty_id,
                "treaty_name": name,
                "exposure_id": edm["exposure_id"],
                "database_name": edm.get("database_name"),
                "uri": f"{exposure}/treaties/{treaty_id}",
                "lobs": lobs,
            },
        )
