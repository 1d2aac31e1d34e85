from datetime import date

from odoo import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ConcurrencyCase


@tagged("post_install", "-at_install")
class TestConcurrentInvoicing(ConcurrencyCase):
    """Two workers run the invoicing scheduled action on the same data at the
    same time, each in its own database transaction: every due period is
    invoiced exactly once."""

    today = date(2026, 3, 1)

    batch_size_key = "service_contract.invoice_batch_size"

    def _create_data(self, env):
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
        return {
            "service.contract": contracts.ids,
            "product.product": product.ids,
            "res.partner": partner.ids,
        }

    def _remove_contract_data(self, contracts):
        contracts.period_ids.move_id.unlink()

    @mute_logger("odoo.sql_db")
    def test_two_workers_invoice_each_period_once(self):
        # A worker that locked a period the other one invoiced and committed
        # meanwhile is rolled back and, as Odoo does for scheduled actions,
        # runs again.
        results = self._run_cron_twice(
            lambda env: env["service.contract"]._cron_create_invoices(today=self.today),
            retry=True,
        )
        with self.registry.cursor() as cr:
            env = self._env(cr)
            periods = env["service.contract.period"].search(
                [
                    ("contract_id", "in", self.record_ids["service.contract"]),
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
                    ("service_contract_id", "in", self.record_ids["service.contract"]),
                    ("display_type", "=", "product"),
                ]
            )
            self.assertEqual(len(lines), 18)
            self.assertEqual(sum(results), 18)

    def _remove_triggers(self, before):
        """Remove the triggers the scheduled actions left (to start their
        copy, to retry soon): committed, they would outlive the test."""
        with self.registry.cursor() as cr:
            Trigger = self._env(cr)["ir.cron.trigger"]
            Trigger.search([("id", "not in", before)]).unlink()

    @mute_logger("odoo.sql_db")
    def test_the_two_scheduled_actions_share_the_run(self):
        """The invoicing and its copy (the second worker), each run as
        Odoo's cron runner does (its id in the context), at the same time:
        each period invoiced once, by one of them."""
        with self.registry.cursor() as cr:
            env = self._env(cr)
            crons = iter(
                [
                    env.ref("service_contract.ir_cron_create_invoices").id,
                    env.ref("service_contract.ir_cron_create_invoices_worker_2").id,
                ]
            )
            before = env["ir.cron.trigger"].search([]).ids
        self.addCleanup(self._remove_triggers, before)

        def worker(results):
            cron_id = next(crons)  # one each (atomic under the GIL)
            with self.registry.cursor() as cr:
                env = self._env(cr)(context={"cron_id": cron_id})
                results.append(
                    env["service.contract"]._cron_create_invoices(today=self.today)
                )

        results = self._run_twice_concurrently(worker)
        with self.registry.cursor() as cr:
            env = self._env(cr)
            periods = env["service.contract.period"].search(
                [
                    ("contract_id", "in", self.record_ids["service.contract"]),
                    ("invoice_date", "<=", self.today),
                ]
            )
            # A batch left to the other worker's transaction is retried by
            # the scheduled action's next run: run it as it would.
            results.append(
                env["service.contract"]._cron_create_invoices(today=self.today)
            )
            self.assertEqual(len(periods), 18)
            self.assertEqual(set(periods.mapped("state")), {"invoiced"})
            self.assertEqual(len(periods.move_id), 18)
            self.assertEqual(sum(results), 18)
