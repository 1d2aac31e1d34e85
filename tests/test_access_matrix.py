"""Every kind of Odoo user keeps working with the module installed.

Each test acts as a realistic user (``with_user``): a salesperson and an
accountant without contract rights, a contract user without sales or
accounting rights, a technician, a contract manager and a portal customer.
"""

from datetime import date

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import AccessMatrixCase, MenuCase


@tagged("post_install", "-at_install")
class TestSalespersonWithoutContractRights(AccessMatrixCase):
    def _quotation(self, product):
        return (
            self.env["sale.order"]
            .with_user(self.salesman)
            .create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [Command.create({"product_id": product.id})],
                }
            )
        )

    def _print(self, order):
        return (
            self.env["ir.actions.report"]
            .with_user(self.salesman)
            ._render_qweb_html("sale.action_report_saleorder", order.ids)[0]
            .decode()
        )

    def _send(self, order):
        action = order.action_quotation_send()
        composer = (
            self.env["mail.compose.message"]
            .with_user(self.salesman)
            .with_context(**action["context"])
            .create({})
        )
        composer.action_send_mail()

    def _check_flow(self, product):
        order = self._quotation(product)
        self.assertFalse(self.salesman.has_group("account.group_account_invoice"))
        html = self._print(order)
        self._send(order)
        self.assertEqual(order.state, "sent")
        self.assertTrue(
            order.message_ids.filtered(lambda m: m.message_type != "notification")
        )
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        order.read()  # every field the salesperson may read
        # Printed again once confirmed: the terms of the contract itself.
        return order, html, self._print(order)

    def test_quotation_without_contract_product(self):
        order, html, _html = self._check_flow(self.product_a)
        self.assertNotIn("service_contract_terms", html)
        self.assertFalse(order.sudo().service_contract_ids)

    def test_quotation_with_contract_product(self):
        order, html, confirmed_html = self._check_flow(self.contract_product)
        self.assertIn("Monthly maintenance", html)
        self.assertIn("Monthly maintenance", confirmed_html)
        contract = order.sudo().service_contract_ids
        self.assertEqual(len(contract), 1)
        self.assertEqual(contract.user_id, self.salesman)
        self.assertEqual(contract.company_id, order.company_id)
        self.assertEqual(contract.state, "to_sign")
        # The contract itself stays out of the salesperson's reach.
        with self.assertRaises(AccessError):
            contract.with_user(self.salesman).check_access("read")


@tagged("post_install", "-at_install")
class TestAccountantWithoutContractRights(AccessMatrixCase):
    def _manual_invoice(self, user, move_type="out_invoice"):
        return (
            self.env["account.move"]
            .with_user(user)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": self.customer.id,
                    "invoice_date": date(2026, 1, 20),
                    "invoice_line_ids": [
                        Command.create(
                            {"product_id": self.product_a.id, "price_unit": 100.0}
                        )
                    ],
                }
            )
        )

    def _pay(self, user, move):
        self.env["account.payment.register"].with_user(user).with_context(
            active_model="account.move", active_ids=move.ids
        ).create({"payment_date": date(2026, 1, 25)})._create_payments()
        self.assertIn(move.payment_state, ("paid", "in_payment"))

    def _open_form(self, user, move):
        """What the invoice form reads, as ``user``."""
        Move = self.env["account.move"].with_user(user)
        views = Move.get_views([(False, "form")])
        names = views["models"]["account.move"]["fields"]
        Move.browse(move.id).web_read({name: {} for name in names})
        Move.browse(move.id).read()  # every field the user may read

    def _check_invoices(self, user):
        for move_type in ("out_invoice", "out_refund"):
            move = self._manual_invoice(user, move_type)
            self._open_form(user, move)
            move.action_post()
            move.button_cancel()
            self.assertEqual(move.state, "cancel")
            move.button_draft()
            move.action_post()
            self._pay(user, move)
            draft = self._manual_invoice(user, move_type)
            draft.unlink()
            self.assertFalse(draft.exists())

    def _check_contract_invoice(self, user):
        contract = self._contract()
        self._invoice(date(2026, 1, 15))
        period = contract.period_ids[0]
        move = period.move_id.with_user(user)
        self._open_form(user, move)
        move.action_post()
        self._pay(user, move)
        # A second contract invoice, deleted as a draft: its period is free.
        self._invoice(date(2026, 2, 1))
        second = contract.period_ids[1]
        second.move_id.with_user(user).unlink()
        self.assertEqual(second.state, "to_invoice")

    def test_billing_user(self):
        self._check_invoices(self.billing)
        self._check_contract_invoice(self.billing)

    def test_accounting_manager(self):
        self._check_invoices(self.accountant)
        self._check_contract_invoice(self.accountant)


@tagged("post_install", "-at_install")
class TestMenusOpen(MenuCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Something to show: a late payer with a paid and an overdue invoice,
        # an intervention.
        contract = cls._contract(start=date(2025, 12, 1))
        cls._contract(sign=False)
        cls.env["service.contract"]._cron_create_invoices(today=date(2026, 1, 1))
        contract.invoice_ids.action_post()
        cls.late_contract = contract

    def test_contract_user_opens_every_menu(self):
        user = self.contract_user
        self.assertFalse(user.has_group("account.group_account_invoice"))
        self.assertFalse(user.has_group("sales_team.group_sale_salesman"))
        opened = self._open_menus(user)
        self.assertIn("Billing Periods", opened)
        self.assertIn("Alerts", opened)
        late = (
            self.env["service.contract"]
            .with_user(user)
            .search([("is_late_payer", "=", True)])
        )
        self.assertIn(self.late_contract, late)
        self.env.invalidate_all()
        contract = self.late_contract.with_user(user)
        self.assertGreater(contract.amount_overdue, 0)
        self.assertEqual(contract.invoice_count, 2)

    def test_manager_opens_every_menu(self):
        opened = self._open_menus(self.contract_manager)
        self.assertIn("Contract Templates", opened)

    def test_technician_opens_every_menu(self):
        opened = self._open_menus(self.technician)
        self.assertIn("My Interventions", opened)
        self.assertNotIn("Billing Periods", opened)


@tagged("post_install", "-at_install")
class TestPortalReadsItsContract(AccessMatrixCase):
    def test_portal_reads_own_contract_only(self):
        own = self._contract(partner_id=self.portal_customer.id)
        other = self._contract()
        Contract = self.env["service.contract"].with_user(self.portal)
        self.assertEqual(Contract.search([]), own)
        own.with_user(self.portal).read(["name", "state", "date_start", "line_ids"])
        with self.assertRaises(AccessError):
            other.with_user(self.portal).read(["name"])
        with self.assertRaises(AccessError):
            own.with_user(self.portal).write({"note": "x"})


@tagged("post_install", "-at_install")
class TestPartnerFormOpens(MenuCase):
    def test_everyone_opens_a_customer_with_contracts(self):
        self._contract()
        site = self.env["res.partner"].create(
            {"name": "Boiler room", "parent_id": self.customer.id, "type": "site"}
        )
        for user in (
            self.salesman,
            self.billing,
            self.accountant,
            self.contract_user,
            self.technician,
        ):
            Partner = self.env["res.partner"].with_user(user)
            views = Partner.get_views([(False, "form"), (False, "list")])
            for view_type in ("form", "list"):
                arch = etree.fromstring(views["views"][view_type]["arch"])
                spec = self._spec(arch, views["models"], "res.partner")
                Partner.browse((self.customer | site).ids).web_read(spec)
            Partner.browse((self.customer | site).ids).read()
