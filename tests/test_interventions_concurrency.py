from datetime import date

from odoo import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ConcurrencyCase


@tagged("post_install", "-at_install")
class TestConcurrentGeneration(ConcurrencyCase):
    """Two workers generate the visits of the same contracts at the same
    time, each in its own transaction: every visit exists once."""

    today = date(2026, 1, 1)

    batch_size_key = "service_contract.visit_batch_size"

    def _create_data(self, env):
        partner = env["res.partner"].create(
            {"name": "Concurrent visits customer", "is_company": True}
        )
        sites = env["res.partner"].create(
            [
                {"name": f"Site {i}", "parent_id": partner.id, "type": "site"}
                for i in range(2)
            ]
        )
        contracts = env["service.contract"].create(
            [
                {
                    "partner_id": partner.id,
                    "date_start": date(2026, 1, 1),
                    "site_ids": [Command.set(sites.ids)],
                    "line_ids": [Command.create({"name": "Visits", "price_unit": 1})],
                    "visit_plan_ids": [
                        Command.create(
                            {
                                "name": "Check",
                                "frequency_type": "interval",
                                "interval": 1,
                                "interval_unit": "week",
                                "per_site": True,
                            }
                        )
                    ],
                }
                for _i in range(5)
            ]
        )
        contracts.action_sign()
        return {
            "service.contract": contracts.ids,
            "res.partner": [*sites.ids, partner.id],
        }

    def _remove_contract_data(self, contracts):
        contracts.env.cr.execute(
            "DELETE FROM service_intervention WHERE contract_id IN %s",
            [tuple(contracts.ids)],
        )

    @mute_logger("odoo.sql_db")
    def test_two_workers_create_each_visit_once(self):
        results = self._run_cron_twice(
            lambda env: env["service.contract"]._cron_generate_interventions(
                today=self.today
            )
        )
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT plan_id, site_id, date_due, COUNT(*) FROM service_intervention "
                "WHERE contract_id IN %s GROUP BY 1, 2, 3",
                [tuple(self.record_ids["service.contract"])],
            )
            rows = cr.fetchall()
        # 5 contracts x 2 sites x weekly visits over the 60-day horizon
        # (2026-01-01 .. 2026-03-02: 9 due dates)
        self.assertEqual(len(rows), 5 * 2 * 9)
        self.assertEqual({row[3] for row in rows}, {1})
        self.assertEqual(sum(results), 5 * 2 * 9)
