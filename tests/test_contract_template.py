from datetime import date

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ServiceContractCase


@tagged("post_install", "-at_install")
class TestTemplate(ServiceContractCase):
    def test_contract_copies_template_terms_and_lines(self):
        contract = self._create_contract()
        for name in self.template._get_terms_fields():
            self.assertEqual(contract[name], self.template[name], name)
        self.assertEqual(
            contract.line_ids.mapped("name"),
            self.template.line_ids.mapped("name"),
        )
        self.assertEqual(contract.line_ids[0].product_id, self.product)
        self.assertEqual(contract.line_ids[0].quantity, 2)
        self.assertEqual(contract.line_ids[0].price_unit, 180.0)
        self.assertEqual(contract.amount_untaxed, 420.0)
        self.assertEqual(contract.signatory_id, self.signatory)
        self.assertEqual(contract.partner_invoice_id, self.customer)

    def test_contract_copies_template_in_customer_language(self):
        """A French customer's contract gets the template's name, its
        product's description and its visits in French; a line the template
        wrote itself is kept as written."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.product.product_tmpl_id.update_field_translations(
            "name", {"fr_FR": "Entretien de chaudière"}
        )
        self.product.product_tmpl_id.update_field_translations(
            "description_sale", {"fr_FR": "Entretien annuel"}
        )
        self.template.update_field_translations(
            "name", {"fr_FR": "Contrat d'entretien de chaudière"}
        )
        self.template.visit_plan_ids = [
            Command.create({"name": "Boiler service", "count_per_year": 1})
        ]
        self.template.visit_plan_ids.update_field_translations(
            "name", {"fr_FR": "Visite d'entretien"}
        )
        self.customer.lang = "fr_FR"
        contract = self._create_contract()
        self.assertEqual(contract.title, "Contrat d'entretien de chaudière")
        self.assertEqual(
            contract.line_ids.mapped("name"),
            ["Entretien de chaudière\nEntretien annuel", "Call-out cover"],
        )
        self.assertEqual(
            contract.visit_plan_ids.with_context(lang="fr_FR").name,
            "Visite d'entretien",
        )
        # An English customer's contract stays in English.
        self.customer.lang = "en_US"
        contract = self._create_contract()
        self.assertEqual(contract.title, "Boiler maintenance")
        self.assertEqual(contract.line_ids[0].name, "Boiler service\nYearly servicing")

    def test_contract_terms_stay_editable_and_independent(self):
        contract = self._create_contract()
        contract.write({"notice_period": 3})
        contract.line_ids[0].price_unit = 200.0
        self.assertEqual(self.template.notice_period, 2)
        self.assertEqual(self.template.line_ids[0].price_unit, 180.0)
        self.template.write({"duration": 5})
        self.assertEqual(contract.duration, 2)
        self.assertEqual(contract.notice_period, 3)

    def test_explicit_lines_win_over_template_lines(self):
        contract = self._create_contract(
            line_ids=[Command.create({"name": "Only this", "price_unit": 5})]
        )
        self.assertEqual(contract.line_ids.mapped("name"), ["Only this"])

    def test_contract_without_template_gets_default_terms(self):
        contract = self._create_contract(
            template_id=False,
            line_ids=[Command.create({"name": "Cleaning", "price_unit": 5})],
        )
        self.assertEqual(
            (contract.duration, contract.duration_unit, contract.renewal_type),
            (1, "year", "tacit"),
        )
        self.assertEqual(contract.date_end, date(2025, 2, 28))

    def test_default_billing_runs_from_the_start_date(self):
        """Anniversary billing by default: a yearly 150.00 contract started
        on 29 November is invoiced once, 150.00, for 29/11 to 28/11."""
        self.assertFalse(
            self.env["service.contract.template"].default_get(["prorata"])["prorata"]
        )
        contract = self._create_running_contract(
            template_id=False,
            date_start=date(2026, 11, 29),
            invoicing_frequency="year",
            line_ids=[Command.create({"name": "Maintenance", "price_unit": 150.0})],
        )
        self.assertFalse(contract.prorata)
        self.assertEqual(
            [(p.date_from, p.date_to, p.amount) for p in contract.period_ids],
            [(date(2026, 11, 29), date(2027, 11, 28), 150.0)],
        )

    def test_calendar_periods_with_prorata_are_a_choice(self):
        contract = self._create_running_contract(
            template_id=False,
            date_start=date(2026, 11, 29),
            invoicing_frequency="year",
            prorata=True,
            line_ids=[Command.create({"name": "Maintenance", "price_unit": 150.0})],
        )
        self.assertEqual(
            [(p.date_from, p.date_to, p.amount) for p in contract.period_ids],
            [
                (date(2026, 11, 29), date(2026, 12, 31), 13.56),  # 150 x 33/365
                (date(2027, 1, 1), date(2027, 11, 28), 136.44),  # 150 x 332/365
            ],
        )

    def test_template_line_needs_product_or_description(self):
        for values in ({"quantity": 1}, {"name": "   ", "quantity": 1}):
            self.assertRefused(
                ValidationError,
                "product or a description",
                self.template.write,
                {"line_ids": [Command.create(values)]},
            )
        self.assertEqual(len(self.template.line_ids), 2)

    def test_negative_prices_are_refused(self):
        line = self.template.line_ids[1]
        self.assertRefused(
            ValidationError, "cannot be negative", line.write, {"price_unit": -1}
        )
        self.assertEqual(line.price_unit, 60.0)

    def test_template_terms_are_validated(self):
        with self.assertRaisesRegex(ValidationError, "renewal period"):
            self.env["service.contract.template"].create(
                {"name": "Bad", "renewal_type": "tacit", "renewal_duration": 0}
            )
        self.assertRefused(
            ValidationError, "firm term", self.template.write, {"duration": 0}
        )
        self.assertEqual(self.template.duration, 2)

    def test_sites_must_belong_to_the_customer(self):
        other = self.env["res.partner"].create({"name": "Other", "is_company": True})
        other_site = self.env["res.partner"].create(
            {"name": "Elsewhere", "parent_id": other.id, "type": "site"}
        )
        contract = self._create_contract(site_ids=[Command.set(self.site_a.ids)])
        self.assertEqual(contract.site_ids, self.site_a)
        self.assertRefused(
            ValidationError,
            "do not belong to the customer",
            contract.write,
            {"site_ids": [Command.link(other_site.id)]},
        )
        self.assertEqual(contract.site_ids, self.site_a)
