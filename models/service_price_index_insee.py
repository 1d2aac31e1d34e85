import logging

import requests

from odoo import api, models
from odoo.exceptions import UserError

from .insee_sdmx import SdmxError, parse_monthly_observations

_logger = logging.getLogger(__name__)

INSEE_SDMX_URL = "https://bdm.insee.fr/series/sdmx/data/SERIES_BDM/%s"
INSEE_TIMEOUT = 30


class ServicePriceIndex(models.Model):
    """Values fetched from INSEE's macro-economic database (BDM), through its
    SDMX web service, for the indices that have an idbank."""

    _inherit = "service.price.index"

    def action_fetch_insee(self):
        """Fetch the values of these indices now; say what was done."""
        indices = self.filtered("idbank")
        if not indices:
            raise UserError(
                self.env._("Set the INSEE idbank of the index to fetch its values.")
            )
        created = updated = 0
        for index in indices:
            new, changed = index._fetch_insee_values()
            created += new
            updated += changed
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "INSEE values fetched: %(created)s new, %(updated)s updated.",
                    created=created,
                    updated=updated,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _fetch_insee_values(self):
        """Fetch this index's series from INSEE and store its months.

        :return: (number of values created, number of values changed)
        :raise UserError: INSEE unreachable, unknown series, unreadable answer
        """
        self.ensure_one()
        self.check_access("write")
        content = self._get_insee_series(self.idbank.strip())
        try:
            observations = parse_monthly_observations(content)
        except SdmxError as error:
            raise UserError(
                self.env._(
                    "The answer of INSEE for the series %(idbank)s could not be "
                    "read: %(error)s",
                    idbank=self.idbank,
                    error=error,
                )
            ) from error
        if not observations:
            raise UserError(
                self.env._(
                    "INSEE returned no monthly value for the series %(idbank)s.",
                    idbank=self.idbank,
                )
            )
        return self._store_values(observations)

    def _get_insee_series(self, idbank):
        """The SDMX message of one BDM series (bytes)."""
        try:
            response = requests.get(
                INSEE_SDMX_URL % requests.utils.quote(idbank, safe=""),
                headers={"Accept": "application/xml"},
                timeout=INSEE_TIMEOUT,
            )
        except (requests.ConnectionError, requests.Timeout) as error:
            raise UserError(
                self.env._(
                    "INSEE could not be reached (%(error)s). Check the connection "
                    "of the server to the internet and try again later.",
                    error=error.__class__.__name__,
                )
            ) from error
        if response.status_code == 404:
            raise UserError(
                self.env._(
                    "INSEE has no series with the idbank %(idbank)s.", idbank=idbank
                )
            )
        if not response.ok:
            raise UserError(
                self.env._(
                    "INSEE refused the request for the series %(idbank)s "
                    "(HTTP %(status)s).",
                    idbank=idbank,
                    status=response.status_code,
                )
            )
        return response.content

    def _store_values(self, observations):
        """Create the missing months and update the changed ones, reading the
        existing values in one query.

        :param observations: [(first day of the month, value)]
        :return: (number created, number updated)
        """
        self.ensure_one()
        Value = self.env["service.price.index.value"]
        existing = {
            value.date: value
            for value in Value.search(
                [
                    ("index_id", "=", self.id),
                    ("date", "in", [month for month, _value in observations]),
                ]
            )
        }
        to_create = []
        updated = 0
        for month, number in observations:
            value = existing.get(month)
            if not value:
                to_create.append({"index_id": self.id, "date": month, "value": number})
            elif round(value.value - number, 4):
                value.value = number
                updated += 1
        Value.create(to_create)
        return len(to_create), updated

    @api.model
    def _cron_fetch_insee_indices(self):
        """Daily when enabled (disabled by default: it calls INSEE): fetch the
        values of every active index with an idbank. An index that fails is
        logged and does not stop the others.

        Not through ``_run_isolated``: it runs a whole batch, then each
        record again when one fails, which would call INSEE twice for the
        same series; and its trace is an activity on a contract, which an
        index does not have (the contracts revised with it get the "price
        revision blocked" activity when a value is missing)."""
        for index in self.search([("idbank", "!=", False)]):
            try:
                with self.env.cr.savepoint():
                    index._fetch_insee_values()
            except Exception:  # noqa: BLE001 - logged, the others go on
                self.env.invalidate_all(flush=False)
                _logger.warning(
                    "Fetching the INSEE values of %s failed",
                    index.display_name,
                    exc_info=True,
                )
            self.env["service.contract"]._commit_batch()
