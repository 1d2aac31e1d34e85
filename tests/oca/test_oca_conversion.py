"""Leaving OCA's ``contract`` add-on (README.md, "Leaving OCA contract").

Runs on a database where OCA's contract 18.0 (from PyPI) and this module are
installed, without demo data: ``tools/oca-test`` makes it. OCA has been
invoicing 24 customer contracts since 2023 (its scheduled action run on the
1st and the 15th of each month); on 2026-03-15, before that day's run, a
contract manager converts them; then both scheduled actions run for a year.
Each period of each customer is invoiced exactly once, by OCA before the
conversion, by this module after it."""

from collections import Counter
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from ..common import RefusalMixin

TODAY = date(2026, 3, 15)
HORIZON = date(2027, 3, 15)
# (start, OCA rule, interval, invoicing type, end, number of services)
CONVERTIBLE = [
    (date(2025, 1, 1), "monthly", 1, "pre-paid", None, 1),
    (date(2025, 6, 15), "monthly", 1, "pre-paid", None, 2),
    (date(2026, 1, 1), "monthly", 1, "pre-paid", None, 1),
    # Starts today: OCA never invoiced it, its first period is due today.
    (date(2026, 3, 15), "monthly", 1, "pre-paid", None, 1),
    (date(2024, 11, 15), "monthly", 1, "pre-paid", None, 1),
    (date(2025, 2, 1), "monthly", 1, "post-paid", None, 1),
    # Its period from February 15 is due today (OCA runs later today): this
    # module bills it.
    (date(2025, 9, 15), "monthly", 1, "post-paid", None, 2),
    (date(2026, 2, 15), "monthly", 1, "post-paid", None, 1),
    (date(2026, 3, 1), "monthly", 1, "post-paid", None, 1),
    (date(2025, 1, 1), "quarterly", 1, "pre-paid", None, 1),
    (date(2025, 4, 15), "monthly", 3, "pre-paid", None, 1),
    (date(2025, 7, 1), "quarterly", 1, "post-paid", None, 1),
    (date(2025, 3, 15), "semesterly", 1, "pre-paid", None, 1),
    (date(2024, 4, 1), "yearly", 1, "pre-paid", None, 1),
    # Its second year starts today: not invoiced yet.
    (date(2025, 3, 15), "yearly", 1, "pre-paid", None, 1),
    (date(2023, 6, 1), "yearly", 1, "pre-paid", None, 2),
    (date(2024, 9, 1), "yearly", 1, "post-paid", None, 1),
    (date(2025, 10, 1), "monthly", 12, "pre-paid", None, 1),
    # Fixed terms: 18 months, and a year invoiced in arrears.
    (date(2025, 4, 1), "monthly", 1, "pre-paid", date(2026, 9, 30), 1),
    (date(2025, 7, 1), "quarterly", 1, "post-paid", date(2026, 6, 30), 1),
]
NOT_CONVERTIBLE = [
    (date(2025, 1, 6), "weekly", 1, "pre-paid", None, 1),
    (date(2025, 1, 1), "monthlylastday", 1, "post-paid", None, 1),
    # OCA's months from the 31st drift (Jan 31 to Feb 27, then from the
    # 28th): its periods are not this module's.
    (date(2025, 1, 31), "monthly", 1, "pre-paid", None, 1),
]
# And CON/24: recurrence by line, a monthly service and a yearly one.
RULE_MONTHS = {"monthly": 1, "quarterly": 3, "semesterly": 6, "yearly": 12}


def half_months(start, end):
    """The 1st and the 15th of each month from ``start`` to ``end``."""
    day = start.replace(day=1)
    while day <= end:
        for run in (day, day.replace(day=15)):
            if start <= run <= end:
                yield run
        day += relativedelta(months=1)


def expected_invoice_dates(start, rule, interval, kind, end, until):
    """OCA's periods of a contract, by the rule every invoicing tool agrees
    on: each one counted from the start, cut at the end; invoiced on its
    first day (pre-paid) or the day after it (post-paid), up to ``until``."""
    months = RULE_MONTHS[rule] * interval
    dates, index = [], 0
    while True:
        date_from = start + relativedelta(months=index * months)
        date_to = start + relativedelta(months=(index + 1) * months) - timedelta(1)
        if end:
            if date_from > end:
                return dates
            date_to = min(date_to, end)
        invoice_date = date_from if kind == "pre-paid" else date_to + timedelta(1)
        if invoice_date > until:
            return dates
        dates.append(invoice_date)
        index += 1


@tagged("post_install", "-at_install")
class TestOcaConversion(RefusalMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "contract.contract" not in cls.env:
            cls.skipTest(cls, "OCA's contract add-on is not installed")
        cls.products = cls.env["product.product"].create(
            [
                {"name": "Lift maintenance", "type": "service", "list_price": 1.0},
                {"name": "Remote monitoring", "type": "service", "list_price": 1.0},
            ]
        )
        cls.manager = new_test_user(
            cls.env,
            login="oca_manager",
            groups="base.group_user,service_contract.group_service_contract_manager",
        )
        cls.user = new_test_user(
            cls.env,
            login="oca_user",
            groups="base.group_user,service_contract.group_service_contract_user",
        )
        cls.accountant = new_test_user(
            cls.env,
            login="oca_accountant",
            groups="base.group_user,account.group_account_manager",
        )
        with freeze_time(TODAY):
            cls.cases = [
                (cls._create_oca_contract(index, *case), case)
                for index, case in enumerate(CONVERTIBLE + NOT_CONVERTIBLE, start=1)
            ]
            mixed = cls._create_oca_contract(
                24, date(2025, 1, 1), "monthly", 1, "pre-paid", None, 2
            )
            mixed.line_recurrence = True
            mixed.contract_line_ids[1].write(
                {
                    "recurring_rule_type": "yearly",
                    "recurring_invoicing_type": "pre-paid",
                }
            )
        cls.oca = cls.env["contract.contract"].union(*(c for c, _ in cls.cases), mixed)
        # OCA invoicing until yesterday: its scheduled action on the 1st and
        # the 15th of each month (today's run has not happened yet).
        Oca = cls.env["contract.contract"]
        for day in half_months(date(2023, 6, 1), TODAY - timedelta(1)):
            with freeze_time(day):
                Oca.cron_recurring_create_invoice(date_ref=day)

    @classmethod
    def _create_oca_contract(cls, index, start, rule, interval, kind, end, services):
        partner = cls.env["res.partner"].create(
            {"name": f"Customer {index:02d}", "is_company": True}
        )
        return cls.env["contract.contract"].create(
            {
                "name": f"Maintenance {index:02d}",
                "code": f"CON/{index:02d}",
                "partner_id": partner.id,
                "date_start": start,
                "recurring_rule_type": rule,
                "recurring_interval": interval,
                "recurring_invoicing_type": kind,
                "contract_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            # As OCA's form sets them from the contract's.
                            "date_start": start,
                            "recurring_rule_type": rule,
                            "recurring_interval": interval,
                            "recurring_invoicing_type": kind,
                            "name": f"{product.name} #START# - #END#",
                            "quantity": 1,
                            "specific_price": 100.0 + index,
                            "date_end": end,
                        }
                    )
                    for product in cls.products[:services]
                ],
            }
        )

    def _oca_lines(self, oca):
        return oca.with_context(active_test=False).contract_line_ids

    def _invoice_lines(self, oca, contract):
        """Product lines of every invoice made for ``oca`` (by OCA) and for
        ``contract`` (by this module)."""
        return (
            self.env["account.move.line"]
            .with_context(active_test=False)
            .search(
                [
                    ("display_type", "=", "product"),
                    "|",
                    ("contract_line_id", "in", self._oca_lines(oca).ids),
                    ("service_contract_id", "=", contract.id),
                ]
            )
        )

    def _convert(self):
        with freeze_time(TODAY):
            wizard = (
                self.env["service.contract.oca.conversion"]
                .with_user(self.manager)
                .create({})
            )
            wizard.action_convert()
        return wizard

    def test_history_before_conversion(self):
        """OCA's state at the conversion, as the cases say."""
        by_code = {oca.code: oca for oca in self.oca}
        lines = {code: oca.contract_line_ids[:1] for code, oca in by_code.items()}
        # Invoiced this period, in advance: March, next on April 1st.
        self.assertEqual(lines["CON/01"].last_date_invoiced, date(2026, 3, 31))
        self.assertEqual(lines["CON/01"].recurring_next_date, date(2026, 4, 1))
        # In arrears, its period from February 15 is due today, not invoiced.
        self.assertEqual(lines["CON/07"].last_date_invoiced, date(2026, 2, 14))
        self.assertEqual(lines["CON/07"].recurring_next_date, date(2026, 3, 15))
        self.assertFalse(lines["CON/04"].last_date_invoiced)
        self.assertEqual(lines["CON/16"].last_date_invoiced, date(2026, 5, 31))

    def test_conversion_bills_each_period_once(self):
        wizard = self._convert()
        lines = wizard.line_ids
        self.assertEqual(len(lines), 24)
        converted = lines.filtered("contract_id")
        self.assertEqual(len(converted), 20, lines.filtered("reason").mapped("reason"))
        skipped = lines - converted
        self.assertEqual(
            sorted(skipped.mapped("name")),
            [f"[CON/{index}] Maintenance {index}" for index in range(21, 25)],
        )
        # OCA's converted contracts are archived, not deleted, their lines
        # cancelled; the others run on in OCA.
        all_oca = self.oca.with_context(active_test=False).exists()
        self.assertEqual(len(all_oca), 24)
        done = all_oca.filtered(lambda c: c.id in converted.mapped("oca_contract_id"))
        self.assertFalse(any(done.mapped("active")))
        self.assertTrue(all(self._oca_lines(done).mapped("is_canceled")))
        self.assertTrue(all((all_oca - done).mapped("active")))

        contracts = converted.contract_id
        self.assertEqual(set(contracts.mapped("state")), {"running"})
        for contract in contracts:
            self.assertIn("Converted from OCA contract", contract.message_ids[0].body)

        # Then OCA's and this module's scheduled actions both run for a year.
        Oca = self.env["contract.contract"]
        Contract = self.env["service.contract"]
        for day in half_months(TODAY, HORIZON):
            with freeze_time(day):
                Oca.cron_recurring_create_invoice(date_ref=day)
                Contract._cron_process_terms(today=day)
                Contract._cron_create_invoices(today=day)

        contract_of = {line.oca_contract_id: line.contract_id for line in converted}
        for oca, case in self.cases[: len(CONVERTIBLE)]:
            start, rule, interval, kind, end, services = case
            contract = contract_of[oca.id]
            invoice_lines = self._invoice_lines(oca, contract)
            billed = Counter(
                (line.move_id.partner_id, line.product_id, line.move_id.invoice_date)
                for line in invoice_lines
            )
            dates = expected_invoice_dates(start, rule, interval, kind, end, HORIZON)
            expected = Counter(
                (oca.partner_id, product, day)
                for product in self.products[:services]
                for day in dates
            )
            self.assertEqual(billed, expected, f"{oca.code} {case}")
            # The price of a period is OCA's, before and after.
            self.assertEqual(
                set(invoice_lines.mapped("price_unit")),
                {100.0 + int(oca.code[-2:])},
                oca.code,
            )
            # Nothing invoiced by OCA from today, everything by this module.
            self.assertFalse(
                invoice_lines.filtered(
                    lambda line: line.contract_line_id
                    and line.move_id.invoice_date >= TODAY
                ),
                oca.code,
            )

    def test_skipped_reasons(self):
        """Each contract OCA invoices on a schedule this module cannot
        follow is reported with the reason, in the preview already."""
        wizard = (
            self.env["service.contract.oca.conversion"]
            .with_user(self.manager)
            .create({})
        )
        reasons = {line.name: line.reason for line in wizard.line_ids}
        self.assertIn(
            "(1 Week(s), Pre-paid) has no", reasons["[CON/21] Maintenance 21"]
        )
        self.assertIn("Month(s) last day", reasons["[CON/22] Maintenance 22"])
        self.assertIn("not the start of a period", reasons["[CON/23] Maintenance 23"])
        self.assertIn("different schedules", reasons["[CON/24] Maintenance 24"])
        self.assertFalse(reasons["[CON/01] Maintenance 01"])
        first = wizard.line_ids.filtered(lambda line: line.name.startswith("[CON/01]"))
        self.assertEqual(first.invoiced_until, date(2026, 3, 31))
        self.assertEqual(first.next_invoice_date, date(2026, 4, 1))
        self.assertEqual(first.oca_invoice_count, 15)

    def test_access(self):
        """Only contract managers convert: a contract user or an accountant
        is refused, and nothing changes."""
        Wizard = self.env["service.contract.oca.conversion"]
        for user in (self.user, self.accountant):
            self.assertRefused(AccessError, "", Wizard.with_user(user).create, {})
        wizard = Wizard.with_user(self.manager).create({})
        self.assertRefused(AccessError, "", wizard.with_user(self.user).action_convert)
        self.assertRefused(
            AccessError, "", wizard.with_user(self.accountant).action_convert
        )
        self.assertEqual(self.env["service.contract"].search_count([]), 0)
        self.assertTrue(all(self.oca.mapped("active")))
        # The menu is a manager's only.
        menu = self.env.ref("service_contract.service_contract_oca_conversion_menu")
        Menu = self.env["ir.ui.menu"]
        self.assertIn(menu.id, Menu.with_user(self.manager).load_menus(False))
        self.assertNotIn(menu.id, Menu.with_user(self.user).load_menus(False))

    def test_convert_twice(self):
        """Converted contracts are gone from the list; converting again has
        nothing to do."""
        self._convert()
        with freeze_time(TODAY):
            wizard = (
                self.env["service.contract.oca.conversion"]
                .with_user(self.manager)
                .create({})
            )
            self.assertEqual(len(wizard.line_ids), 4)
            self.assertFalse(wizard.convertible_count)
            self.assertRefused(UserError, "no OCA contract", wizard.action_convert)

    def test_another_company_converts_nothing(self):
        """A manager of another company sees none of these contracts, and a
        wizard made by hand with their ids (as a JSON-RPC create would)
        converts none of them."""
        other = self.env["res.company"].create({"name": "Other Lifts"})
        manager = new_test_user(
            self.env,
            login="oca_other_manager",
            groups="base.group_user,service_contract.group_service_contract_manager",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        Wizard = self.env["service.contract.oca.conversion"].with_user(manager)
        with freeze_time(TODAY):
            self.assertFalse(Wizard.create({}).line_ids)
            wizard = Wizard.create(
                {
                    "line_ids": [
                        Command.create({"oca_contract_id": oca.id, "name": oca.name})
                        for oca in self.oca
                    ]
                }
            )
            self.assertRefused(UserError, "no OCA contract", wizard.action_convert)
        self.assertEqual(self.env["service.contract"].search_count([]), 0)
        self.assertTrue(all(self.oca.mapped("active")))
