from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import create_contract


@tagged("post_install", "-at_install")
class TestProfitability(AccountTestInvoicingCommon):
    """What a contract earns (invoices) and costs (visits), over its term
    and month by month."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id += cls.env.ref(
            "service_contract.group_service_contract_manager"
        )
        cls.company = cls.env.company
        cls.company.write({"service_hourly_cost": 25.0, "service_travel_cost": 15.0})
        cls.customer = cls.partner_a
        cls.site = cls.env["res.partner"].create(
            {"name": "Boiler room", "parent_id": cls.customer.id, "type": "site"}
        )
        cls.technician = new_test_user(
            cls.env,
            login="profit_technician",
            groups="service_contract.group_service_contract_technician",
            company_id=cls.company.id,
        )
        cls.technician.sudo().with_company(cls.company).service_hourly_cost = 40.0
        cls.contract_user = new_test_user(
            cls.env,
            login="profit_contract_user",
            groups="service_contract.group_service_contract_user",
            company_id=cls.company.id,
        )
        cls.part = cls._create_product(
            name="Gasket", type="consu", standard_price=30.0, lst_price=45.0
        )
        cls.template = cls.env["service.contract.template"].create(
            {
                "name": "Yearly maintenance",
                "duration": 1,
                "duration_unit": "year",
                "renewal_type": "tacit",
                "renewal_duration": 1,
                "renewal_unit": "year",
                "notice_period": 1,
                "notice_unit": "month",
                "invoicing_frequency": "year",
                "invoicing_mode": "advance",
            }
        )

    @classmethod
    def _contract(cls, price=1200.0, start=date(2025, 1, 1), **values):
        return create_contract(
            cls.env,
            cls.customer,
            template=cls.template,
            sign=True,
            **{
                "date_start": start,
                "site_ids": [Command.set(cls.site.ids)],
                "line_ids": [
                    Command.create(
                        {
                            "name": "Maintenance",
                            "price_unit": price,
                            "tax_ids": [Command.set(cls.tax_sale_a.ids)],
                        }
                    )
                ],
                **values,
            },
        )

    def _invoice(self, day):
        self.env["service.contract"]._cron_create_invoices(today=day)
        moves = self.env["account.move"].search(
            [("invoice_date", "=", day), ("state", "=", "draft")]
        )
        moves.action_post()

    def _done_visit(self, contract, when="2025-03-10 10:00:00"):
        """2.5 h at 40.00/h, two parts at 30.00 (one covered), travel 15.00:
        175.00."""
        visit = self.env["service.intervention"].create(
            {
                "contract_id": contract.id,
                "site_id": self.site.id,
                "kind": "corrective",
                "date_due": date(2025, 3, 10),
                "user_id": self.technician.id,
                "duration_actual": 2.5,
                "material_line_ids": [
                    Command.create({"product_id": self.part.id, "is_covered": True}),
                    Command.create({"product_id": self.part.id, "is_covered": False}),
                ],
            }
        )
        with freeze_time(when):
            visit.action_done()
        return visit

    def test_margin_over_the_term(self):
        contract = self._contract()
        self.assertEqual(contract.amount_monthly, 100.0)
        self._invoice(date(2025, 1, 1))
        visit = self._done_visit(contract)
        self.assertEqual(visit.cost_total, 175.0)
        self.assertEqual(contract.revenue_invoiced, 1200.0)
        self.assertEqual(contract.cost_total, 175.0)
        self.assertEqual(contract.margin, 1025.0)
        self.assertAlmostEqual(contract.margin_rate, 1025.0 / 1200.0)

        # A credit note of 300.00 untaxed lowers the revenue.
        invoice = contract.invoice_ids
        refund = invoice._reverse_moves(
            [{"invoice_date": date(2025, 2, 1), "date": date(2025, 2, 1)}]
        )
        refund.invoice_line_ids.price_unit = 300.0
        refund.action_post()
        self.assertEqual(contract.revenue_invoiced, 900.0)
        self.assertEqual(contract.margin, 725.0)

        # A new term starts from nothing: last term's invoices and visits
        # belong to last term.
        contract._process_terms(date(2026, 1, 1))
        self.assertEqual(contract.date_term_start, date(2026, 1, 1))
        self.assertEqual(
            (contract.revenue_invoiced, contract.cost_total, contract.margin_rate),
            (0.0, 0.0, 0.0),
        )
        self._invoice(date(2026, 1, 1))
        self.assertEqual((contract.revenue_invoiced, contract.margin), (1200.0, 1200.0))

    def test_another_currency_at_the_invoice_date_rate(self):
        currency = self.setup_other_currency(
            "EUR",
            rates=[("2025-01-01", 2.0), ("2025-06-01", 4.0)],
        )
        contract = self._contract(price=2400.0, currency_id=currency.id)
        self.assertEqual(contract.currency_id, currency)
        # 2,400.00 a year at 2 per company unit on 1 January (term start).
        self.assertEqual(contract.amount_monthly, 100.0)
        self._invoice(date(2025, 1, 1))
        self.assertEqual(contract.invoice_ids.currency_id, currency)
        # Converted at the rate of the invoice date, not today's (4.0).
        self.assertEqual(contract.revenue_invoiced, 1200.0)

    def test_report_by_month(self):
        contract = self._contract()
        self._invoice(date(2025, 1, 1))
        self._done_visit(contract)
        report = self.env["service.contract.profitability.report"]
        domain = [("contract_id", "=", contract.id)]
        rows = report._read_group(
            domain,
            ["date:month", "partner_id", "template_id"],
            [
                "revenue:sum",
                "cost_labour:sum",
                "cost_material:sum",
                "cost_travel:sum",
                "cost_total:sum",
                "margin:sum",
            ],
        )
        self.assertEqual(
            [(row[0], *row[3:]) for row in rows],
            [
                (date(2025, 1, 1), 1200.0, 0.0, 0.0, 0.0, 0.0, 1200.0),
                (date(2025, 3, 1), 0.0, 100.0, 60.0, 15.0, 175.0, -175.0),
            ],
        )
        self.assertEqual({row[1] for row in rows}, {self.customer})
        self.assertEqual({row[2] for row in rows}, {self.template})
        # Costs by site and technician.
        cost = report.search(domain + [("cost_total", "!=", 0)])
        self.assertEqual((cost.site_id, cost.user_id), (self.site, self.technician))
        # A chosen period: the date field filters it.
        march = report.search(
            domain + [("date", ">=", "2025-02-01"), ("date", "<=", "2025-03-31")]
        )
        self.assertEqual(sum(march.mapped("margin")), -175.0)
        # The smart button opens the contract's lines.
        action = contract.action_view_profitability()
        self.assertEqual(action["res_model"], report._name)
        self.assertEqual(action["domain"], domain)

    def test_contract_user_without_accounting_reads_profitability(self):
        contract = self._contract()
        self._invoice(date(2025, 1, 1))
        self._done_visit(contract)
        user = self.contract_user
        self.assertFalse(user.has_group("account.group_account_invoice"))
        self.assertFalse(user.has_group("account.group_account_readonly"))
        contract.invalidate_recordset()
        as_user = contract.with_user(user)
        self.assertEqual(
            as_user.read(["revenue_invoiced", "cost_total", "margin"])[0]["margin"],
            1025.0,
        )
        report = self.env["service.contract.profitability.report"].with_user(user)
        data = report.read_group(
            [("contract_id", "=", contract.id)], ["margin:sum"], []
        )
        self.assertEqual(data[0]["margin"], 1025.0)
        rows = report.search_read([("contract_id", "=", contract.id)], ["revenue"])
        self.assertEqual(sum(row["revenue"] for row in rows), 1200.0)
        as_user.action_view_profitability()
        # A technician sees neither the report nor the contract's figures.
        with self.assertRaises(AccessError):
            report.with_user(self.technician).search([])

    def test_batch_computation_does_not_query_per_contract(self):
        """The figures of many contracts cost the same queries as of two."""
        contracts = self.env["service.contract"]
        for _index in range(6):
            contracts |= self._contract()
        self._invoice(date(2025, 1, 1))

        def count(records):
            records.invalidate_recordset()
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            records._compute_profitability()
            return self.env.cr.sql_log_count - before

        self.assertEqual(count(contracts[:2]), count(contracts))
        self.assertEqual(contracts.mapped("revenue_invoiced"), [1200.0] * 6)
