from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..models.service_lifecycle_guard import lifecycle_write
from .common import InvoicingCase

DUE = date(2026, 5, 1)
# D+7, D+15, D+30 and D+45.
D7, D15 = date(2026, 5, 8), date(2026, 5, 16)
D30, D45 = date(2026, 5, 31), date(2026, 6, 15)


class DunningCase(InvoicingCase):
    """A running contract with monthly visits and an invoice of 1,200.00
    (no tax) due on 1 May 2026; the company's penalty rate is 12.15 %."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.sc_late_penalty_rate = 12.15
        cls.template.write(
            {
                "visit_plan_ids": [
                    Command.create(
                        {
                            "name": "Monthly check",
                            "frequency_type": "count",
                            "count_per_year": 12,
                        }
                    )
                ]
            }
        )
        cls.contract = cls._contract()
        cls.customer.write({"is_company": True, "legal_category": "professional"})
        cls.accountant = new_test_user(
            cls.env,
            login="dunning_accountant",
            groups="account.group_account_invoice",
            company_id=cls.company.id,
        )

    @classmethod
    def _post_invoice(cls, contract, due=DUE, amount=1200.0, partner=None):
        with lifecycle_write():  # test data: an invoice of the contract
            move = cls.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": (partner or contract.partner_id).id,
                    "invoice_date": due,
                    "invoice_date_due": due,
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": cls.product.id,
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                                "service_contract_id": contract.id,
                            }
                        )
                    ],
                }
            )
        move.action_post()
        return move

    def _run(self, day, user=None):
        with freeze_time(day):
            Letter = self.env["service.dunning.letter"]
            if user:
                Letter = Letter.with_user(user)
                Letter.action_run_dunning()
                return Letter.sudo().search([("date", "=", day)])
            return Letter._run_dunning(day)

    def _pay(self, moves, day, amount=None):
        with freeze_time(day):
            wizard = (
                self.env["account.payment.register"]
                .with_context(active_model="account.move", active_ids=moves.ids)
                .create({"payment_date": day, **({"amount": amount} if amount else {})})
            )
            wizard._create_payments()


@tagged("post_install", "-at_install")
class TestDunningLevels(DunningCase):
    def test_default_levels_of_every_company(self):
        """D+7 reminder, D+15 second reminder, D+30 formal notice, D+45
        suspension: for the companies that existed and new ones."""
        new = self.env["res.company"].create({"name": "Dunning Newco"})
        for company in (self.company, new):
            levels = self.env["service.dunning.level"].search(
                [("company_id", "=", company.id)]
            )
            self.assertEqual(
                [(lv.delay, lv.action) for lv in levels],
                [
                    (7, "reminder"),
                    (15, "second_reminder"),
                    (30, "formal_notice"),
                    (45, "suspension"),
                ],
            )

    def test_levels_reached_on_their_day_once(self):
        move = self._post_invoice(self.contract)
        self.assertFalse(self._run(date(2026, 5, 7)))
        letter = self._run(D7)
        self.assertEqual(letter.partner_id, self.customer)
        self.assertEqual(letter.level_id.action, "reminder")
        self.assertEqual(letter.move_ids, move)
        self.assertEqual(move.dunning_level_id, letter.level_id)
        mail = self.env["mail.mail"].search(
            [("model", "=", "service.dunning.letter"), ("res_id", "=", letter.id)]
        )
        self.assertEqual(len(mail), 1)
        self.assertIn(move.name, mail.body_html)
        # Run twice the same day, or the next: the level is not sent again.
        self.assertFalse(self._run(D7))
        self.assertFalse(self._run(date(2026, 5, 9)))
        second = self._run(D15)
        self.assertEqual(second.level_id.action, "second_reminder")
        self.assertIn(
            "Dunning: Second reminder",
            "".join(self._messages_of(self.contract)),
        )

    def _messages_of(self, contract):
        return contract.message_ids.mapped("body")

    def test_formal_notice_penalties_professional(self):
        """1,200.00 overdue 30 days at 12.15 %: 1,200.00 x 12.15 % x 30 /
        365 = 11.98 of penalties, plus EUR 40 (L441-10)."""
        self._post_invoice(self.contract)
        letter = self._run(D30)
        # Straight to the highest level due: one letter, not three.
        self.assertEqual(len(letter), 1)
        self.assertEqual(letter.level_id.action, "formal_notice")
        self.assertEqual(letter.amount_principal, 1200.0)
        self.assertEqual(letter.amount_penalty, 11.98)
        self.assertEqual(letter.amount_indemnity, 40.0)
        self.assertEqual(letter.amount_total, 1251.98)
        self.assertEqual(letter.line_ids.days, 30)

    def test_formal_notice_penalties_consumer(self):
        consumer = self.env["res.partner"].create({"name": "Jean Dupont"})
        self.assertEqual(consumer.legal_category, "consumer")
        contract = self._contract(partner_id=consumer.id)
        self._post_invoice(contract)
        letter = self._run(D30)
        self.assertEqual(letter.partner_id, consumer)
        self.assertEqual(letter.amount_penalty, 11.98)
        self.assertEqual(letter.amount_indemnity, 0.0)
        self.assertEqual(letter.amount_total, 1211.98)

    def test_one_letter_per_customer_for_all_its_invoices(self):
        other = self._contract()
        first = self._post_invoice(self.contract)
        second = self._post_invoice(other, due=date(2026, 5, 5), amount=300.0)
        letter = self._run(D7)
        self.assertEqual(len(letter), 1)
        self.assertEqual(letter.move_ids, first | second)
        self.assertEqual(letter.contract_ids, self.contract | other)
        self.assertEqual(letter.amount_principal, 1500.0)
        self.assertEqual(letter.amount_indemnity, 80.0)

    def _alerts(self):
        return self.env["service.contract.alert"].search(
            [("contract_id", "=", self.contract.id), ("kind", "like", "dunning_")]
        )

    def test_paid_invoice_stops_dunning(self):
        move = self._post_invoice(self.contract)
        self._run(D7)
        alert = self._alerts()
        self.assertEqual((alert.kind, alert.date), ("dunning_letter", D7))
        self._pay(move, D7)
        self.assertFalse(self._alerts())
        self.assertFalse(self._run(D15))

    def test_credit_note_stops_dunning(self):
        move = self._post_invoice(self.contract)
        self._run(D7)
        with freeze_time(D7):
            move._reverse_moves(cancel=True)
        self.assertEqual(move.payment_state, "reversed")
        self.assertFalse(self._run(D15))

    def test_promise_to_pay_pauses_until_its_date(self):
        self._post_invoice(self.contract)
        self.customer.dunning_promise_date = date(2026, 5, 20)
        self.assertFalse(self._run(D7))
        self.assertFalse(self._run(date(2026, 5, 20)))
        letter = self._run(date(2026, 5, 21))
        self.assertEqual(letter.level_id.action, "second_reminder")

    def test_excluded_customer(self):
        self._post_invoice(self.contract)
        self.customer.dunning_excluded = True
        self.assertFalse(self._run(D30))

    def test_skipped_hook(self):
        move = self._post_invoice(self.contract)
        Move = type(self.env["account.move"])
        original = Move._get_dunning_skipped

        def skip(moves):
            return moves.filtered(lambda m: m == move) | original(moves)

        Move._get_dunning_skipped = skip
        try:
            self.assertFalse(self._run(D7))
        finally:
            Move._get_dunning_skipped = original
        self.assertTrue(self._run(D7))

    def test_broken_customer_does_not_stop_the_others(self):
        consumer = self.env["res.partner"].create({"name": "Jean Dupont"})
        other = self._contract(partner_id=consumer.id)
        self._post_invoice(self.contract)
        self._post_invoice(other)
        Letter = type(self.env["service.dunning.letter"])
        original = Letter._dunning_lines

        def broken(letter, partner, company, moves, day):
            if partner == self.customer:
                raise ValueError("broken")
            return original(letter, partner, company, moves, day)

        Letter._dunning_lines = broken
        try:
            letters = self._run(D7)
        finally:
            Letter._dunning_lines = original
        self.assertEqual(letters.partner_id, consumer)
        self.assertTrue(self._run(D7))

    def test_accountant_runs_dunning(self):
        """An accountant without contract rights runs it from the screen."""
        self.assertFalse(
            self.accountant.has_group("service_contract.group_service_contract_user")
        )
        self._post_invoice(self.contract)
        letters = self._run(D7, user=self.accountant)
        self.assertEqual(letters.level_id.action, "reminder")
        self.assertEqual(
            self.env["service.dunning.letter"]
            .with_user(self.accountant)
            .search([])
            .amount_principal,
            1200.0,
        )

    def test_dunning_level_written_by_the_run_only(self):
        move = self._post_invoice(self.contract)
        level = self.env["service.dunning.level"].search(
            [("company_id", "=", self.company.id)], limit=1
        )
        with self.assertRaises(UserError):
            move.with_user(self.accountant).write({"dunning_level_id": level.id})
        self.assertRefused(
            AccessError,
            "",
            self.env["service.dunning.letter"].with_user(self.accountant).create,
            {
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "level_id": level.id,
                "date": D7,
            },
        )
