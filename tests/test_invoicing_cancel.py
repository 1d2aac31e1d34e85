"""Cancelled and credited contract invoices give their periods back.

All as an accountant without contract rights: never a period invoiced
twice, never one silently lost.
"""

from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import InvoicingCase


@tagged("post_install", "-at_install")
class TestInvoiceCancel(InvoicingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company_data["company"]
        cls.accountant = new_test_user(
            cls.env,
            login="sc_cancel_accountant",
            groups="base.group_user,account.group_account_invoice",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

    def setUp(self):
        super().setUp()
        self.contract = self._contract()
        self._invoice(date(2026, 1, 15))
        self.period = self.contract.period_ids[0]
        self.move = self.period.move_id.with_user(self.accountant)
        self.move.action_post()

    def _reversal_wizard(self):
        return (
            self.env["account.move.reversal"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=self.move.ids)
            .create(
                {
                    "journal_id": self.move.journal_id.id,
                    "reason": "Billing error",
                    "date": date(2026, 1, 20),
                }
            )
        )

    def _credit_note(self, price_unit=None):
        wizard = self._reversal_wizard()
        action = wizard.refund_moves()
        refund = self.env["account.move"].with_user(self.accountant)
        refund = refund.browse(action["res_id"])
        if price_unit is not None:
            refund.invoice_line_ids.price_unit = price_unit
        refund.action_post()
        return refund

    def _last_message(self):
        return self.contract.message_ids[0].body

    def test_cancel_gives_periods_back_with_message(self):
        self.move.button_cancel()
        self.assertEqual(self.period.state, "to_invoice")
        self.assertFalse(self.period.move_id)
        self.assertIn(self.move.name, self._last_message())
        self.assertIn("to invoice again", self._last_message())
        self.assertIn("01/15/2026 to 01/31/2026", self._last_message())

    def test_reset_to_draft_takes_them_again(self):
        self.move.button_cancel()
        self.move.button_draft()
        self.assertEqual(self.period.state, "invoiced")
        self.assertEqual(self.period.move_id, self.move)
        self.assertIn("invoiced on it again", self._last_message())
        self.move.action_post()
        self.assertEqual(self.period.move_id, self.move)

    def test_reset_refused_once_invoiced_elsewhere(self):
        self.move.button_cancel()
        self._invoice(date(2026, 1, 15))
        other = self.period.move_id
        self.assertTrue(other)
        self.assertNotEqual(other, self.move)
        self.assertRefused(UserError, "invoiced again", self.move.button_draft)
        self.assertEqual(self.move.state, "cancel")
        self.assertEqual(self.period.move_id, other)

    def test_full_credit_note_gives_periods_back(self):
        refund = self._credit_note()
        self.assertEqual(self.move.payment_state, "reversed")
        self.assertEqual(self.period.state, "to_invoice")
        self.assertIn("reversed in full by a credit note", self._last_message())
        # The credit note undone: the invoice holds its period again.
        refund.button_draft()
        self.assertEqual(self.period.move_id, self.move)

    def test_credit_note_and_new_draft_takes_the_periods_over(self):
        action = self._reversal_wizard().modify_moves()
        new_move = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(new_move.move_type, "out_invoice")
        self.assertEqual(new_move.state, "draft")
        self.assertEqual(self.move.payment_state, "reversed")
        self.assertEqual(self.period.move_id, new_move)
        self.assertEqual(self._invoice(date(2026, 1, 15)), 0)
        # The credited original can no longer take them back.
        self.assertRefused(UserError, "invoiced again", self.move.button_draft)

    def test_unreconciled_credit_note_gives_periods_back_to_invoice(self):
        refund = self._credit_note()
        self.assertEqual(self.period.state, "to_invoice")
        refund.line_ids.with_user(self.accountant).remove_move_reconcile()
        self.assertEqual(self.move.payment_state, "not_paid")
        self.assertEqual(self.period.move_id, self.move)

    def test_partial_credit_note_changes_nothing(self):
        self._credit_note(price_unit=100.0)
        self.assertEqual(self.move.payment_state, "partial")
        self.assertEqual(self.period.state, "invoiced")
        self.assertEqual(self.period.move_id, self.move)

    def test_cron_invoices_a_cancelled_period_again_once(self):
        self.move.button_cancel()
        self.assertEqual(self._invoice(date(2026, 1, 15)), 1)
        new_move = self.period.move_id
        self.assertTrue(new_move)
        self.assertNotEqual(new_move, self.move)
        self.assertEqual(self._invoice(date(2026, 1, 15)), 0)
        self.assertEqual(self.period.move_id, new_move)
        self.assertEqual(
            self.contract.invoice_ids.filtered(lambda m: m.state != "cancel"),
            new_move,
        )

    def test_deleted_draft_gives_period_back(self):
        self._invoice(date(2026, 2, 1))
        february = self.contract.period_ids[1]
        february.move_id.with_user(self.accountant).unlink()
        self.assertEqual(february.state, "to_invoice")
        self.assertEqual(self._invoice(date(2026, 2, 1)), 1)
