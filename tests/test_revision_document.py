from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged
from odoo.tools import html2plaintext

from .common import RevisionUiCase


@tagged("post_install", "-at_install")
class TestRevisionDocument(RevisionUiCase):
    """The clause in words with a worked example: in the document
    placeholder and on the printed contract."""

    def _text(self, html):
        return " ".join(html2plaintext(str(html)).split())

    @freeze_time("2023-10-02")
    def test_placeholder_states_the_formula_and_the_worked_example(self):
        self.template.document_body = (
            '<p>Clause: <t t-out="object.doc_revision_clause"/></p>'
        )
        contract = self._create_contract(
            template_id=self.template.id,
            date_start=date(2022, 9, 1),
            invoicing_frequency="year",
            line_ids=[
                Command.clear(),
                Command.create({"name": "Lift maintenance", "price_unit": 1200.0}),
            ],
            revision_fixed_part=0.15,
            revision_term_ids=[
                Command.create({"index_id": self.index.id, "weight": 0.85})
            ],
            revision_base_date=date(2021, 8, 1),
            revision_index_rule="same_month",
            revision_date=date(2023, 9, 1),
        )
        contract.action_render_document()
        text = self._text(contract.document_body)
        self.assertIn("P = P0 × (0.15 + 0.85 × ING/ING0)", text)
        self.assertIn(
            "ING0 is the value of the index Engineering index for August 2021 "
            "(121.2) and ING its value for the same month of the revision year",
            text,
        )
        self.assertIn("the coefficient is rounded to 6 decimals", text)
        self.assertIn(
            "Worked example: with ING0 = 121.2 (August 2021) and ING = 130.5 "
            "(August 2023), the coefficient is 1.065223 and an annual amount of",
            text,
        )
        self.assertRegex(text, r"1,200\.00.{0,3} becomes .{0,3}1,278\.27")

    def test_floor_cap_rounding_and_last_known_value_are_stated(self):
        contract = self._create_revised_contract(
            revision_index_rule="last_known",
            revision_min=1.05,
            revision_max=1.2,
            revision_digits=3,
        )
        text = self._text(contract.doc_revision_clause)
        self.assertIn("ING its last value published at the revision date", text)
        self.assertIn(
            "the coefficient is rounded to 3 decimals, with a floor of 1.05, "
            "with a cap of 1.2",
            text,
        )
        # Last value known today: August 2023, coefficient 1.065 (3 decimals).
        self.assertIn("ING = 130.5 (August 2023)", text)
        self.assertIn("the coefficient is 1.065 ", text)

    def test_several_indices(self):
        syntec = self.env["service.price.index"].create(
            {
                "name": "Syntec",
                "code": "S",
                "value_ids": [
                    Command.create({"date": date(2021, 8, 1), "value": 280.0}),
                ],
            }
        )
        contract = self._create_revised_contract(
            revision_fixed_part=0.125,
            revision_term_ids=[
                Command.create({"index_id": self.index.id, "weight": 0.7}),
                Command.create({"index_id": syntec.id, "weight": 0.175}),
            ],
        )
        text = self._text(contract.doc_revision_clause)
        self.assertIn("P = P0 × (0.125 + 0.7 × ING/ING0 + 0.175 × S/S0)", text)
        # No later value of Syntec: the example keeps its base value.
        self.assertIn("S0 = 280 (August 2021) and S = 280 (August 2021)", text)

    def test_no_clause_no_text(self):
        contract = self._create_contract()
        self.assertFalse(contract.has_revision)
        self.assertFalse(contract.doc_revision_clause)

    def test_printed_contract_shows_the_clause(self):
        contract = self._create_revised_contract()
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        html, _type = Report._render_qweb_html(
            "service_contract.action_report_service_contract", contract.ids
        )
        text = self._text(html.decode())
        self.assertIn("Price revision", text)
        self.assertIn("P = P0 × (0.15 + 0.85 × ING/ING0)", text)
        self.assertIn("Worked example: with ING0 = 121.2 (August 2021)", text)

    def test_clause_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        contract = self._create_revised_contract()
        text = self._text(contract.with_context(lang="fr_FR").doc_revision_clause)
        # French number formatting: decimal comma.
        self.assertIn("P = P0 × (0,15 + 0,85 × ING/ING0)", text)
        self.assertIn("121,2", text)
