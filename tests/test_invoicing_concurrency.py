from datetime import date

from psycopg2 import errors

from odoo import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.service_lifecycle_guard import lifecycle_write
from .common import ConcurrencyCase


@tagged("post_install", "-at_install")
class TestConcurrentInvoicing(ConcurrencyCase):
    """Two workers run the invoicing scheduled action on the same data at the
    same time, each in its own database transaction: every due period is
    invoiced exactly once."""

    today = date(2026, 3, 1)

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = self._env(cr)
            env["ir.config_parameter"].set_param(
                "service_contract.invoice_batch_size", "2"
            )
            partner = env["res.partner"].create({"name": "Concurrent customer"})
            product = env["product.product"].create(
                {"name": "Concurrent service", "type": "service", "list_price": 100}
            )
            contracts = env["service.contract"].create(
                [
                    {
                        "partner_id": partner.id,
                        "date_start": date(2026, 1, 1),
                        "invoicing_frequency": "month",
                        "invoicing_mode": "advance",
                        "line_ids": [Command.create({"product_id": product.id})],
                    }
                    for _i in range(6)
                ]
            )
            contracts.action_sign()
            self.ids = {
                "partner": partner.id,
                "product": product.id,
                "contracts": contracts.ids,
            }
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            contracts = env["service.contract"].browse(self.ids["contracts"])
            contracts.period_ids.move_id.unlink()
            with lifecycle_write():  # test data, removed as it came
                contracts.write({"state": "cancel"})
            contracts.unlink()
            env["product.product"].browse(self.ids["product"]).unlink()
            env["res.partner"].browse(self.ids["partner"]).unlink()
            env["ir.config_parameter"].set_param(
                "service_contract.invoice_batch_size", False
            )

    def _worker(self, results):
        for _attempt in range(5):
            try:
                with self.registry.cursor() as cr:
                    Contract = self._env(cr)["service.contract"]
                    results.append(Contract._cron_create_invoices(today=self.today))
                    return
            except errors.SerializationFailure:
                # This worker locked a period that the other one invoiced and
                # committed meanwhile: its transaction is rolled back and, as
                # Odoo does for scheduled actions, it runs again.
                continue

    @mute_logger("odoo.sql_db")
    def test_two_workers_invoice_each_period_once(self):
        results = self._run_twice_concurrently(self._worker)
        with self.registry.cursor() as cr:
            env = self._env(cr)
            periods = env["service.contract.period"].search(
                [
                    ("contract_id", "in", self.ids["contracts"]),
                    ("invoice_date", "<=", self.today),
                ]
            )
            # 6 contracts x January, February, March
            self.assertEqual(len(periods), 18)
            self.assertEqual(set(periods.mapped("state")), {"invoiced"})
            moves = periods.move_id
            self.assertEqual(len(moves), 18)
            lines = env["account.move.line"].search(
                [
                    ("service_contract_id", "in", self.ids["contracts"]),
                    ("display_type", "=", "product"),
                ]
            )
            self.assertEqual(len(lines), 18)
            self.assertEqual(sum(results), 18)
