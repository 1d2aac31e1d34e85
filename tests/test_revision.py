from datetime import date

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import BaseCase, new_test_user, tagged
from odoo.tools import SQL, mute_logger

from ..models.date_utils import anniversary
from ..models.price_revision import (
    prorated_amount,
    raw_coefficient,
    revised_price,
    revision_coefficient,
    revision_index_month,
)
from .common import ConcurrencyCase, PriceRevisionCase


class TestPriceRevisionArithmetic(BaseCase):
    """The clause P = P0 x (a + sum b_i x I_i / I0_i), on exact figures."""

    def test_engineering_index_example(self):
        # I0 = 121.2 (2021-08), In = 130.5 (2023-08), a = 0.15, b = 0.85:
        # 0.15 + 0.85 x 130.5 / 121.2 = 1.0652227722... -> 1.065223
        coefficient = revision_coefficient(0.15, [(0.85, 121.2, 130.5)])
        self.assertEqual(coefficient, 1.065223)
        # 1,200.00 x 1.065223 = 1,278.2676 -> 1,278.27
        self.assertEqual(revised_price(1200.0, coefficient), 1278.27)

    def test_cleaning_formula_three_indices(self):
        # 0.125 + 0.875 x (0.80 S/S0 + 0.075 O/O0 + 0.125 FSD3/FSD3_0):
        # weights 0.875 x 0.80 = 0.7, 0.875 x 0.075 = 0.065625,
        # 0.875 x 0.125 = 0.109375; a + sum b_i = 1.
        terms = [
            (0.7, 100.0, 104.3),  # S: 0.7 x 1.043 = 0.7301
            (0.065625, 110.2, 118.9),  # O: 0.065625 x 1.0789473... = 0.0708059...
            (0.109375, 122.5, 131.0),  # FSD3: 0.109375 x 1.0693877... = 0.1169642...
        ]
        # 0.125 + 0.7301 + 0.07080592... + 0.11696428... = 1.04287020676...
        self.assertAlmostEqual(
            float(raw_coefficient(0.125, terms)), 1.0428702067669173, places=12
        )
        self.assertEqual(revision_coefficient(0.125, terms), 1.04287)
        self.assertEqual(revised_price(1000.0, 1.04287), 1042.87)

    def test_floor_applies_when_the_index_moves_less(self):
        # 0.15 + 0.85 x 123 / 121.2 = 1.012623... below the floor 1.05
        self.assertEqual(
            revision_coefficient(0.15, [(0.85, 121.2, 123.0)], minimum=1.05), 1.05
        )
        self.assertEqual(revised_price(1200.0, 1.05), 1260.0)
        # Above the floor, the index applies.
        self.assertEqual(
            revision_coefficient(0.15, [(0.85, 121.2, 130.5)], minimum=1.05),
            1.065223,
        )

    def test_cap(self):
        # 0.15 + 0.85 x 140 / 121.2 = 1.131848... capped at 1.04
        self.assertEqual(
            revision_coefficient(0.15, [(0.85, 121.2, 140.0)], maximum=1.04), 1.04
        )
        self.assertEqual(revised_price(1200.0, 1.04), 1248.0)

    def test_index_going_down_lowers_the_price_unless_a_floor(self):
        # 0.15 + 0.85 x 118 / 121.2 = 0.977557... -> 0.977558
        coefficient = revision_coefficient(0.15, [(0.85, 121.2, 118.0)])
        self.assertEqual(coefficient, 0.977558)
        self.assertEqual(revised_price(1200.0, coefficient), 1173.07)
        self.assertEqual(
            revision_coefficient(0.15, [(0.85, 121.2, 118.0)], minimum=1.0), 1.0
        )

    def test_coefficient_rounded_to_the_stated_decimals(self):
        # 1.0652227... to 3 decimals: 1.065; 1,200.00 -> 1,278.00
        coefficient = revision_coefficient(0.15, [(0.85, 121.2, 130.5)], digits=3)
        self.assertEqual(coefficient, 1.065)
        self.assertEqual(revised_price(1200.0, coefficient), 1278.0)
        # Half-up: 0.15 + 0.85 x 1.0025 = 1.002125 -> 1.002 (3 d.), 1.00213 (5 d.)
        terms = [(0.85, 100.0, 100.25)]
        self.assertEqual(revision_coefficient(0.15, terms, digits=3), 1.002)
        self.assertEqual(revision_coefficient(0.15, terms, digits=5), 1.00213)

    def test_revised_price_rounds_half_up_to_the_currency(self):
        self.assertEqual(revised_price(100.0, 1.065225), 106.52)
        self.assertEqual(revised_price(10.0, 1.0005), 10.01)  # 10.005 -> 10.01
        self.assertEqual(revised_price(100.0, 1.065223, 1.0), 107.0)

    def test_index_month_same_month_k_years_later(self):
        base = date(2021, 8, 1)
        cases = [
            (date(2023, 9, 1), date(2023, 8, 1)),
            (date(2023, 8, 1), date(2023, 8, 1)),
            (date(2023, 8, 31), date(2023, 8, 1)),
            (date(2023, 7, 31), date(2022, 8, 1)),
            (date(2022, 1, 1), date(2021, 8, 1)),
        ]
        for revision_date, expected in cases:
            with self.subTest(revision_date=revision_date):
                self.assertEqual(
                    revision_index_month(base, revision_date, "same_month"), expected
                )

    def test_index_month_last_known(self):
        self.assertEqual(
            revision_index_month(date(2021, 8, 1), date(2023, 9, 15), "last_known"),
            date(2023, 9, 1),
        )
        with self.assertRaises(ValueError):
            revision_index_month(date(2021, 8, 1), date(2021, 7, 31), "same_month")

    def test_prorated_amount(self):
        # June 2026, 300.00 then 400.00 from the 16th: 15 days each -> 350.00
        self.assertEqual(
            prorated_amount(
                300.0, 400.0, date(2026, 6, 1), date(2026, 6, 30), date(2026, 6, 16)
            ),
            350.0,
        )


@tagged("post_install", "-at_install")
class TestPriceRevisionClause(PriceRevisionCase):
    def test_clause_copied_from_template(self):
        contract = self._contract(sign=False)
        self.assertTrue(contract.has_revision)
        self.assertEqual(contract.revision_fixed_part, 0.15)
        self.assertEqual(contract.revision_base_date, date(2021, 8, 1))
        self.assertEqual(contract.revision_index_rule, "same_month")
        self.assertEqual(contract.revision_digits, 6)
        self.assertEqual(contract.revision_split, "prorate")
        self.assertEqual(contract.revision_term_ids.index_id, self.index)
        self.assertEqual(contract.revision_term_ids.weight, 0.85)
        self.assertEqual(contract.revision_term_ids.base_value, 121.2)
        # Its own copy: the template's terms are untouched by the contract.
        self.assertNotEqual(contract.revision_term_ids, self.template.revision_term_ids)
        self.assertFalse(contract.revision_date)

    def test_clause_copied_to_the_contract_of_a_quotation(self):
        self.product.service_contract_template_id = self.template
        self.template.signature_required = False
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": self.product.id})],
            }
        )
        order.action_confirm()
        contract = order.service_contract_ids
        self.assertEqual(contract.state, "running")
        self.assertEqual(contract.revision_fixed_part, 0.15)
        self.assertEqual(contract.revision_term_ids.index_id, self.index)
        self.assertEqual(contract.revision_term_ids.weight, 0.85)
        self.assertEqual(
            contract.revision_date, anniversary(contract.date_start, 1, "year")
        )

    def test_clause_editable_until_signature_then_frozen(self):
        contract = self._contract(sign=False)
        contract.write(
            {
                "revision_fixed_part": 0.3,
                "revision_term_ids": [
                    Command.update(contract.revision_term_ids.id, {"weight": 0.7})
                ],
            }
        )
        self.assertEqual(contract.revision_term_ids.weight, 0.7)
        contract.action_sign(date_signed=date(2022, 9, 1))
        # Default revision date: the anniversary of the start date.
        self.assertEqual(contract.revision_date, date(2023, 9, 1))
        term = contract.revision_term_ids
        self.assertRefused(
            UserError, "Fixed Part", contract.write, {"revision_fixed_part": 0.2}
        )
        self.assertRefused(
            UserError,
            "Revision Indices",
            contract.write,
            {"revision_term_ids": [Command.update(term.id, {"weight": 0.8})]},
        )
        self.assertRefused(UserError, "signed contract", term.write, {"weight": 0.8})
        self.assertRefused(UserError, "signed contract", term.unlink)
        self.assertRefused(
            UserError,
            "signed contract",
            self.env["service.revision.term"].create,
            {"contract_id": contract.id, "index_id": self.index.id, "weight": 0.1},
        )
        self.assertEqual(contract.revision_fixed_part, 0.3)
        self.assertEqual(term.weight, 0.7)
        # The next revision date stays editable.
        contract.revision_date = date(2024, 1, 1)
        self.assertEqual(contract.revision_date, date(2024, 1, 1))

    def test_weights_must_add_up_to_one(self):
        term = self.template.revision_term_ids
        self.assertRefused(
            ValidationError,
            "add up to 1",
            self.template.write,
            {"revision_fixed_part": 0.2},
        )
        self.assertRefused(ValidationError, "add up to 1", term.write, {"weight": 0.8})
        self.assertEqual(self.template.revision_fixed_part, 0.15)
        self.assertEqual(term.weight, 0.85)

    def test_weights_must_be_positive(self):
        other = self.env["service.price.index"].create({"name": "Other", "code": "OTH"})
        self._values(other, {"2021-08": 100.0})
        for weight in (-0.1, 0.0):
            with self.subTest(weight=weight):
                self.assertRefused(
                    ValidationError,
                    "must be positive",
                    self.template.write,
                    {
                        "revision_fixed_part": 0.15 - weight,
                        "revision_term_ids": [
                            Command.create({"index_id": other.id, "weight": weight})
                        ],
                    },
                )
        self.assertEqual(self.template.revision_term_ids.index_id, self.index)

    def test_base_month_needs_a_value_of_every_index(self):
        self.assertRefused(
            ValidationError,
            "no value of Engineering index for the base month 2020-01",
            self.template.write,
            {"revision_base_date": date(2020, 1, 15)},
        )
        self.assertRefused(
            ValidationError,
            "base month",
            self.template.write,
            {"revision_base_date": False},
        )
        self.assertEqual(self.template.revision_base_date, date(2021, 8, 1))

    def test_floor_cap_and_rounding_are_checked(self):
        self.assertRefused(
            ValidationError,
            "above its cap",
            self.template.write,
            {"revision_min": 1.1, "revision_max": 1.05},
        )
        self.assertRefused(
            ValidationError, "decimals", self.template.write, {"revision_digits": 11}
        )

    def test_cleaning_clause_three_indices(self):
        s, o, fsd3 = self.env["service.price.index"].create(
            [
                {"name": "Labour", "code": "S"},
                {"name": "Products", "code": "O"},
                {"name": "Equipment", "code": "FSD3"},
            ]
        )
        self._values(s, {"2021-08": 100.0, "2023-08": 104.3})
        self._values(o, {"2021-08": 110.2, "2023-08": 118.9})
        self._values(fsd3, {"2021-08": 122.5, "2023-08": 131.0})
        contract = self._contract(
            price=1000.0,
            revision_fixed_part=0.125,
            revision_term_ids=[
                Command.create({"index_id": s.id, "weight": 0.7}),
                Command.create({"index_id": o.id, "weight": 0.065625}),
                Command.create({"index_id": fsd3.id, "weight": 0.109375}),
            ],
        )
        proposal = contract._get_revision_proposals()[contract.id]
        # 0.125 + 0.7 x 1.043 + 0.065625 x 118.9/110.2 + 0.109375 x 131/122.5
        self.assertEqual(proposal["coefficient"], 1.04287)
        self.assertEqual(proposal["lines"][0]["price_after"], 1042.87)
        self.assertEqual(
            [(v["base_value"], v["value"]) for v in proposal["values"]],
            [(100.0, 104.3), (110.2, 118.9), (122.5, 131.0)],
        )


@tagged("post_install", "-at_install")
class TestPriceRevisionProposals(PriceRevisionCase):
    def test_proposal_of_the_worked_example(self):
        contract = self._contract()
        proposals = contract._get_revision_proposals()
        proposal = proposals[contract.id]
        self.assertEqual(proposal["date"], date(2023, 9, 1))
        self.assertEqual(proposal["coefficient"], 1.065223)
        self.assertEqual(proposal["missing"], [])
        self.assertEqual(
            proposal["values"],
            [
                {
                    "index_id": self.index.id,
                    "weight": 0.85,
                    "base_date": date(2021, 8, 1),
                    "base_value": 121.2,
                    "date": date(2023, 8, 1),
                    "value": 130.5,
                }
            ],
        )
        [line] = proposal["lines"]
        self.assertEqual((line["price_before"], line["price_after"]), (1200.0, 1278.27))
        self.assertEqual(proposal["amount_before"], 1200.0)
        self.assertEqual(proposal["amount_after"], 1278.27)
        for text in ("0.15 + 0.85 × ENG / ENG0", "121.2", "130.5", "1.065223"):
            self.assertIn(text, proposal["formula"])
        # A preview changes nothing.
        self.assertEqual(contract.line_ids.price_unit, 1200.0)
        self.assertFalse(contract.revision_ids)

    def test_same_month_rule_uses_the_base_month_k_years_later(self):
        contract = self._contract()
        proposal = contract._get_revision_proposals(date(2023, 7, 31))[contract.id]
        self.assertEqual(proposal["values"][0]["date"], date(2022, 8, 1))
        self.assertEqual(proposal["values"][0]["value"], 125.0)

    def test_last_known_rule(self):
        contract = self._contract(sign=False, revision_index_rule="last_known")
        contract.action_sign(date_signed=date(2022, 9, 1))
        self._values(self.index, {"2023-07": 129.0, "2023-10": 140.0})
        proposal = contract._get_revision_proposals()[contract.id]
        # Revision on 2023-09-01: the last value whose month is not after it.
        self.assertEqual(proposal["values"][0]["date"], date(2023, 8, 1))
        self.assertEqual(proposal["coefficient"], 1.065223)
        proposal = contract._get_revision_proposals(date(2023, 12, 1))[contract.id]
        self.assertEqual(proposal["values"][0]["date"], date(2023, 10, 1))

    def test_rounding_floor_and_negative_move_on_a_contract(self):
        contract = self._contract(sign=False, revision_digits=3)
        proposal = contract._get_revision_proposals(date(2023, 9, 1))[contract.id]
        self.assertEqual(proposal["coefficient"], 1.065)
        self.assertEqual(proposal["lines"][0]["price_after"], 1278.0)
        self._values(self.index, {"2024-08": 118.0})
        contract.revision_digits = 6
        proposal = contract._get_revision_proposals(date(2024, 9, 1))[contract.id]
        self.assertEqual(proposal["coefficient"], 0.977558)
        self.assertEqual(proposal["lines"][0]["price_after"], 1173.07)
        contract.revision_min = 1.0
        proposal = contract._get_revision_proposals(date(2024, 9, 1))[contract.id]
        self.assertEqual(proposal["coefficient"], 1.0)
        self.assertIn("Floor", proposal["formula"])

    def test_proposals_of_a_batch_in_few_queries(self):
        contracts = self.env["service.contract"]
        for _i in range(10):
            contracts |= self._contract()
        contracts.invalidate_recordset()
        with self.assertQueryCount(12):
            proposals = contracts._get_revision_proposals()
        self.assertEqual(len(proposals), 10)


@tagged("post_install", "-at_install")
class TestPriceRevisionApplication(PriceRevisionCase):
    def test_yearly_contract_revised_once_by_the_cron(self):
        contract = self._contract()
        self._invoice(date(2022, 9, 1))
        first = self._period(contract, date(2022, 9, 1))
        self.assertEqual(first.state, "invoiced")
        self.assertEqual(self._revise(date(2023, 8, 31)), 0)
        self.assertEqual(self._revise(date(2023, 9, 1)), 1)
        self.assertEqual(contract.line_ids.price_unit, 1278.27)
        self.assertEqual(first.amount, 1200.0)
        second = self._period(contract, date(2023, 9, 1))
        self.assertEqual(second.amount, 1278.27)
        self.assertEqual(self._period(contract, date(2024, 9, 1)).amount, 1278.27)
        revision = contract.revision_ids
        self.assertEqual(len(revision), 1)
        self.assertEqual(revision.date, date(2023, 9, 1))
        self.assertEqual(revision.kind, "index")
        self.assertEqual(revision.coefficient, 1.065223)
        self.assertEqual(revision.amount_before, 1200.0)
        self.assertEqual(revision.amount_after, 1278.27)
        self.assertEqual(revision.catch_up_amount, 0.0)
        self.assertEqual(revision.line_ids.price_before, 1200.0)
        self.assertEqual(revision.line_ids.price_after, 1278.27)
        self.assertEqual(revision.line_ids.contract_line_id, contract.line_ids)
        self.assertEqual(revision.value_ids.value, 130.5)
        self.assertEqual(revision.value_ids.base_value, 121.2)
        self.assertEqual(revision.value_ids.date, date(2023, 8, 1))
        self.assertIn("1.065223", revision.formula)
        self.assertEqual(contract.revision_date, date(2024, 9, 1))
        # Chatter note; the letter to the customer is queued, then sent with
        # its PDF by the scheduled action of the letters.
        bodies = " ".join(contract.message_ids.mapped("body"))
        self.assertIn("Prices revised on", bodies)
        self.assertEqual(revision.letter_state, "to_send")
        self.assertEqual(
            self.env["service.contract"]._cron_send_revision_letters(
                today=date(2023, 9, 1)
            ),
            1,
        )
        self.assertEqual(revision.letter_state, "sent")
        letter = contract.message_ids.filtered(
            lambda m: m.subject and "prices revised" in m.subject
        )
        self.assertEqual(len(letter), 1)
        self.assertIn(self.customer, letter.partner_ids)
        self.assertIn("1.065223", letter.body)
        self.assertIn("130.5", letter.body)
        self.assertEqual(len(letter.attachment_ids), 1)
        # Twice: once.
        self.assertEqual(self._revise(date(2023, 9, 1)), 0)
        self.assertEqual(self._revise(date(2023, 9, 2)), 0)
        self.assertEqual(len(contract.revision_ids), 1)
        self.assertEqual(contract.line_ids.price_unit, 1278.27)
        # The first invoice at the new prices states the revision, once.
        self._invoice(date(2023, 9, 1))
        move = second.move_id
        note = move.invoice_line_ids.filtered(lambda ln: ln.display_type == "line_note")
        self.assertEqual(len(note), 1)
        self.assertIn("1.065223", note.name)
        self.assertEqual(revision.move_id, move)
        self.assertEqual(move.amount_untaxed, 1278.27)
        self._invoice(date(2024, 9, 1))
        later = self._period(contract, date(2024, 9, 1)).move_id
        self.assertFalse(
            later.invoice_line_ids.filtered(lambda ln: ln.display_type == "line_note")
        )

    def test_monthly_contract_periods_from_the_revision_date(self):
        contract = self._contract(price=100.0, invoicing_frequency="month")
        self._invoice(date(2023, 8, 1))
        august = self._period(contract, date(2023, 8, 1))
        self.assertEqual(august.state, "invoiced")
        self._revise(date(2023, 9, 1))
        self.assertEqual(contract.line_ids.price_unit, 106.52)
        self.assertEqual(august.amount, 100.0)
        after = contract.period_ids.filtered(lambda p: p.date_from >= date(2023, 9, 1))
        self.assertEqual(set(after.mapped("amount")), {106.52})
        before = contract.period_ids - after
        self.assertEqual(set(before.mapped("amount")), {100.0})
        self.assertEqual(contract.revision_ids.amount_before, 1200.0)
        self.assertEqual(contract.revision_ids.amount_after, 1278.24)

    def test_revision_inside_a_period_prorated(self):
        contract = self._contract(sign=False)
        contract.write({"revision_date": date(2023, 3, 1)})
        contract.action_sign(date_signed=date(2022, 9, 1))
        self._revise(date(2023, 3, 1))
        # Base month of March 2023 by the same-month rule: August 2022.
        revision = contract.revision_ids
        self.assertEqual(revision.value_ids.date, date(2022, 8, 1))
        # 0.15 + 0.85 x 125 / 121.2 = 1.026650...: 1,200.00 -> 1,231.98
        self.assertEqual(revision.coefficient, 1.02665)
        self.assertEqual(contract.line_ids.price_unit, 1231.98)
        period = self._period(contract, date(2022, 9, 1))
        # 181 days (September to February) at 1,200.00, 184 at 1,231.98.
        self.assertEqual(period.amount, round((1200 * 181 + 1231.98 * 184) / 365, 2))
        self.assertEqual(
            period.amount,
            round(
                prorated_amount(
                    1200.0,
                    1231.98,
                    date(2022, 9, 1),
                    date(2023, 8, 31),
                    date(2023, 3, 1),
                ),
                2,
            ),
        )
        self.assertEqual(period.date_to, date(2023, 8, 31))
        self.assertEqual(contract.revision_date, date(2024, 3, 1))

    def test_revision_inside_a_period_split(self):
        contract = self._contract(sign=False, revision_split="split")
        contract.write({"revision_date": date(2023, 3, 1)})
        contract.action_sign(date_signed=date(2022, 9, 1))
        self._revise(date(2023, 3, 1))
        first = self._period(contract, date(2022, 9, 1))
        second = self._period(contract, date(2023, 3, 1))
        self.assertEqual(first.date_to, date(2023, 2, 28))
        self.assertEqual(first.amount, round(1200 * 181 / 365, 2))
        self.assertEqual(second.date_to, date(2023, 8, 31))
        self.assertEqual(second.amount, round(1231.98 * 184 / 365, 2))
        self.assertEqual(second.invoice_date, date(2023, 3, 1))
        self.assertAlmostEqual(first.prorata_factor + second.prorata_factor, 1.0)

    def test_missing_value_blocks_then_revises_from_the_revision_date(self):
        self.index.value_ids.filtered(lambda v: v.date == date(2023, 8, 1)).unlink()
        contract = self._contract(price=100.0, invoicing_frequency="month")
        self._invoice(date(2023, 8, 1))
        self.assertEqual(self._revise(date(2023, 9, 1)), 0)
        self.assertTrue(contract.revision_blocked)
        self.assertIn("ENG for 2023-08 missing", contract.revision_blocked_reason)
        self.assertEqual(contract.line_ids.price_unit, 100.0)
        self.assertFalse(contract.revision_ids)
        self.assertEqual(contract.revision_date, date(2023, 9, 1))
        summary = "Price revision blocked: index value missing"
        activities = contract.activity_ids.filtered(lambda a: a.summary == summary)
        self.assertEqual(len(activities), 1)
        self.assertIn("ENG for 2023-08 missing", activities.note)
        # Another day, still missing: still one activity.
        self._revise(date(2023, 9, 2))
        self.assertEqual(
            len(contract.activity_ids.filtered(lambda a: a.summary == summary)), 1
        )
        # September and October are invoiced at the former price meanwhile.
        self._invoice(date(2023, 10, 1))
        self._values(self.index, {"2023-08": 130.5})
        self.assertEqual(self._revise(date(2023, 10, 5)), 1)
        revision = contract.revision_ids
        self.assertEqual(revision.date, date(2023, 9, 1))
        self.assertFalse(contract.revision_blocked)
        self.assertFalse(contract.revision_blocked_reason)
        self.assertFalse(contract.activity_ids.filtered(lambda a: a.summary == summary))
        # 2 months invoiced at 100.00 instead of 106.52.
        self.assertEqual(revision.catch_up_amount, 13.04)
        self.assertEqual(self._period(contract, date(2023, 9, 1)).amount, 100.0)
        self.assertEqual(self._period(contract, date(2023, 11, 1)).amount, 106.52)
        self.assertEqual(contract.revision_date, date(2024, 9, 1))
        # The next invoice carries the catch-up, once.
        self._invoice(date(2023, 11, 1))
        move = self._period(contract, date(2023, 11, 1)).move_id
        catch_up = move.invoice_line_ids.filtered(
            lambda ln: ln.display_type == "product" and ln.price_unit == 13.04
        )
        self.assertEqual(len(catch_up), 1)
        self.assertEqual(move.amount_untaxed, 119.56)
        self.assertEqual(revision.move_id, move)
        self._invoice(date(2023, 12, 1))
        december = self._period(contract, date(2023, 12, 1)).move_id
        self.assertEqual(december.amount_untaxed, 106.52)

    def test_late_contract_catches_up_year_by_year(self):
        self._values(self.index, {"2024-08": 133.0})
        contract = self._contract()
        self.assertEqual(self._revise(date(2024, 9, 15)), 2)
        self.assertEqual(
            contract.revision_ids.sorted("date").mapped("date"),
            [date(2023, 9, 1), date(2024, 9, 1)],
        )
        self.assertEqual(contract.revision_date, date(2025, 9, 1))

    def test_negotiated_percentage(self):
        contract = self._contract(price=100.0, invoicing_frequency="month")
        proposals = contract._get_percentage_proposals(3.0, date(2023, 9, 1))
        revisions = contract._apply_revisions(
            proposals, kind="percentage", percentage=3.0
        )
        self.assertEqual(revisions.kind, "percentage")
        self.assertEqual(revisions.percentage, 3.0)
        self.assertEqual(revisions.coefficient, 1.03)
        self.assertEqual(contract.line_ids.price_unit, 103.0)
        self.assertEqual(self._period(contract, date(2023, 9, 1)).amount, 103.0)

    def test_applied_by_a_manager_the_records_read_right_at_once(self):
        """The revision writes in batches through the ORM: what it shows
        afterwards, in the same transaction and without reloading, is what
        the database holds."""
        manager = new_test_user(
            self.env,
            login="sc_rev_manager",
            groups="service_contract.group_service_contract_manager",
        )
        contracts = self._contract(price=100.0, invoicing_frequency="month", sign=False)
        contracts |= self._contract(price=50.0, invoicing_frequency="month", sign=False)
        contracts.line_ids.quantity = 2
        contracts.action_sign(date_signed=date(2022, 9, 1))
        # Read everything first: the cache must not keep the former values.
        before = [
            (c.amount_untaxed, c.amount_monthly, c.amount_annual, c.revision_count)
            for c in contracts
        ]
        self.assertEqual(before[0], (200.0, 200.0, 2400.0, 0))
        contracts.line_ids.mapped("price_subtotal")
        contracts.period_ids.mapped("amount")
        contracts.mapped("message_ids")
        self.env.flush_all()
        contracts = contracts.with_user(manager)
        revisions = contracts._apply_revisions(
            contracts._get_revision_proposals(date(2023, 9, 1))
        )
        first = contracts[0]
        self.assertEqual(first.line_ids.price_unit, 106.52)
        self.assertEqual(first.line_ids.price_subtotal, 213.04)
        self.assertEqual(first.amount_untaxed, 213.04)
        self.assertEqual(first.amount_monthly, 213.04)
        self.assertEqual(first.amount_annual, 2556.48)
        self.assertEqual(contracts[1].amount_untaxed, 106.52)
        self.assertEqual(first.revision_count, 1)
        self.assertEqual(first.revision_ids, revisions[0])
        self.assertEqual(first.revision_date, date(2024, 9, 1))
        self.assertEqual(self._period(first, date(2023, 9, 1)).amount, 213.04)
        self.assertEqual(self._period(first, date(2023, 8, 1)).amount, 200.0)
        self.assertEqual(revisions.company_id, self.company)
        self.assertEqual(revisions.user_id, manager)
        self.assertEqual(revisions.create_uid, manager)
        self.assertEqual(revisions.mapped("letter_state"), ["to_send", "to_send"])
        self.assertEqual(len(revisions.line_ids), 2)
        self.assertEqual(revisions.value_ids.mapped("value"), [130.5, 130.5])
        note = first.message_ids.filtered(lambda m: "Prices revised" in m.body)
        self.assertEqual(len(note), 1)
        self.assertEqual(note.author_id, manager.partner_id)
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))
        self.assertEqual(note.message_type, "notification")
        # The database agrees with what was read.
        self.env.invalidate_all()
        self.assertEqual(first.amount_monthly, 213.04)
        self.assertEqual(first.line_ids.price_subtotal, 213.04)
        self.assertEqual(first.revision_ids, revisions[0])

    def test_amounts_in_cents_stored_rounded(self):
        contract = self._contract(price=100.0, sign=False)
        contract.line_ids = [Command.create({"name": "Extra", "price_unit": 200.04})]
        contract.action_sign(date_signed=date(2022, 9, 1))
        contract._apply_revisions(contract._get_percentage_proposals(10.0))
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT amount_untaxed FROM service_contract WHERE id = %s",
            [contract.id],
        )
        # 110.00 + 220.04 is 330.03999999999996 in floating point: stored as
        # the currency writes it.
        self.assertEqual(repr(self.env.cr.fetchone()[0]), "330.04")
        note = contract.message_ids.filtered(lambda m: "Prices revised" in m.body)
        self.assertTrue(note.body.startswith("<p>Prices revised on"))

    def test_revising_more_contracts_costs_no_more_queries(self):
        def revise(count):
            contracts = self.env["service.contract"]
            for _i in range(count):
                contracts |= self._contract(price=100.0, invoicing_frequency="month")
            self.env.flush_all()
            self.env.invalidate_all()
            queries = self.env.cr.sql_log_count
            contracts._apply_revisions(
                contracts._get_revision_proposals(date(2023, 9, 1))
            )
            self.env.flush_all()
            return self.env.cr.sql_log_count - queries

        revise(2)  # what is read once per transaction (the note's author...)
        # The same queries, but the ORM's flush writes a hundred rows per
        # UPDATE: the 288 periods re-priced of 12 contracts take 3, the 72 of
        # 3 contracts 1.
        self.assertLessEqual(revise(12), revise(3) + 2)

    def test_only_managers_apply_and_proposals_with_missing_values_refused(self):
        contract = self._contract()
        user = new_test_user(
            self.env,
            login="sc_rev_user",
            groups="service_contract.group_service_contract_user",
        )
        proposals = contract._get_revision_proposals()
        self.assertRefused(
            AccessError,
            "managers",
            contract.with_user(user)._apply_revisions,
            proposals,
        )
        proposals[contract.id]["missing"] = [(self.index, date(2023, 8, 1))]
        proposals[contract.id]["coefficient"] = False
        self.assertRefused(
            UserError, "ENG for 2023-08 missing", contract._apply_revisions, proposals
        )
        self.assertEqual(contract.line_ids.price_unit, 1200.0)
        self.assertFalse(contract.revision_ids)

    def test_history_is_read_only(self):
        contract = self._contract()
        self._revise(date(2023, 9, 1))
        revision = contract.revision_ids
        user = new_test_user(
            self.env,
            login="sc_rev_reader",
            groups="service_contract.group_service_contract_user",
        )
        self.assertEqual(revision.with_user(user).coefficient, 1.065223)
        self.assertEqual(revision.with_user(user).line_ids.price_after, 1278.27)
        self.assertRefused(
            UserError, "history", revision.with_user(user).write, {"coefficient": 2}
        )
        self.assertRefused(UserError, "history", revision.write, {"coefficient": 2.0})
        self.assertEqual(revision.coefficient, 1.065223)

    def test_revision_note_is_a_logged_message_no_follower_notified(self):
        """The cron's note is a mail.message of the contract, logged as
        ``_message_log`` does: an internal note by the user running it, no
        notification, no mail to the followers."""
        contract = self._contract()
        follower = new_test_user(
            self.env,
            login="sc_rev_follower",
            email="follower@example.com",
            groups="service_contract.group_service_contract_user",
        )
        contract.message_subscribe(
            partner_ids=(follower.partner_id | self.customer).ids
        )
        self.assertEqual(self._revise(date(2023, 9, 1)), 1)
        note = self.env["mail.message"].search(
            [
                ("model", "=", "service.contract"),
                ("res_id", "=", contract.id),
                ("body", "ilike", "Prices revised on"),
            ]
        )
        self.assertEqual(len(note), 1)
        self.assertIn(note, contract.message_ids)
        self.assertTrue(note.body.startswith("<p>Prices revised on"))
        self.assertIn("coefficient 1.065223", note.body)
        self.assertEqual(note.message_type, "notification")
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))
        self.assertTrue(note.is_internal)
        self.assertEqual(note.author_id, self.env.user.partner_id)
        self.assertEqual(note.create_uid, self.env.user)
        # Logged, not posted: nobody is notified.
        self.assertFalse(note.partner_ids)
        self.assertFalse(note.notification_ids)
        self.assertFalse(
            self.env["mail.mail"].search([("mail_message_id", "=", note.id)])
        )
        self.assertFalse(
            self.env["mail.notification"].search(
                [("res_partner_id", "=", follower.partner_id.id)]
            )
        )

    def test_revision_writes_one_orm_call_per_model(self):
        """Two contracts revised together: the history, its lines and the
        notes are created by one ``create`` per model, the lines of the
        same new price written by one ``write``."""
        contracts = self._contract(price=100.0, invoicing_frequency="month")
        contracts |= self._contract(price=100.0, invoicing_frequency="month")
        calls = []
        originals = {}
        for model, method in (
            ("service.contract.revision", "create"),
            ("service.contract.revision.line", "create"),
            ("mail.message", "create"),
            ("service.contract.line", "write"),
        ):
            cls = type(self.env[model])
            originals[model, method] = getattr(cls, method)

            def spy(records, arg, model=model, method=method):
                calls.append((model, method, len(arg) if method == "create" else 0))
                return originals[model, method](records, arg)

            self.patch(cls, method, spy)
        self.assertEqual(self._revise(date(2023, 9, 1)), 2)
        self.assertEqual(
            sorted(calls),
            [
                ("mail.message", "create", 2),
                ("service.contract.line", "write", 0),
                ("service.contract.revision", "create", 2),
                ("service.contract.revision.line", "create", 2),
            ],
        )
        self.assertEqual(contracts.line_ids.mapped("price_unit"), [106.52, 106.52])

    def test_history_takes_its_own_defaults_not_the_contexts(self):
        """A list opened with default_* keys in its context: the history the
        revision creates takes the fields' own defaults."""
        contract = self._contract()
        other = new_test_user(
            self.env,
            login="sc_rev_other",
            groups="service_contract.group_service_contract_manager",
        )
        contract = contract.with_context(default_user_id=other.id)
        revision = contract._apply_revisions(
            contract._get_revision_proposals(date(2023, 9, 1))
        )
        self.assertEqual(revision.user_id, self.env.user)

    def test_cron_is_declared(self):
        cron = self.env.ref("service_contract.ir_cron_revise_prices")
        self.assertIn("model._cron_revise_prices(", cron.code)
        self.assertEqual(cron.interval_type, "days")
        with freeze_time("2023-09-01 08:00:00"):
            contract = self._contract()
            cron.method_direct_trigger()
        self.assertEqual(contract.line_ids.price_unit, 1278.27)


@tagged("post_install", "-at_install")
class TestConcurrentPriceRevision(ConcurrencyCase):
    """Two workers run the revision at once, each in its own transaction:
    every contract is revised exactly once."""

    today = date(2023, 9, 1)

    batch_size_key = "service_contract.cron_batch_size"

    def _create_data(self, env):
        index = env["service.price.index"].create(
            {"name": "Concurrent index", "code": "CONCURRENT"}
        )
        env["service.price.index.value"].create(
            [
                {"index_id": index.id, "date": "2021-08-01", "value": 121.2},
                {"index_id": index.id, "date": "2023-08-01", "value": 130.5},
            ]
        )
        partner = env["res.partner"].create({"name": "Concurrent customer"})
        contracts = env["service.contract"].create(
            [
                {
                    "partner_id": partner.id,
                    "date_start": date(2022, 9, 1),
                    "invoicing_frequency": "month",
                    "invoicing_mode": "advance",
                    "line_ids": [
                        Command.create({"name": "Service", "price_unit": 100})
                    ],
                    "revision_fixed_part": 0.15,
                    "revision_base_date": date(2021, 8, 1),
                    "revision_term_ids": [
                        Command.create({"index_id": index.id, "weight": 0.85})
                    ],
                }
                for _i in range(5)
            ]
        )
        contracts.action_sign(date_signed=date(2022, 9, 1))
        return {
            "service.contract": contracts.ids,
            "service.price.index": index.ids,
            "res.partner": partner.ids,
        }

    @mute_logger("odoo.sql_db")
    def test_two_workers_revise_each_contract_once(self):
        # A worker that locked a contract the other one revised and committed
        # meanwhile is rolled back and runs again, as Odoo does.
        results = self._run_cron_twice(
            lambda env: env["service.contract"]._cron_revise_prices(today=self.today),
            retry=True,
        )
        with self.registry.cursor() as cr:
            env = self._env(cr)
            contracts = env["service.contract"].browse(
                self.record_ids["service.contract"]
            )
            revisions = env["service.contract.revision"].search(
                [("contract_id", "in", contracts.ids)]
            )
            self.assertEqual(len(revisions), 5)
            self.assertEqual(revisions.contract_id, contracts)
            self.assertEqual(set(contracts.line_ids.mapped("price_unit")), {106.52})
            self.assertEqual(set(contracts.mapped("revision_date")), {date(2024, 9, 1)})
            self.assertEqual(sum(results), 5)

    @mute_logger(
        "odoo.sql_db", "odoo.addons.service_contract.models.service_contract_cron"
    )
    def test_line_changed_meanwhile_is_retried_without_activity(self):
        # Another transaction changes a contract's service line and commits
        # after the revision's transaction began (as an invoicing run does
        # with the periods): revising its price is refused (serialization
        # failure). That contract stays due, without an activity, and the
        # action runs again soon; the others are revised.
        contract_ids = self.record_ids["service.contract"]
        self.assertEqual(self._revise_after_change("service_contract_line"), 4)
        with self.registry.cursor() as cr:
            env = self._env(cr)
            first = env["service.contract"].browse(contract_ids[0])
            self.assertFalse(first.revision_ids)
            self.assertEqual(first.revision_date, date(2023, 9, 1))
            self.assertFalse(first.activity_ids, "not the contract's fault")
            self.assertEqual(
                env["service.contract"]._cron_revise_prices(today=self.today), 1
            )
            self.assertEqual(first.line_ids.price_unit, 106.52)

    @mute_logger(
        "odoo.sql_db", "odoo.addons.service_contract.models.service_contract_cron"
    )
    def test_contract_changed_meanwhile_leaves_its_batch_for_later(self):
        # The contract itself changed meanwhile: locking its batch (2
        # contracts) is refused; the batch waits for the next run.
        contract_ids = self.record_ids["service.contract"]
        self.assertEqual(self._revise_after_change("service_contract"), 3)
        with self.registry.cursor() as cr:
            env = self._env(cr)
            first_batch = env["service.contract"].browse(contract_ids[:2])
            self.assertFalse(first_batch.revision_ids)
            self.assertFalse(first_batch.activity_ids)
            self.assertEqual(
                env["service.contract"]._cron_revise_prices(today=self.today), 2
            )

    @mute_logger(
        "odoo.sql_db", "odoo.addons.service_contract.models.service_contract_cron"
    )
    def test_line_changed_meanwhile_outside_a_scheduled_run_is_reported(self):
        # Run by hand (no scheduled action to run again): the contract gets
        # the activity saying why, as any failure.
        contract_ids = self.record_ids["service.contract"]
        self.assertEqual(
            self._revise_after_change("service_contract_line", cron=False), 4
        )
        with self.registry.cursor() as cr:
            env = self._env(cr)
            first = env["service.contract"].browse(contract_ids[0])
            self.assertFalse(first.revision_ids)
            self.assertEqual(first.activity_ids.summary, "Price revision failed")

    def _revise_after_change(self, table, cron=True):
        """The revision's transaction begins, another one changes the first
        contract's rows of ``table`` and commits, then the revision runs (as
        its scheduled action, with ``cron``): the number of revisions."""
        contract_ids = self.record_ids["service.contract"]
        column = "id" if table == "service_contract" else "contract_id"
        with self.registry.cursor() as cr:
            env = self._env(cr)
            action = env.ref("service_contract.ir_cron_revise_prices")
            Contract = env["service.contract"]
            if cron:
                Contract = Contract.with_context(cron_id=action.id)
            Contract.browse(contract_ids).fetch(["name"])  # the snapshot
            with self.registry.cursor() as other:
                other.execute(
                    SQL(
                        "UPDATE %s SET write_date = now() WHERE %s = %s",
                        SQL.identifier(table),
                        SQL.identifier(column),
                        contract_ids[0],
                    )
                )
            count = Contract._cron_revise_prices(today=self.today)
            triggers = env["ir.cron.trigger"].search(
                [("cron_id", "=", action.id), ("call_at", ">", fields.Datetime.now())]
            )
            self.addCleanup(self._remove_triggers, triggers.ids)
            self.assertEqual(len(triggers), 1 if cron else 0)
        return count

    def _remove_triggers(self, trigger_ids):
        with self.registry.cursor() as cr:
            self._env(cr)["ir.cron.trigger"].browse(trigger_ids).unlink()
