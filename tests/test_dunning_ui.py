from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from ..models.service_lifecycle_guard import lifecycle_write
from .common import RpcMixin, create_contract, new_tour_user


@tagged("post_install", "-at_install")
class TestDunningUi(RpcMixin, HttpCase):
    """A customer of the main company with a contract invoice of 1,200.00
    due 8 days ago (a reminder is due), an accountant without contract
    rights, a contract user without accounting rights and a portal user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.main_company")
        cls.customer = cls.env["res.partner"].create(
            {"name": "SC Dunning Tour Customer", "is_company": True}
        )
        product = cls.env["product.product"].create(
            {"name": "SC Dunning service", "type": "service", "list_price": 100.0}
        )
        template = cls.env["service.contract.template"].create(
            {
                "name": "SC Dunning template",
                "duration": 1,
                "duration_unit": "year",
                "line_ids": [Command.create({"product_id": product.id})],
            }
        )
        today = cls.company._service_today()
        cls.contract = create_contract(
            cls.env,
            cls.customer,
            template=template,
            date_start=today - timedelta(days=60),
            sign=True,
        )
        due = today - timedelta(days=8)
        with lifecycle_write():  # test data: an invoice of the contract
            cls.move = cls.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.customer.id,
                    "invoice_date": due,
                    "invoice_date_due": due,
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "price_unit": 1200.0,
                                "tax_ids": [Command.clear()],
                                "service_contract_id": cls.contract.id,
                            }
                        )
                    ],
                }
            )
        cls.move.action_post()
        cls.accountant = new_tour_user(
            cls.env, "sc_dunning_accountant", "account.group_account_invoice"
        )
        cls.contract_user = new_tour_user(
            cls.env,
            "sc_dunning_contract_user",
            "service_contract.group_service_contract_user",
        )
        cls.portal = new_tour_user(cls.env, "sc_dunning_portal", "base.group_portal")
        cls.portal.partner_id.parent_id = cls.customer

    def _letters(self):
        return self.env["service.dunning.letter"].search(
            [("partner_id", "=", self.customer.id)]
        )

    def test_accountant_runs_the_dunning_screen(self):
        self.start_tour(
            "/odoo/action-service_contract.service_dunning_letter_action",
            "service_dunning_tour",
            login="sc_dunning_accountant",
        )
        self.assertEqual(self._letters().level_id.action, "reminder")

    def test_rpc_attacks(self):
        """Nobody forges a letter, its amounts or an invoice's level; a
        contract user and a portal customer run and read none of it."""
        self.rpc(self.accountant, "service.dunning.letter", "action_run_dunning", [])
        letter = self._letters()
        self.assertEqual(letter.amount_principal, 1200.0)
        level = letter.level_id
        for user in (self.accountant, self.contract_user, self.portal):
            with self.subTest(user=user.login):
                self.assertRpcRefused(
                    user,
                    "service.dunning.letter",
                    "write",
                    letter.ids,
                    {"amount_principal": 1.0},
                )
                self.assertRpcRefused(
                    user,
                    "service.dunning.letter",
                    "create",
                    {
                        "partner_id": self.customer.id,
                        "company_id": self.company.id,
                        "level_id": level.id,
                        "date": fields.Date.to_string(letter.date),
                    },
                )
                self.assertRpcRefused(
                    user,
                    "account.move",
                    "write",
                    self.move.ids,
                    {"dunning_level_id": False},
                )
                self.assertRpcRefused(
                    user,
                    "service.contract",
                    "write",
                    self.contract.ids,
                    {"dunning_suspended": True},
                )
        for user in (self.contract_user, self.portal):
            with self.subTest(user=user.login):
                self.assertRpcRefused(
                    user, "service.dunning.letter", "action_run_dunning", []
                )
                self.assertRpcRefused(
                    user,
                    "service.dunning.letter",
                    "search_read",
                    [],
                    ["amount_principal"],
                )
                self.assertRpcRefused(
                    user, "service.dunning.letter", "action_print", letter.ids
                )
        # The contract user sees the level reached, not the amounts.
        [values] = self.rpc(
            self.contract_user,
            "service.contract",
            "read",
            self.contract.ids,
            ["dunning_level_id", "dunning_suspended"],
        )
        self.assertEqual(values["dunning_level_id"][0], level.id)
        self.assertEqual(letter.amount_principal, 1200.0)
        self.assertFalse(self.contract.dunning_suspended)
        self.assertEqual(self.move.dunning_level_id, level)

    def test_formal_notice_pdf(self):
        """The formal notice states the principal, the penalties and the
        flat indemnity of a professional customer."""
        day = self.move.invoice_date_due + timedelta(days=30)
        self.env["service.dunning.letter"]._run_dunning(day)
        letter = self._letters()
        self.assertEqual(letter.action, "formal_notice")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "service_contract.action_report_service_dunning_letter", letter.ids
            )[0]
            .decode()
        )
        self.assertIn("Formal notice to pay (mise en demeure)", html)
        self.assertIn("11.98", html)
        self.assertIn("Code de commerce L441-10", html)
        self.assertIn("1,251.98", html)
        attachments = (
            self.env["mail.mail"]
            .search(
                [("model", "=", "service.dunning.letter"), ("res_id", "=", letter.id)]
            )
            .attachment_ids
        )
        self.assertEqual(len(attachments), 1)

    def test_portal_banner_of_a_suspended_contract(self):
        """The customer sees the suspension on its contract's page, never
        the letters."""
        day = self.move.invoice_date_due + timedelta(days=45)
        self.env["service.dunning.letter"]._run_dunning(day)
        self.assertTrue(self.contract.dunning_suspended)
        self.authenticate(self.portal.login, self.portal.login)
        page = self.url_open(f"/my/contracts/{self.contract.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_service_dunning_suspended", page.text)
        self.assertIn("suspended for non-payment", page.text)
