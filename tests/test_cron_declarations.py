from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged
from odoo.tools import SQL

from .common import ServiceContractCase, create_contract

# Scheduled methods whose cron is disabled by design: they call an outside
# service (INSEE), so the administrator enables them.
DISABLED_BY_DESIGN = {("service.price.index", "_cron_fetch_insee_indices")}
# Scheduled methods that run every hour rather than every day: response
# deadlines of breakdowns are counted in hours.
HOURLY = {("service.contract", "_cron_response_deadlines")}

# Also run on a database installed without demo data (tools/test, in CI).


@tagged("post_install", "-at_install")
class TestCronDeclarations(ServiceContractCase):
    def _scheduled_methods(self):
        """(model, method) of every scheduled method the module defines."""
        methods = set()
        for name, model_class in self.env.registry.items():
            if model_class._abstract or model_class._transient:
                continue
            for attribute in dir(model_class):
                if attribute.startswith("_cron_") and getattr(
                    getattr(model_class, attribute), "__module__", ""
                ).startswith("odoo.addons.service_contract."):
                    methods.add((name, attribute))
        return methods

    def test_every_scheduled_method_has_an_active_cron(self):
        """Active, except those disabled by design (DISABLED_BY_DESIGN)."""
        methods = self._scheduled_methods()
        self.assertIn(("service.contract", "_cron_process_terms"), methods)
        self.assertIn(("service.contract", "_cron_create_invoices"), methods)
        crons = (
            self.env["ir.cron"]
            .with_context(active_test=False)
            .search([("state", "=", "code")])
        )
        for model, method in sorted(methods):
            with self.subTest(method=method):
                matching = crons.filtered(
                    lambda c, m=model, n=method: c.model_id.model == m
                    and f"model.{n}(" in (c.code or "")
                )
                self.assertTrue(matching, f"no scheduled action calls {method}")
                self.assertEqual(
                    set(matching.mapped("active")),
                    {(model, method) not in DISABLED_BY_DESIGN},
                )
                self.assertEqual(matching.user_id, self.env.ref("base.user_root"))
                self.assertEqual(
                    set(matching.mapped("interval_type")),
                    {"hours" if (model, method) in HOURLY else "days"},
                )
                self.assertEqual(set(matching.mapped("interval_number")), {1})

    def test_batch_size_parameters_are_seeded(self):
        Param = self.env["ir.config_parameter"].sudo()
        self.assertEqual(Param.get_param("service_contract.cron_batch_size"), "500")
        self.assertEqual(Param.get_param("service_contract.invoice_batch_size"), "1000")
        self.assertEqual(Param.get_param("service_contract.visit_batch_size"), "500")

    def test_batch_size_from_settings_or_default(self):
        Contract = self.env["service.contract"]
        settings = self.env["res.config.settings"].create(
            {
                "service_cron_batch_size": 50,
                "service_invoice_batch_size": 200,
                "service_visit_batch_size": 20,
            }
        )
        settings.execute()
        self.assertEqual(Contract._get_cron_batch_size(), 50)
        self.assertEqual(
            Contract._get_cron_batch_size("service_contract.invoice_batch_size"), 200
        )
        self.assertEqual(
            Contract._get_cron_batch_size("service_contract.visit_batch_size"), 20
        )
        Param = self.env["ir.config_parameter"].sudo()
        for value in ("zero", "0", "-5"):
            Param.set_param("service_contract.cron_batch_size", value)
            self.assertEqual(Contract._get_cron_batch_size(), 500)
        Param.search([("key", "=", "service_contract.visit_batch_size")]).unlink()
        self.assertEqual(
            Contract._get_cron_batch_size("service_contract.visit_batch_size"), 500
        )


@tagged("post_install", "-at_install")
class TestCronWorkers(ServiceContractCase):
    """A scheduled action with more than one batch to do starts its copies
    (the other active scheduled actions of the same code), so that every
    free cron worker takes a share of the batches."""

    def setUp(self):
        super().setUp()
        self.main = self.env.ref("service_contract.ir_cron_create_invoices")
        self.copy = self.env.ref("service_contract.ir_cron_create_invoices_worker_2")
        self.Trigger = self.env["ir.cron.trigger"]
        self.Trigger.search([]).unlink()
        self.contracts = self._create_running_contract() | (
            self._create_running_contract()
        )

    def _run(self, cron):
        self.env["service.contract"].with_context(
            cron_id=cron.id
        )._cron_create_invoices(today=date(2024, 3, 15))

    def test_the_invoicing_ships_with_a_copy(self):
        self.assertEqual(self.copy.code, self.main.code)
        self.assertTrue(self.copy.active)

    def test_several_batches_start_the_copies(self):
        self.env["ir.config_parameter"].set_param(
            "service_contract.invoice_batch_size", "1"
        )
        self._run(self.main)
        self.assertEqual(self.Trigger.search([]).cron_id, self.copy)
        self.assertEqual(self.contracts.mapped("invoice_count"), [1, 1])
        # Not a second time while the first trigger is pending.
        self._run(self.main)
        self.assertEqual(len(self.Trigger.search([])), 1)

    def test_the_copy_starts_the_main_action(self):
        self.env["ir.config_parameter"].set_param(
            "service_contract.invoice_batch_size", "1"
        )
        self._run(self.copy)
        self.assertEqual(self.Trigger.search([]).cron_id, self.main)

    def test_one_batch_starts_nothing(self):
        self._run(self.main)
        self.assertFalse(self.Trigger.search([]))
        self.assertEqual(self.contracts.mapped("invoice_count"), [1, 1])

    def test_a_manual_run_starts_nothing(self):
        self.env["ir.config_parameter"].set_param(
            "service_contract.invoice_batch_size", "1"
        )
        self.env["service.contract"]._cron_create_invoices(today=date(2024, 3, 15))
        self.assertFalse(self.Trigger.search([]))


@tagged("post_install", "-at_install")
class TestCronTimeZone(ServiceContractCase):
    """At 2026-06-30 13:00 UTC, it is already 2026-07-01 01:00 in Auckland.
    Contracts started on 2025-07-01 for one year end on 2026-06-30: the
    Auckland company's contract is due, the UTC company's is not yet."""

    NOW = "2026-06-30 13:00:00"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "UTC"
        cls.company_nz = cls.env["res.company"].create(
            {"name": "Kiwi Maintenance", "currency_id": cls.company.currency_id.id}
        )
        cls.company_nz.partner_id.tz = "Pacific/Auckland"
        cls.env.user.company_ids |= cls.company_nz
        # Documents are rendered on behalf of a contract manager of the company.
        cls.env.ref("base.user_admin").company_ids |= cls.company_nz

    def _contract(self, company, **values):
        return create_contract(
            self.env,
            self.env["res.partner"].create({"name": f"Customer of {company.name}"}),
            sign=True,
            sign_date=values.get("date_signed", date(2025, 6, 1)) or None,
            **{
                "company_id": company.id,
                "date_start": date(2025, 7, 1),
                "duration": 1,
                "duration_unit": "year",
                "renewal_type": "none",
                "renewal_duration": 1,
                "renewal_unit": "year",
                "notice_period": 1,
                "notice_unit": "month",
                "invoicing_frequency": "year",
                "invoicing_mode": "advance",
                "line_ids": [Command.create({"name": "Service", "price_unit": 100})],
                **values,
            },
        )

    def test_company_today(self):
        with freeze_time(self.NOW):
            self.assertEqual(self.company._service_today(), date(2026, 6, 30))
            self.assertEqual(self.company_nz._service_today(), date(2026, 7, 1))
            days = {
                day: domain[0][2]
                for domain, day in self.env["service.contract"]._get_cron_days()
            }
            self.assertIn(self.company_nz.id, days[date(2026, 7, 1)])
            self.assertIn(self.company.id, days[date(2026, 6, 30)])
            # A given day applies to every company.
            self.assertEqual(
                self.env["service.contract"]._get_cron_days(date(2026, 1, 1)),
                [([], date(2026, 1, 1))],
            )
        # Without a time zone, UTC, whatever the user's.
        self.company_nz.partner_id.tz = False
        with freeze_time(self.NOW):
            self.assertEqual(
                self.company_nz.with_context(tz="Pacific/Auckland")._service_today(),
                date(2026, 6, 30),
            )
            self.env.user.tz = False
            self.assertEqual(
                self.company_nz.with_context(tz=False)._service_today(),
                date(2026, 6, 30),
            )

    def test_python_and_sql_agree_on_the_company_day(self):
        """One rule for the company's day, in Python and in SQL: its
        contact's time zone, else UTC, whoever asks. At 23:30 UTC on
        2026-06-30, Auckland is on 2026-07-01; a company without time zone
        is on 2026-06-30, even for a user in Auckland."""
        no_tz = self.env["res.company"].create(
            {"name": "Nowhere Maintenance", "currency_id": self.company.currency_id.id}
        )
        no_tz.partner_id.tz = False
        self.env.user.company_ids |= no_tz
        self.env.ref("base.user_admin").company_ids |= no_tz
        self.env.user.tz = "Pacific/Auckland"
        companies = self.company_nz | no_tz
        # Both express renewals are due until the end of their term, 2026-06-30.
        contracts = {
            company: self._contract(company, renewal_type="express")
            for company in companies
        }
        instant = "2026-06-30 23:30:00"
        expected = {self.company_nz: date(2026, 7, 1), no_tz: date(2026, 6, 30)}
        self.env.flush_all()
        with freeze_time(instant):
            python_days = {
                company: company.with_context(tz=self.env.user.tz)._service_today()
                for company in companies
            }
            self.env.cr.execute(
                SQL(
                    "SELECT rc.id, %s FROM res_company rc "
                    "JOIN res_partner p ON p.id = rc.partner_id WHERE rc.id IN %s",
                    self.env["res.company"]._service_date_sql(
                        SQL("%s::timestamp", instant), "p"
                    ),
                    tuple(companies.ids),
                )
            )
            sql_days = {
                self.env["res.company"].browse(id_): day
                for id_, day in self.env.cr.fetchall()
            }
            # The Alerts list reads the same day: over in Auckland, due
            # elsewhere (read within the instant: the rows depend on it).
            alerted = (
                self.env["service.contract.alert"]
                .search(
                    [
                        ("contract_id", "in", [c.id for c in contracts.values()]),
                        ("kind", "=", "express_renewal"),
                    ]
                )
                .contract_id
            )
        self.assertEqual(python_days, expected)
        self.assertEqual(sql_days, expected)
        self.assertEqual(alerted, contracts[no_tz])

    def test_signature_day_is_the_company_day(self):
        with freeze_time(self.NOW):
            kiwi = self._contract(self.company_nz, date_signed=False)
            local = self._contract(self.company, date_signed=False)
            default_start = (
                self.env["service.contract"]
                .with_company(self.company_nz)
                .default_get(["date_start"])["date_start"]
            )
        self.assertEqual(kiwi.date_signed, date(2026, 7, 1))
        self.assertEqual(local.date_signed, date(2026, 6, 30))
        self.assertEqual(default_start, date(2026, 7, 1))

    def test_terms_close_on_the_company_day(self):
        local = self._contract(self.company)
        kiwi = self._contract(self.company_nz)
        self.assertEqual(local.date_end, date(2026, 6, 30))
        self.assertEqual(kiwi.date_end, date(2026, 6, 30))
        cron = self.env.ref("service_contract.ir_cron_process_terms")
        with freeze_time(self.NOW):
            cron.method_direct_trigger()
        self.assertEqual(local.state, "running")
        self.assertEqual(kiwi.state, "closed")
        self.assertEqual(kiwi.date_closed, date(2026, 6, 30))

    def test_tacit_renewal_on_the_company_day(self):
        local = self._contract(self.company, renewal_type="tacit")
        kiwi = self._contract(self.company_nz, renewal_type="tacit")
        with freeze_time(self.NOW):
            self.env["service.contract"]._cron_process_terms()
        self.assertEqual(local.renewal_count, 0)
        self.assertEqual(kiwi.renewal_count, 1)
        self.assertEqual(kiwi.date_end, date(2027, 6, 30))

    def test_alert_list_uses_the_company_day(self):
        """The alert list is an SQL view over now(): Auckland (UTC+12/13)
        and Etc/GMT+12 (UTC-12) are always on different days."""
        self.company.partner_id.tz = "Etc/GMT+12"
        behind = self._contract(self.company, renewal_type="express")
        ahead = self._contract(self.company_nz, renewal_type="express")
        day_ahead = self.company_nz._service_today()
        day_behind = self.company._service_today()
        self.assertLess(day_behind, day_ahead)
        # Both terms end the day before Auckland's today: the express renewal
        # alert is over in Auckland, still on where it is a day earlier.
        end = day_ahead - timedelta(days=1)
        self.assertGreaterEqual(end, day_behind)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE service_contract SET date_end = %s WHERE id IN %s",
            (end, (behind.id, ahead.id)),
        )
        self.env.invalidate_all()
        alerts = self.env["service.contract.alert"].search(
            [
                ("contract_id", "in", (behind | ahead).ids),
                ("kind", "=", "express_renewal"),
            ]
        )
        self.assertEqual(alerts.contract_id, behind)


@tagged("post_install", "-at_install")
class TestDunningCron(ServiceContractCase):
    def test_dunning_cron_runs_with_the_default_levels(self):
        """The dunning scheduled action runs on any database (without demo
        data too), on each company's day, with the French default levels
        the module gave every company."""
        cron = self.env.ref("service_contract.ir_cron_run_dunning")
        self.assertTrue(cron.active)
        levels = self.env.company.service_dunning_level_ids
        self.assertEqual(levels.mapped("delay"), [7, 15, 30, 45])
        before = self.env["service.dunning.letter"].search_count([])
        cron.method_direct_trigger()
        letters = self.env["service.dunning.letter"].search([])
        # Each letter of the run is for a customer with overdue contract
        # invoices (demo data may have some), once: a second run sends none.
        self.assertTrue(all(letters.move_ids.mapped("dunning_level_id")))
        cron.method_direct_trigger()
        self.assertEqual(
            self.env["service.dunning.letter"].search_count([]), len(letters)
        )
        self.assertGreaterEqual(len(letters), before)


@tagged("post_install", "-at_install")
class TestVisitReminderCron(ServiceContractCase):
    def test_visit_reminder_cron_reminds_once(self):
        """The reminder of tomorrow's visits runs on any database (without
        demo data too), on the company's day: a visit planned tomorrow is
        reminded once, a second run sends nothing."""
        self.env.company.partner_id.tz = "Europe/Paris"
        contract = self._create_running_contract(
            site_ids=[Command.set(self.site_a.ids)]
        )
        visit = self.env["service.intervention"].create(
            {
                "contract_id": contract.id,
                "site_id": self.site_a.id,
                "date_due": date(2026, 12, 15),
                "user_id": self.env.user.id,
                "date_planned_start": "2026-12-15 09:00:00",
            }
        )
        visit.action_plan()
        cron = self.env.ref("service_contract.ir_cron_visit_reminders")
        for _run in range(2):
            with freeze_time("2026-12-14 12:00:00"):
                self.assertTrue(cron.method_direct_trigger())
        reminders = visit.message_ids.filtered(
            lambda m: (m.subject or "").startswith("Reminder: our visit tomorrow")
        )
        self.assertEqual(len(reminders), 1)
        self.assertEqual(str(visit.reminder_sent_at), "2026-12-14 12:00:00")
