"""Billable corrective work: what the contract does not cover is invoiced
once, through Odoo's invoices (or quotations), with the contract's customer,
payment terms and fiscal position."""

from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import InvoicingCase, PortalCase


@tagged("post_install", "-at_install")
class TestInterventionBilling(InvoicingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company_data["company"]
        cls.company = company
        cls.hour = cls.env.ref("uom.product_uom_hour")
        cls.labour = cls._create_product(
            name="Labour, per hour",
            type="service",
            lst_price=60.0,
            standard_price=35.0,
            uom_id=cls.hour.id,
            uom_po_id=cls.hour.id,
        )
        cls.pump = cls._create_product(
            name="Circulation pump", type="consu", lst_price=120.0, standard_price=30.0
        )
        cls.gasket = cls._create_product(
            name="Gasket", type="consu", lst_price=8.0, standard_price=2.0
        )
        company.service_labour_product_id = cls.labour
        # partner_b: payment terms B and fiscal position A (tax A -> tax B).
        cls.customer = cls.partner_b
        cls.invoice_contact = cls.env["res.partner"].create(
            {
                "name": "Accounts payable",
                "parent_id": cls.partner_b.id,
                "type": "invoice",
            }
        )
        cls.contract = cls._contract(payment_term_id=cls.pay_terms_a.id)
        cls.technician = cls._user(
            "sc_bill_technician",
            "service_contract.group_service_contract_technician",
        )
        cls.billing_user = cls._user(
            "sc_bill_user",
            "service_contract.group_service_contract_user,"
            "account.group_account_invoice,sales_team.group_sale_salesman",
        )
        cls.contract_user = cls._user(
            "sc_bill_contract_only", "service_contract.group_service_contract_user"
        )

    @classmethod
    def _user(cls, login, groups):
        company = cls.company_data["company"]
        return new_test_user(
            cls.env,
            login=login,
            groups=f"base.group_user,{groups}",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

    def _visit(self, kind="corrective", covered=False, hours=2.5, parts=()):
        """A done visit of ``hours`` with ``parts``: (product, qty, covered)."""
        intervention = self.env["service.intervention"].create(
            {
                "contract_id": self.contract.id,
                "kind": kind,
                "is_covered": covered,
                "description": "Boiler leaking",
                "date_due": date(2026, 3, 2),
                "user_id": self.technician.id,
                "duration_actual": hours,
            }
        )
        self.env["service.intervention.material"].create(
            [
                {
                    "intervention_id": intervention.id,
                    "product_id": product.id,
                    "quantity": quantity,
                    "is_covered": is_covered,
                }
                for product, quantity, is_covered in parts
            ]
        )
        intervention.action_done()
        return intervention

    def _invoices(self):
        return self.env["account.move"].search(
            [("invoice_line_ids.service_intervention_id", "!=", False)]
        )

    def _lines(self, move):
        return [
            (line.product_id, line.quantity, line.price_unit, line.tax_ids)
            for line in move.invoice_line_ids.sorted(lambda ml: (ml.sequence, ml.id))
        ]

    # ------------------------------------------------------------------
    # Invoices
    # ------------------------------------------------------------------

    def test_corrective_visit_and_part_not_covered_invoiced_once(self):
        visit = self._visit(
            parts=[(self.pump, 1.0, False), (self.gasket, 2.0, True)],
        )
        self.assertTrue(visit.is_billable)
        self.assertEqual(visit.invoice_state, "to_invoice")

        visit.action_create_invoice()

        move = visit.invoice_id
        self.assertEqual(len(move), 1)
        self.assertEqual(move.move_type, "out_invoice")
        self.assertEqual(move.state, "draft")
        self.assertEqual(move.partner_id, self.invoice_contact)
        self.assertEqual(move.invoice_payment_term_id, self.pay_terms_a)
        self.assertEqual(move.fiscal_position_id, self.fiscal_pos_a)
        self.assertEqual(move.company_id, self.company)
        self.assertEqual(move.currency_id, self.contract.currency_id)
        self.assertEqual(move.invoice_origin, visit.name)
        # The time at the labour product's price, the part not covered at its
        # sales price, taxes mapped by the fiscal position; not the gasket.
        self.assertEqual(
            self._lines(move),
            [
                (self.labour, 2.5, 60.0, self.tax_sale_b),
                (self.pump, 1.0, 120.0, self.tax_sale_b),
            ],
        )
        self.assertEqual(move.invoice_line_ids[0].product_uom_id, self.hour)
        self.assertEqual(move.amount_untaxed, 270.0)
        self.assertAlmostEqual(
            move.amount_tax, 270.0 * self.tax_sale_b.amount / 100, places=2
        )
        # Links both ways.
        self.assertEqual(visit.invoice_state, "invoiced")
        self.assertEqual(move.service_intervention_ids, visit)
        self.assertEqual(move.service_intervention_count, 1)
        self.assertEqual(move.service_contract_ids, self.contract)
        pump_line = visit.material_line_ids.filtered(lambda m: not m.is_covered)
        self.assertEqual(pump_line.invoice_line_id.move_id, move)
        self.assertEqual(pump_line.invoice_line_id.product_id, self.pump)
        covered = visit.material_line_ids - pump_line
        self.assertFalse(covered.invoice_line_id)
        self.assertIn(move.name or "", visit.message_ids[0].body)

        # Never twice: the second click is refused and nothing changes.
        self.assertRefused(UserError, "already invoiced", visit.action_create_invoice)
        self.assertEqual(visit.invoice_id, move)
        self.assertEqual(self._invoices(), move)
        move.action_post()
        self.assertRefused(UserError, "already invoiced", visit.action_create_invoice)
        self.assertEqual(self._invoices(), move)

    def test_invoice_opens_from_the_visit_and_the_visit_from_the_invoice(self):
        visit = self._visit()
        action = visit.action_create_invoice()
        self.assertEqual(action["res_id"], visit.invoice_id.id)
        self.assertEqual(visit.action_view_invoice()["res_id"], visit.invoice_id.id)
        action = visit.invoice_id.action_view_service_interventions()
        self.assertEqual(action["res_model"], "service.intervention")
        self.assertEqual(action["res_id"], visit.id)

    def test_covered_visit_bills_only_the_parts_not_covered(self):
        visit = self._visit(
            covered=True,
            parts=[(self.pump, 2.0, False), (self.gasket, 3.0, True)],
        )
        self.assertTrue(visit.is_billable)
        visit.action_create_invoice()
        self.assertEqual(
            self._lines(visit.invoice_id),
            [(self.pump, 2.0, 120.0, self.tax_sale_b)],
        )
        self.assertEqual(visit.invoice_id.amount_untaxed, 240.0)

    def test_covered_preventive_visit_is_not_billable(self):
        visit = self._visit(
            kind="preventive", covered=True, parts=[(self.gasket, 1.0, True)]
        )
        self.assertFalse(visit.is_billable)
        self.assertEqual(visit.invoice_state, "no")
        self.assertRefused(
            UserError,
            "covered by contract .*nothing to invoice",
            visit.action_create_invoice,
        )
        self.assertFalse(visit.invoice_id)
        self.assertFalse(self._invoices())

    def test_open_visit_is_not_invoiced(self):
        visit = self.env["service.intervention"].create(
            {
                "contract_id": self.contract.id,
                "is_covered": False,
                "date_due": date(2026, 3, 2),
                "duration_actual": 1.0,
            }
        )
        self.assertRefused(
            UserError, "Only done interventions", visit.action_create_invoice
        )
        self.assertFalse(self._invoices())

    def test_visit_without_time_or_part_refused(self):
        visit = self._visit(hours=0.0)
        self.assertRefused(
            UserError, "no time spent and no billable part", visit.action_create_invoice
        )
        self.assertFalse(self._invoices())

    def test_contract_service_product_without_labour_product(self):
        self.company.service_labour_product_id = False
        visit = self._visit(hours=2.0)
        visit.action_create_invoice()
        # The template's service: 310.00 per hour.
        self.assertEqual(
            self._lines(visit.invoice_id),
            [(self.product, 2.0, 310.0, self.tax_sale_b)],
        )

    def test_billing_link_is_not_written_directly(self):
        visit = self._visit()
        move = self.env["account.move"].create(
            {"move_type": "out_invoice", "partner_id": self.customer.id}
        )
        self.assertRefused(UserError, "Invoice", visit.write, {"invoice_id": move.id})
        self.assertFalse(visit.invoice_id)

    # ------------------------------------------------------------------
    # Cancelled invoices
    # ------------------------------------------------------------------

    def test_cancelled_invoice_frees_the_visit(self):
        visit = self._visit(parts=[(self.pump, 1.0, False)])
        visit.action_create_invoice()
        first = visit.invoice_id
        first.action_post()
        first.button_draft()
        first.button_cancel()
        self.assertEqual(visit.invoice_state, "to_invoice")

        visit.action_create_invoice()
        second = visit.invoice_id
        self.assertNotEqual(second, first)
        self.assertEqual(self._invoices(), first | second)
        self.assertEqual(visit.material_line_ids.invoice_line_id.move_id, second)
        # The cancelled invoice still shows what it was for.
        self.assertEqual(first.service_intervention_ids, visit)
        self.assertRefused(UserError, "already invoiced", visit.action_create_invoice)
        # Back in use while the visit is invoiced again: refused.
        self.assertRefused(UserError, "invoiced again since", first.button_draft)
        self.assertEqual(first.state, "cancel")
        self.assertEqual(visit.invoice_id, second)

    def test_cancelled_invoice_back_in_use_takes_the_visit_again(self):
        visit = self._visit()
        visit.action_create_invoice()
        first = visit.invoice_id
        first.button_cancel()
        visit.action_create_invoice()
        second = visit.invoice_id
        second.button_cancel()
        self.assertEqual(visit.invoice_state, "to_invoice")
        first.button_draft()
        self.assertEqual(visit.invoice_id, first)
        self.assertEqual(visit.invoice_state, "invoiced")
        self.assertRefused(UserError, "already invoiced", visit.action_create_invoice)

    def test_invoice_credited_in_full_frees_the_visit(self):
        visit = self._visit()
        visit.action_create_invoice()
        move = visit.invoice_id
        move.action_post()
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"journal_id": move.journal_id.id, "reason": "Goodwill"})
        )
        wizard.reverse_moves(is_modify=False)
        refund = move.reversal_move_ids
        refund.action_post()
        self.assertEqual(move.payment_state, "reversed")
        self.assertEqual(refund.service_intervention_ids, visit)
        self.assertEqual(visit.invoice_state, "to_invoice")

    # ------------------------------------------------------------------
    # Quotations
    # ------------------------------------------------------------------

    def test_quotation_mode(self):
        self.company.service_billable_mode = "quotation"
        visit = self._visit(parts=[(self.pump, 1.0, False), (self.gasket, 1.0, True)])
        action = visit.action_create_invoice()

        order = visit.sale_order_id
        self.assertEqual(action["res_model"], "sale.order")
        self.assertEqual(action["res_id"], order.id)
        self.assertFalse(visit.invoice_id)
        self.assertFalse(self._invoices())
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.partner_id, self.customer)
        self.assertEqual(order.partner_invoice_id, self.invoice_contact)
        self.assertEqual(order.payment_term_id, self.pay_terms_a)
        self.assertEqual(order.fiscal_position_id, self.fiscal_pos_a)
        self.assertEqual(order.company_id, self.company)
        self.assertEqual(
            [
                (line.product_id, line.product_uom_qty, line.price_unit, line.tax_id)
                for line in order.order_line
            ],
            [
                (self.labour, 2.5, 60.0, self.tax_sale_b),
                (self.pump, 1.0, 120.0, self.tax_sale_b),
            ],
        )
        self.assertEqual(visit.invoice_state, "quoted")
        self.assertEqual(order.service_intervention_ids, visit)
        pump_line = visit.material_line_ids.filtered(lambda m: not m.is_covered)
        self.assertEqual(pump_line.sale_line_id.order_id, order)
        self.assertRefused(
            UserError, "already on quotation", visit.action_create_invoice
        )
        self.assertEqual(
            self.env["sale.order"].search_count([("origin", "=", visit.name)]), 1
        )

        # Confirmed and invoiced through sales: the invoice knows the visit.
        order.action_confirm()
        move = order._create_invoices()
        self.assertEqual(move.service_intervention_ids, visit)
        self.assertEqual(move.amount_untaxed, 270.0)
        move.action_post()
        self.assertEqual(visit.invoice_state, "invoiced")
        self.assertRefused(UserError, "already invoiced", visit.action_create_invoice)

    def test_cancelled_quotation_frees_the_visit(self):
        self.company.service_billable_mode = "quotation"
        visit = self._visit()
        visit.action_create_invoice()
        first = visit.sale_order_id
        first._action_cancel()
        self.assertEqual(visit.invoice_state, "to_invoice")
        visit.action_create_invoice()
        self.assertNotEqual(visit.sale_order_id, first)
        self.assertEqual(visit.invoice_state, "quoted")

    # ------------------------------------------------------------------
    # Access rights
    # ------------------------------------------------------------------

    def test_contract_user_with_invoicing_rights_invoices(self):
        visit = self._visit(parts=[(self.pump, 1.0, False)])
        visit.with_user(self.billing_user).action_create_invoice()
        self.assertEqual(visit.invoice_id.create_uid, self.billing_user)
        self.assertEqual(visit.invoice_id.amount_untaxed, 270.0)

    def test_contract_user_without_invoicing_rights_is_refused(self):
        visit = self._visit()
        self.assertRefused(
            AccessError, "", visit.with_user(self.contract_user).action_create_invoice
        )
        self.assertFalse(visit.invoice_id)

    def test_technician_cannot_invoice_nor_read_prices(self):
        visit = self._visit(parts=[(self.pump, 1.0, False)])
        as_technician = visit.with_user(self.technician)
        self.assertRefused(
            AccessError, "Only contract users", as_technician.action_create_invoice
        )
        self.assertFalse(visit.invoice_id)
        visit.action_create_invoice()
        for field in ("invoice_id", "invoice_state", "is_billable"):
            with self.assertRaises(AccessError):
                as_technician.read([field])
        with self.assertRaises(AccessError):
            as_technician.material_line_ids.read(["price_unit"])
        # What the technician reads of their visit holds no billing field.
        self.assertNotIn("invoice_id", as_technician.read()[0])

    # ------------------------------------------------------------------
    # Portal
    # ------------------------------------------------------------------

    def test_portal_shows_the_posted_invoice(self):
        visit = self._visit()
        visit.action_create_invoice()
        move = visit.invoice_id
        html = self.env["ir.qweb"]._render(
            "service_contract.portal_visit_invoice", {"visit": visit.sudo()}
        )
        self.assertNotIn("o_service_intervention_invoice", str(html))  # draft
        move.action_post()
        html = str(
            self.env["ir.qweb"]._render(
                "service_contract.portal_visit_invoice", {"visit": visit.sudo()}
            )
        )
        self.assertIn(move.name, html)
        self.assertIn(f"/my/invoices/{move.id}?access_token=", html)


@tagged("post_install", "-at_install")
class TestInterventionBillingPortal(PortalCase):
    def test_customer_sees_the_invoice_of_the_visit(self):
        self.env.company.service_labour_product_id = self.product_a
        visit = self.env["service.intervention"].create(
            {
                "contract_id": self.running.id,
                "site_id": self.site.id,
                "is_covered": False,
                "date_due": self.visit_done.date_due,
                "description": "SC Portal breakdown",
                "duration_actual": 1.5,
            }
        )
        visit.action_done()
        visit.action_create_invoice()
        move = visit.invoice_id
        self.authenticate(self.portal_user.login, "sc_portal_paula")
        url = f"/my/invoices/{move.id}?access_token="
        # A draft invoice is not shown to the customer.
        self.assertNotIn(url, self._get("/my/interventions").text)
        move.action_post()
        page = self._get("/my/interventions").text
        self.assertIn(visit.name, page)
        self.assertIn(url, page)
        page = self._get(f"/my/contracts/{self.running.id}").text
        self.assertIn(url, self._section(page, "interventions"))
        self.assertEqual(self._get(f"/my/invoices/{move.id}").status_code, 200)
