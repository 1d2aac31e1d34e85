from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import ConcurrencyCase, InvoicingCase


def demo_provider(env, company, journal=None):
    """Odoo's test provider (payment_demo) in ``company``: its tokens succeed,
    are refused or stay pending as their ``demo_simulated_state`` says."""
    base = env.ref("payment.payment_provider_demo").sudo()
    provider = (
        base if base.company_id == company else base.copy({"company_id": company.id})
    )
    provider.state = "test"
    if journal:
        provider.journal_id = journal
    return provider


def demo_token(env, provider, partner, state):
    return (
        env["payment.token"]
        .sudo()
        .create(
            {
                "provider_id": provider.id,
                "payment_method_id": env.ref("payment_demo.payment_method_demo").id,
                "payment_details": f"4242 {state}",
                "partner_id": partner.id,
                "provider_ref": f"demo {state}",
                "demo_simulated_state": state,
            }
        )
    )


@tagged("post_install", "-at_install")
class TestCollection(InvoicingCase):
    """A monthly contract from 2026-06-01 (310.00 + tax a month), invoices
    posted by the invoicing run, charged to the contract's payment_demo
    token; the company retries refused charges 3 and 7 days after the
    first refusal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.service_invoice_policy = "post"
        cls.customer.email = "customer@example.com"
        cls.provider = demo_provider(
            cls.env, cls.company, cls.company_data["default_journal_bank"]
        )
        cls.accountant = new_test_user(
            cls.env,
            login="sc_collect_accountant",
            groups="base.group_user,account.group_account_invoice,"
            "service_contract.group_service_contract_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.contract_user = new_test_user(
            cls.env,
            login="sc_collect_contract_user",
            groups="base.group_user,service_contract.group_service_contract_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def _token(self, state, partner=None):
        return demo_token(self.env, self.provider, partner or self.customer, state)

    def _contract_paid_by(self, state):
        contract = self._contract(start=date(2026, 6, 1))
        contract.with_user(self.accountant).payment_token_id = self._token(state)
        return contract

    def _run(self, day):
        """The day's invoicing run, then the collection it triggers."""
        with freeze_time(day):
            self._invoice(fields_date(day))
            self.env["service.contract"]._cron_collect_payments()
        self.env.invalidate_all()

    def _collect(self, day):
        with freeze_time(day):
            self.env["service.contract"]._cron_collect_payments()
        self.env.invalidate_all()

    def _charges(self, invoice):
        return self.env["payment.transaction"].search(
            [("invoice_ids", "in", invoice.ids), ("operation", "=", "offline")]
        )

    def _mails(self, invoice):
        return self.env["mail.mail"].search(
            [("model", "=", "account.move"), ("res_id", "=", invoice.id)]
        )

    def test_success_pays_and_reconciles(self):
        contract = self._contract_paid_by("done")
        self._run("2026-06-01")
        invoice = contract.invoice_ids
        self.assertEqual(invoice.state, "posted")
        charge = self._charges(invoice)
        self.assertEqual(len(charge), 1)
        self.assertEqual(charge.state, "done")
        self.assertEqual(charge.token_id, contract.sudo().payment_token_id)
        self.assertEqual(charge.amount, invoice.amount_total)
        self.assertTrue(charge.payment_id)
        self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual))
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        receivable = invoice.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertTrue(receivable.reconciled)
        self.assertFalse(invoice.service_collection_date)
        self.assertFalse(invoice._get_collection_retrying())
        self.assertFalse(self._mails(invoice))
        log = "".join(contract.message_ids.mapped("body"))
        self.assertIn("automatic charge of", log)
        self.assertIn(f"Invoice {invoice.name} paid by the automatic charge", log)
        # The run twice on the same day: still one charge.
        self._run("2026-06-01")
        self.assertEqual(len(self._charges(invoice)), 1)

    def test_refused_charge_retried_then_left_to_dunning(self):
        contract = self._contract_paid_by("error")
        self._run("2026-06-01")
        invoice = contract.invoice_ids
        self.assertEqual(len(self._charges(invoice)), 1)
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertEqual(invoice.service_collection_failed_date, date(2026, 6, 1))
        self.assertEqual(invoice.service_collection_date, date(2026, 6, 4))
        self.assertEqual(invoice._get_collection_retrying(), invoice)
        self.assertEqual(invoice._get_dunning_skipped(), invoice)
        mail = self._mails(invoice)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertIn(f"/my/invoices/{invoice.id}?access_token=", mail.body_html)
        self.assertIn(f"/my/contracts/{contract.id}/payment_method", mail.body_html)
        # The same day again, and the day before the retry: nothing.
        self._run("2026-06-01")
        self._collect("2026-06-03")
        self.assertEqual(len(self._charges(invoice)), 1)
        # D+3: the first retry, refused; the next one at D+7.
        self._collect("2026-06-04")
        self.assertEqual(len(self._charges(invoice)), 2)
        self.assertEqual(invoice.service_collection_date, date(2026, 6, 8))
        self.assertEqual(invoice._get_collection_retrying(), invoice)
        # D+7: the last retry, refused: left to dunning.
        self._collect("2026-06-08")
        self.assertEqual(len(self._charges(invoice)), 3)
        self.assertEqual(invoice.service_collection_failures, 3)
        self.assertFalse(invoice.service_collection_date)
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertFalse(invoice._get_collection_retrying())
        self.assertFalse(invoice._get_dunning_skipped())
        self.assertEqual(len(self._mails(invoice)), 3)
        self._collect("2026-06-30")
        self.assertEqual(len(self._charges(invoice)), 3)
        log = "".join(contract.message_ids.mapped("body"))
        self.assertIn("Retry on 06/04/2026", log)
        self.assertIn("Retry on 06/08/2026", log)
        self.assertIn("No retry left: the invoice is left to dunning", log)

    def test_pending_then_confirmed(self):
        contract = self._contract_paid_by("pending")
        self._run("2026-06-01")
        invoice = contract.invoice_ids
        charge = self._charges(invoice)
        self.assertEqual(charge.state, "pending")
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertEqual(invoice._get_collection_retrying(), invoice)
        self._collect("2026-06-05")
        self.assertEqual(self._charges(invoice), charge)
        # The provider confirms it later; Odoo's post-processing (its
        # scheduled action) pays the invoice.
        charge.sudo().action_demo_set_done()
        charge.sudo()._post_process()
        self.env.invalidate_all()
        self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual))
        self.assertFalse(invoice._get_collection_retrying())
        self.assertFalse(self._mails(invoice))

    @mute_logger("odoo.addons.service_contract.models.service_contract_collection")
    def test_failing_charge_does_not_stop_the_others(self):
        broken = self._contract_paid_by("done")
        fine = self._contract_paid_by("done")
        broken_token = broken.sudo().payment_token_id
        Transaction = self.env.registry["payment.transaction"]
        send = Transaction._send_payment_request

        def send_or_fail(tx):
            if tx.token_id == broken_token:
                raise RuntimeError("Provider unreachable")
            return send(tx)

        with patch.object(Transaction, "_send_payment_request", send_or_fail):
            self._run("2026-06-01")
        # Nothing kept of the failed charge; it is retried at D+3.
        self.assertFalse(self._charges(broken.invoice_ids))
        self.assertEqual(broken.invoice_ids.service_collection_date, date(2026, 6, 4))
        self.assertEqual(len(self._mails(broken.invoice_ids)), 1)
        self.assertIn(fine.invoice_ids.payment_state, ("paid", "in_payment"))

    def test_no_payment_method_no_charge(self):
        contract = self._contract(start=date(2026, 6, 1))
        self._run("2026-06-01")
        invoice = contract.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertFalse(self._charges(invoice))
        self.assertFalse(invoice.service_collection_date)

    def test_payment_method_of_the_invoicing_customer_only(self):
        contract = self._contract(start=date(2026, 6, 1))
        other = self._token("done", partner=self.partner_b)
        self.assertRefused(
            ValidationError,
            "must be an active payment method of",
            contract.with_user(self.accountant).write,
            {"payment_token_id": other.id},
        )
        self.assertFalse(contract.sudo().payment_token_id)
        # A contract user without accounting or sales rights neither sees
        # nor sets the payment method.
        own = self._token("done")
        self.assertRefused(
            AccessError,
            "",
            contract.with_user(self.contract_user).write,
            {"payment_token_id": own.id},
        )
        self.assertNotIn(
            "payment_token_id",
            contract.with_user(self.contract_user).fields_get(),
        )
        contract.with_user(self.accountant).payment_token_id = own
        self.assertEqual(contract.sudo().payment_token_id, own)

    def test_retry_schedule_setting(self):
        settings = self.env["res.config.settings"].create(
            {"service_collection_retry_days": "2, 5,10"}
        )
        settings.execute()
        self.assertEqual(self.company._get_collection_retry_days(), [2, 5, 10])
        for bad in ("3,x", "7,3", "0", "3,3", "-1"):
            self.assertRefused(
                ValidationError,
                "is not valid",
                self.company.write,
                {"service_collection_retry_days": bad},
            )
        self.assertEqual(self.company.service_collection_retry_days, "2, 5,10")
        self.company.service_collection_retry_days = False
        self.assertEqual(self.company._get_collection_retry_days(), [])


def fields_date(day):
    return date.fromisoformat(day)


@tagged("post_install", "-at_install")
class TestConcurrentCollection(ConcurrencyCase):
    """Two workers run the collection at the same time, each in its own
    database transaction: each invoice is charged once."""

    today = date(2026, 3, 1)

    def _create_data(self, env):
        company = env.company
        provider = demo_provider(env, company)
        partner = env["res.partner"].create(
            {"name": "Concurrent payer", "email": "payer@example.com"}
        )
        token = demo_token(env, provider, partner, "pending")
        product = env["product.product"].create(
            {"name": "Collected service", "type": "service", "list_price": 100}
        )
        contracts = env["service.contract"].create(
            [
                {
                    "partner_id": partner.id,
                    "date_start": self.today,
                    "invoicing_frequency": "month",
                    "invoicing_mode": "advance",
                    "invoice_policy": "post",
                    "line_ids": [Command.create({"product_id": product.id})],
                }
                for _i in range(4)
            ]
        )
        contracts.action_sign()
        contracts.payment_token_id = token
        contracts.period_ids.filtered(
            lambda p: p.invoice_date == self.today
        )._create_invoices()
        return {
            "service.contract": contracts.ids,
            "payment.token": token.ids,
            "product.product": product.ids,
            "res.partner": partner.ids,
        }

    def _remove_contract_data(self, contracts):
        moves = contracts.period_ids.move_id
        moves.env["payment.transaction"].search(
            [("invoice_ids", "in", moves.ids)]
        ).unlink()
        moves.button_draft()
        moves.unlink()

    @mute_logger("odoo.sql_db")
    def test_two_workers_charge_each_invoice_once(self):
        self._run_cron_twice(
            lambda env: env["service.contract"]
            ._cron_collect_payments(today=self.today)
            .ids
        )
        with self.registry.cursor() as cr:
            env = self._env(cr)
            contracts = env["service.contract"].browse(
                self.record_ids["service.contract"]
            )
            invoices = contracts.period_ids.move_id
            self.assertEqual(len(invoices), 4)
            for invoice in invoices:
                charges = env["payment.transaction"].search(
                    [("invoice_ids", "in", invoice.ids)]
                )
                self.assertEqual(len(charges), 1, invoice.name)
                self.assertEqual(charges.state, "pending")
