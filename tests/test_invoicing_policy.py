from datetime import date

from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import InvoicingCase

JANUARY_15 = date(2026, 1, 15)


@tagged("post_install", "-at_install")
class TestInvoicePolicy(InvoicingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.email = "accounts@lac.example.com"
        cls.other_customer = cls.partner_b
        cls.other_customer.email = "billing@other.example.com"

    def _invoices(self, contract):
        return contract.invoice_ids

    def _sent_messages(self, move):
        return move.message_ids.filtered(
            lambda m: m.message_type == "comment" and m.attachment_ids
        )

    def test_default_policy_keeps_drafts(self):
        self.assertEqual(self.env.company.service_invoice_policy, "draft")
        contract = self._contract()
        self.assertFalse(contract.invoice_policy)
        self._invoice(JANUARY_15)
        move = self._invoices(contract)
        self.assertEqual(len(move), 1)
        self.assertEqual(move.state, "draft")
        self.assertFalse(self._sent_messages(move))

    def test_post_policy_posts(self):
        self.env.company.service_invoice_policy = "post"
        contract = self._contract()
        self._invoice(JANUARY_15)
        move = self._invoices(contract)
        self.assertEqual(move.state, "posted")
        self.assertTrue(move.name.startswith("INV"))
        self.assertFalse(self._sent_messages(move))
        self.assertFalse(move.is_move_sent)

    def test_send_policy_posts_and_emails_the_pdf(self):
        self.env.company.service_invoice_policy = "send"
        contract = self._contract()
        self._invoice(JANUARY_15)
        move = self._invoices(contract)
        self.assertEqual(move.state, "posted")
        self.assertTrue(move.is_move_sent)
        message = self._sent_messages(move)
        self.assertEqual(len(message), 1)
        self.assertIn(self.customer, message.partner_ids)
        self.assertIn(move.name, message.subject)
        pdfs = message.attachment_ids.filtered(lambda a: a.name.endswith(".pdf"))
        self.assertEqual(len(pdfs), 1)
        self.assertEqual(pdfs.mimetype, "application/pdf")
        self.assertIn(
            self.customer,
            message.notification_ids.filtered(
                lambda n: n.notification_type == "email"
            ).res_partner_id,
        )

    def test_template_and_contract_override_the_company(self):
        self.env.company.service_invoice_policy = "post"
        self.template.invoice_policy = "draft"
        from_template = self._contract()
        self.assertEqual(from_template.invoice_policy, "draft")
        sent = self._contract(partner_id=self.other_customer.id)
        sent.invoice_policy = "send"
        default = self._contract(partner_id=self.partner_a.id)
        default.invoice_policy = False
        self._invoice(JANUARY_15)
        self.assertEqual(self._invoices(from_template).state, "draft")
        self.assertEqual(self._invoices(sent).state, "posted")
        self.assertTrue(self._invoices(sent).is_move_sent)
        self.assertEqual(self._invoices(default).state, "posted")
        self.assertFalse(self._invoices(default).is_move_sent)

    def test_post_failure_is_isolated(self):
        self.env.company.service_invoice_policy = "post"
        good = self._contract()
        broken = self._contract(partner_id=self.other_customer.id)
        Move = type(self.env["account.move"])
        post = Move._post

        def failing_post(moves, soft=True):
            if self.other_customer in moves.partner_id:
                raise UserError(self.env._("No income account for this customer."))
            return post(moves, soft=soft)

        self.patch(Move, "_post", failing_post)
        with mute_logger("odoo.addons.service_contract.models"):
            self._invoice(JANUARY_15)
        self.assertEqual(self._invoices(good).state, "posted")
        draft = self._invoices(broken)
        self.assertEqual(len(draft), 1)
        self.assertEqual(draft.state, "draft")
        self.assertEqual(broken.period_ids[0].move_id, draft)
        self.assertFalse(good.activity_ids)
        activity = broken.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.summary, "Invoicing failed")
        self.assertIn("No income account for this customer", activity.note)

    def test_send_failure_is_isolated(self):
        self.env.company.service_invoice_policy = "send"
        good = self._contract()
        broken = self._contract(partner_id=self.other_customer.id)
        Send = type(self.env["account.move.send"])
        send = Send._generate_and_send_invoices

        def failing_send(self_, moves, **kwargs):
            if self.other_customer in moves.partner_id:
                raise UserError(self.env._("The mail server refused the message."))
            return send(self_, moves, **kwargs)

        self.patch(Send, "_generate_and_send_invoices", failing_send)
        with mute_logger("odoo.addons.service_contract.models"):
            self._invoice(JANUARY_15)
        self.assertTrue(self._invoices(good).is_move_sent)
        self.assertEqual(self._invoices(broken).state, "posted")
        self.assertFalse(self._invoices(broken).is_move_sent)
        self.assertFalse(good.activity_ids)
        self.assertEqual(len(broken.activity_ids), 1)
        self.assertIn("could not be sent", broken.activity_ids.note)

    def test_customer_without_email_is_posted_and_reported(self):
        self.env.company.service_invoice_policy = "send"
        self.customer.email = False
        contract = self._contract()
        self._invoice(JANUARY_15)
        move = self._invoices(contract)
        self.assertEqual(move.state, "posted")
        self.assertFalse(self._sent_messages(move))
        self.assertIn("no email address", contract.activity_ids.note)

    def test_setting_is_in_the_settings(self):
        settings = Form(self.env["res.config.settings"])
        settings.service_invoice_policy = "send"
        settings.save().execute()
        self.assertEqual(self.env.company.service_invoice_policy, "send")

    def test_policy_on_template_and_contract_forms(self):
        with Form(self.template) as template:
            template.invoice_policy = "send"
        contract_form = Form(self.env["service.contract"])
        contract_form.partner_id = self.customer
        contract_form.template_id = self.template
        self.assertEqual(contract_form.invoice_policy, "send")
        contract_form.invoice_policy = "post"
        contract = contract_form.save()
        self.assertEqual(contract.invoice_policy, "post")
        self.assertEqual(self.template.invoice_policy, "send")
