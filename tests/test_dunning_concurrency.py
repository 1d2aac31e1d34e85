from datetime import date

from odoo import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.service_lifecycle_guard import lifecycle_write
from .common import ConcurrencyCase


@tagged("post_install", "-at_install")
class TestConcurrentDunning(ConcurrencyCase):
    """Two workers run dunning on the same customers at the same time, each
    in its own transaction: each customer gets its reminder once."""

    batch_size_key = "service_contract.cron_batch_size"

    def _create_data(self, env):
        partners = env["res.partner"].create(
            [{"name": f"Concurrent debtor {i}", "is_company": True} for i in range(4)]
        )
        product = env["product.product"].create(
            {"name": "Concurrent dunning service", "type": "service"}
        )
        contracts = env["service.contract"].create(
            [
                {
                    "partner_id": partner.id,
                    "date_start": date(2026, 1, 1),
                    "line_ids": [Command.create({"product_id": product.id})],
                }
                for partner in partners
            ]
        )
        contracts.action_sign()
        with lifecycle_write():  # test data: an invoice of each contract
            moves = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": contract.partner_id.id,
                        "invoice_date": date(2026, 5, 1),
                        "invoice_date_due": date(2026, 5, 1),
                        "invoice_payment_term_id": False,
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "product_id": product.id,
                                    "price_unit": 100.0,
                                    "tax_ids": [Command.clear()],
                                    "service_contract_id": contract.id,
                                }
                            )
                        ],
                    }
                    for contract in contracts
                ]
            )
        moves.action_post()
        self.move_ids = moves.ids
        return {
            "service.contract": contracts.ids,
            "product.product": product.ids,
            "res.partner": partners.ids,
        }

    def _remove_contract_data(self, contracts):
        env = contracts.env
        letters = env["service.dunning.letter"].search(
            [("partner_id", "in", contracts.partner_id.ids)]
        )
        env["mail.mail"].search(
            [("model", "=", letters._name), ("res_id", "in", letters.ids)]
        ).unlink()
        letters.unlink()
        moves = env["account.move"].browse(self.move_ids)
        moves.button_draft()
        with lifecycle_write():  # test data, removed as it came
            moves.unlink()

    @mute_logger("odoo.sql_db")
    def test_two_workers_send_each_letter_once(self):
        def run(env):
            partners = env["res.partner"].browse(self.record_ids["res.partner"])
            return len(
                env["service.dunning.letter"]._run_dunning(
                    date(2026, 5, 8), partners=partners
                )
            )

        results = self._run_cron_twice(run, retry=True)
        with self.registry.cursor() as cr:
            env = self._env(cr)
            letters = env["service.dunning.letter"].search(
                [("partner_id", "in", self.record_ids["res.partner"])]
            )
            self.assertEqual(len(letters), 4)
            self.assertEqual(len(letters.partner_id), 4)
            self.assertEqual(sum(results), 4)
