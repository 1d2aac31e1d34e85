from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestRevisionUi(HttpCase):
    """A manager enters the index value published this year, previews the
    revision of two contracts selected in the list, applies it, sends the
    letters queued; the contract shows its history and the letter to the
    customer is in its chatter."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        today = fields.Date.context_today(cls.env["res.users"].with_user(cls.admin))
        # Revised this month, on the first anniversary of contracts started
        # a year ago; the clause reads the index for the month before the
        # start (base), then the same month one year later, which the
        # manager enters in the tour.
        cls.revision_date = today.replace(day=1)
        start = cls.revision_date - relativedelta(years=1)
        cls.base_month = start - relativedelta(months=1)
        cls.new_month = cls.base_month + relativedelta(years=1)
        cls.index = cls.env["service.price.index"].create(
            {
                "name": "SC Tour Index",
                "code": "SCTOUR",
                "value_ids": [Command.create({"date": cls.base_month, "value": 100.0})],
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "SC Revision Customer", "is_company": True, "email": "c@sc.test"}
        )
        cls.contracts = cls.env["service.contract"].create(
            [
                {
                    "partner_id": cls.customer.id,
                    "title": f"SC Revision Tour {price:.0f}",
                    "date_start": start,
                    "duration": 2,
                    "duration_unit": "year",
                    "renewal_type": "none",
                    "renewal_duration": 1,
                    "renewal_unit": "year",
                    "notice_period": 0,
                    "notice_unit": "month",
                    "invoicing_frequency": "month",
                    "invoicing_mode": "advance",
                    "line_ids": [
                        Command.create(
                            {"name": "Lift maintenance", "price_unit": price}
                        )
                    ],
                    "revision_fixed_part": 0.15,
                    "revision_term_ids": [
                        Command.create({"index_id": cls.index.id, "weight": 0.85})
                    ],
                    "revision_base_date": cls.base_month,
                    "revision_index_rule": "same_month",
                    "revision_date": cls.revision_date,
                }
                for price in (100.0, 200.0)
            ]
        )
        cls.contracts.action_sign(date_signed=start)
        # The letter's PDF is rendered by wkhtmltopdf, which would fetch its
        # stylesheets from this test server while the request holds the test
        # cursor (a deadlock): point it elsewhere.
        cls.env["ir.config_parameter"].sudo().set_param(
            "report.url", "file:///nonexistent-sc-report-url"
        )

    def test_revision_tour(self):
        contract_100, contract_200 = self.contracts
        self.assertFalse(self.contracts.revision_ids)

        self.start_tour(
            "/odoo",
            "service_contract_revision_tour",
            login="admin",
            timeout=180,
        )

        self.env.invalidate_all()
        # The value the manager entered, for the month the clause reads.
        key = (self.index.id, self.new_month)
        self.assertEqual(
            self.env["service.price.index.value"]._get_values([key])[key], 110.0
        )
        # coefficient = 0.15 + 0.85 × 110 / 100 = 1.085
        for contract, price in ((contract_100, 108.5), (contract_200, 217.0)):
            revision = contract.revision_ids
            self.assertEqual(len(revision), 1)
            self.assertEqual(revision.kind, "index")
            self.assertAlmostEqual(revision.coefficient, 1.085, places=6)
            self.assertEqual(revision.date, self.revision_date)
            self.assertAlmostEqual(contract.line_ids.price_unit, price, places=2)
            self.assertEqual(
                contract.revision_date, self.revision_date + relativedelta(years=1)
            )
            # The periods from the revision date carry the new price.
            periods = contract.period_ids.filtered(
                lambda p: p.date_from >= self.revision_date
            )
            self.assertEqual(set(periods.mapped("amount")), {price})
        # The letters, queued by the revision, were sent from the list of the
        # revisions made (Send Letters): with their PDF, in the chatter.
        self.assertEqual(
            set(self.contracts.revision_ids.mapped("letter_state")), {"sent"}
        )
        letter = contract_100.message_ids.filtered(
            lambda m: m.attachment_ids and "1.085" in (m.body or "")
        )
        self.assertEqual(len(letter), 1, contract_100.message_ids.mapped("body"))
        self.assertIn(self.customer, letter.partner_ids)
