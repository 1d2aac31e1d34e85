from datetime import date

from freezegun import freeze_time

from odoo.tests import new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import InvoicingCase, PortalCase, RpcMixin
from .test_collection import demo_provider, demo_token
from .test_dunning import D30, D45, DunningCase


@tagged("post_install", "-at_install")
class TestGettingPaidReview(DunningCase):
    """Review of issue 24's money: a customer invoiced in another currency,
    a contract invoiced to another company."""

    def test_letter_in_company_currency_for_a_foreign_currency_invoice(self):
        """2,400.00 in a foreign currency at 2 for 1 is 1,200.00 of the
        company: the letter (in the company's currency) states 1,200.00 and
        11.98 of penalties, not 2,400.00 and 23.97."""
        company_currency = self.company.currency_id
        foreign = self.env.ref(
            "base.USD" if company_currency.name != "USD" else "base.EUR"
        )
        foreign.active = True
        self.env["res.currency.rate"].create(
            {
                "currency_id": foreign.id,
                "company_id": self.company.id,
                "name": date(2026, 1, 1),
                "rate": 2.0 * company_currency.rate,
            }
        )
        move = self._post_invoice(self.contract, amount=2400.0)
        move.button_draft()
        move.currency_id = foreign
        move.line_ids.filtered("product_id").price_unit = 2400.0
        move.action_post()
        self.assertEqual(move.amount_residual_signed, 1200.0)
        letter = self._run(D30)
        self.assertEqual(letter.currency_id, company_currency)
        self.assertEqual(letter.amount_principal, 1200.0)
        self.assertEqual(letter.amount_penalty, 11.98)
        self.assertEqual(letter.amount_total, 1251.98)

    def test_partly_paid_invoice_penalties_on_the_residual(self):
        """1,200.00 of which 200.00 paid: 1,000.00 x 12.15 % x 30 / 365 =
        9.99 of penalties on the 1,000.00 still due."""
        move = self._post_invoice(self.contract)
        self._pay(move, date(2026, 5, 5), amount=200.0)
        self.assertEqual(move.payment_state, "partial")
        letter = self._run(D30)
        self.assertEqual(letter.amount_principal, 1000.0)
        self.assertEqual(letter.amount_penalty, 9.99)
        self.assertEqual(letter.amount_total, 1049.99)

    def test_cancelled_invoice_resumes(self):
        """The only overdue invoice of a suspended contract is cancelled
        (reset to draft, cancelled): nothing is overdue, the service
        resumes."""
        move = self._post_invoice(self.contract)
        self._run(D45)
        self.assertTrue(self.contract.dunning_suspended)
        move.button_draft()
        move.button_cancel()
        self.assertFalse(self.contract.dunning_suspended)

    def test_payment_of_a_contract_invoiced_to_another_company_resumes(self):
        """The contract's invoices go to a paying company: its letter
        suspends the contract, its payment resumes it."""
        payer = self.env["res.partner"].create(
            {"name": "Payer Co", "is_company": True, "legal_category": "professional"}
        )
        self.contract.partner_invoice_id = payer
        move = self._post_invoice(self.contract, partner=payer)
        letter = self._run(D45)
        self.assertEqual(letter.partner_id, payer)
        self.assertTrue(self.contract.dunning_suspended)
        self._pay(move, date(2026, 6, 20))
        self.assertFalse(self.contract.dunning_suspended)


@tagged("post_install", "-at_install")
class TestCollectionReview(InvoicingCase):
    """A monthly contract from 2026-06-01 paid by the customer's
    payment_demo card."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.service_invoice_policy = "post"
        provider = demo_provider(
            cls.env, cls.company, cls.company_data["default_journal_bank"]
        )
        cls.token = demo_token(cls.env, provider, cls.customer, "done")
        cls.contract = cls._contract(start=date(2026, 6, 1))
        cls.contract.payment_token_id = cls.token

    def _charges(self, invoice):
        return self.env["payment.transaction"].search(
            [("invoice_ids", "in", invoice.ids), ("operation", "=", "offline")]
        )

    def _collect(self, day):
        with freeze_time(day):
            self.env["service.contract"]._cron_collect_payments()
        self.env.invalidate_all()

    def test_paid_invoice_reset_and_posted_again_not_charged_twice(self):
        """Paid by its charge, reset to draft, posted again and scheduled
        again: never a second charge."""
        with freeze_time("2026-06-01"):
            self._invoice(date(2026, 6, 1))
        self._collect("2026-06-01")
        invoice = self.contract.invoice_ids
        self.assertEqual(len(self._charges(invoice)), 1)
        invoice.button_draft()
        invoice.action_post()
        invoice.service_collection_date = date(2026, 6, 2)
        self._collect("2026-06-02")
        self.assertEqual(len(self._charges(invoice)), 1)

    def test_card_of_the_invoicing_company_never_pays_another_customer(self):
        """The contract's invoices go to a paying company whose card is the
        contract's; an invoice moved to the contract's customer before its
        charge is not charged to the payer's card."""
        payer = self.env["res.partner"].create({"name": "Payer Co", "is_company": True})
        provider = self.token.provider_id
        payer_token = demo_token(self.env, provider, payer, "done")
        contract = self._contract(start=date(2026, 6, 1), partner_invoice_id=payer.id)
        contract.payment_token_id = payer_token
        with freeze_time("2026-06-01"):
            self._invoice(date(2026, 6, 1))
        invoice = contract.invoice_ids
        self.assertEqual(invoice.partner_id, payer)
        invoice.button_draft()
        invoice.partner_id = self.customer
        invoice.action_post()
        invoice.service_collection_date = date(2026, 6, 1)
        self._collect("2026-06-01")
        self.assertFalse(self._charges(invoice))
        self.assertEqual(invoice.payment_state, "not_paid")


@tagged("post_install", "-at_install")
class TestCollectionPortalReview(RpcMixin, PortalCase):
    """A stranger on the payment method routes: a contract not running,
    another customer's contract with its link token, no login at all."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        provider = demo_provider(
            cls.env, cls.env.company, cls.company_data["default_journal_bank"]
        )
        cls.own_token = demo_token(
            cls.env, provider, cls.portal_user.partner_id, "done"
        )

    def test_stranger_attacks_refused(self):
        to_sign = f"/my/contracts/{self.to_sign.id}/payment_method"
        other = f"/my/contracts/{self.other.id}/payment_method"
        # Not logged in: the login page, and the JSON routes refuse.
        self.authenticate(None, None)
        response = self._open(f"/my/contracts/{self.running.id}/payment_method")
        self.assertIn("/web/login", response.url)
        with self.assertRaises(JsonRpcException):
            self._jsonrpc(
                f"/my/contracts/{self.running.id}/payment_method/assign",
                {"token_id": self.own_token.id},
            )
        self.authenticate(self.portal_user.login, self.portal_user.login)
        self._rpc_login = self.portal_user.login
        # A contract waiting for signature: not paid yet, nothing to set.
        with self.assertRaises(JsonRpcException):
            self._jsonrpc(f"{to_sign}/assign", {"token_id": self.own_token.id})
        # Another customer's contract, with its link token: back home.
        access_token = self.other.sudo()._portal_ensure_token()
        response = self._open(f"{other}?access_token={access_token}")
        self.assertTrue(response.url.endswith("/my"), response.url)
        with self.assertRaises(JsonRpcException):
            self._jsonrpc(
                f"{other}/transaction",
                {
                    "access_token": access_token,
                    "provider_id": self.own_token.provider_id.id,
                    "payment_method_id": self.own_token.payment_method_id.id,
                    "token_id": None,
                    "flow": "direct",
                    "tokenization_requested": True,
                },
            )
        self.assertFalse((self.to_sign | self.other).sudo().payment_token_id)
        self.assertFalse(
            self.env["payment.transaction"].search(
                [("service_contract_id", "in", (self.to_sign | self.other).ids)]
            )
        )
        # Nor reads the charges or the dunning letters.
        for model, field in (
            ("payment.transaction", "amount"),
            ("service.dunning.letter", "amount_total"),
        ):
            self.assertRpcRefused(self.portal_user, model, "search_read", [], [field])

    def test_office_users_attacks_refused(self):
        """A salesperson sets no other customer's card, no suspension, reads
        no letter; an account manager of one company changes no level of
        another company."""
        other_token = demo_token(
            self.env, self.own_token.provider_id, self.other_customer, "done"
        )
        salesman = new_test_user(
            self.env,
            login="review24_salesman",
            groups="base.group_user,sales_team.group_sale_salesman",
        )
        self.assertRpcRefused(
            salesman,
            "service.contract",
            "write",
            self.running.ids,
            {"payment_token_id": other_token.id},
        )
        self.assertRpcRefused(
            salesman,
            "service.contract",
            "write",
            self.running.ids,
            {"dunning_suspended": True},
        )
        self.assertRpcRefused(
            salesman, "service.dunning.letter", "search_read", [], ["amount_total"]
        )
        newco = self.env["res.company"].create({"name": "Review24 Newco"})
        level = self.env["service.dunning.level"].search(
            [("company_id", "=", newco.id)], limit=1
        )
        manager = new_test_user(
            self.env,
            login="review24_account_manager",
            groups="base.group_user,account.group_account_manager",
        )
        self.assertRpcRefused(
            manager, "service.dunning.level", "write", level.ids, {"delay": 1}
        )
        self.assertFalse(self.running.sudo().payment_token_id)
        self.assertFalse(self.running.dunning_suspended)
        self.assertNotEqual(level.delay, 1)
