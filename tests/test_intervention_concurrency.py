from datetime import date

from odoo import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.locking import lock_skip_locked
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


@tagged("post_install", "-at_install")
class TestConcurrentAlerts(ConcurrencyCase):
    """Two workers raise the alerts of the same visits at the same time, each
    in its own transaction: every visit gets one activity, not two."""

    # Long before the demo data: only the visits of this test are due.
    today = date(2020, 9, 2)

    batch_size_key = "service_contract.cron_batch_size"

    def _create_data(self, env):
        partner = env["res.partner"].create(
            {"name": "Concurrent alerts customer", "is_company": True}
        )
        contracts = env["service.contract"].create(
            [
                {
                    "partner_id": partner.id,
                    "date_start": date(2020, 3, 1),
                    "line_ids": [Command.create({"name": "Visits", "price_unit": 1})],
                    "visit_plan_ids": [
                        Command.create(
                            {
                                "name": "Boiler service",
                                "frequency_type": "count",
                                "count_per_year": 4,
                                "days_early": 10,
                                "days_late": 20,
                            }
                        )
                    ],
                }
                for _i in range(5)
            ]
        )
        contracts.action_sign()
        visits = contracts._generate_interventions(self.today)
        due = visits.filtered(lambda v: v.date_window_start <= self.today)
        self.ids = {
            "due": due.ids,
            "late": due.filtered(lambda v: v.date_window_end < self.today).ids,
        }
        return {"service.contract": contracts.ids, "res.partner": partner.ids}

    def _remove_contract_data(self, contracts):
        visits = contracts.env["service.intervention"].search(
            [("contract_id", "in", contracts.ids)]
        )
        visits.activity_ids.unlink()
        contracts.env.cr.execute(
            "DELETE FROM service_intervention WHERE contract_id IN %s",
            [tuple(contracts.ids)],
        )

    @mute_logger("odoo.sql_db")
    def test_two_workers_raise_one_alert_per_visit(self):
        # 5 contracts, each with late visits (March, June) and one to plan
        # (September): the test is about both levels.
        self.assertEqual(len(self.ids["late"]), 5 * 2)
        self.assertEqual(len(self.ids["due"]), 5 * 3)
        # A worker that locked a visit the other one alerted and committed
        # meanwhile is rolled back and runs again, as Odoo does.
        results = self._run_cron_twice(
            lambda env: env["service.contract"]._cron_alerts(today=self.today),
            retry=True,
        )
        self.assertEqual(sum(results), 5 * 3)
        with self.registry.cursor() as cr:
            env = self._env(cr)
            for visit in env["service.intervention"].browse(self.ids["due"]):
                self.assertEqual(len(visit.activity_ids), 1, visit.name)
                self.assertEqual(
                    visit.activity_ids.activity_type_id.name,
                    "Late visit" if visit.id in self.ids["late"] else "Visit to plan",
                )
                self.assertEqual(
                    visit.alert_sent, "late" if visit.id in self.ids["late"] else "plan"
                )

    def test_a_worker_leaves_the_visits_another_one_holds(self):
        """A first worker has alerted three visits and not committed yet: a
        second one neither waits for it nor alerts them again; it alerts
        the others."""
        held_ids = self.ids["due"][:3]
        with self.registry.cursor() as first_cr:
            held = self._env(first_cr)["service.intervention"].browse(held_ids)
            lock_skip_locked(held)
            late = held.filtered(lambda v: v.id in self.ids["late"])
            late._schedule_alert("late", self.today)
            (held - late)._schedule_alert("plan", self.today)
            held.env.flush_all()
            with self.registry.cursor() as second_cr:
                second_cr.execute("SET LOCAL lock_timeout = '5s'")
                Contract = self._env(second_cr)["service.contract"]
                count = Contract._cron_alerts(today=self.today)
            self.assertEqual(count, len(self.ids["due"]) - 3)
        with self.registry.cursor() as cr:
            visits = self._env(cr)["service.intervention"].browse(self.ids["due"])
            for visit in visits:
                self.assertEqual(len(visit.activity_ids), 1, visit.name)
            # Nothing failed (no lock wait timed out): no activity on them.
            self.assertFalse(visits.contract_id.activity_ids)
