from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import ServiceContractCase

COST_FIELDS = ["cost_labour", "cost_material", "cost_travel", "cost_total"]


@tagged("post_install", "-at_install")
class TestInterventionCosts(ServiceContractCase):
    """A visit of 2.5 h by a technician at 40.00/h, two parts at 30.00 (one
    covered, one not) and 15.00 of travel costs 100 + 60 + 15 = 175.00."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"service_hourly_cost": 25.0, "service_travel_cost": 15.0})
        cls.technician = new_test_user(
            cls.env,
            login="sc_cost_technician",
            groups="base.group_user,service_contract.group_service_contract_technician",
        )
        cls.technician.service_hourly_cost = 40.0
        cls.other_technician = new_test_user(
            cls.env,
            login="sc_cost_technician_2",
            groups="base.group_user,service_contract.group_service_contract_technician",
        )
        cls.part = cls.env["product.product"].create(
            {
                "name": "Pressure valve",
                "type": "consu",
                "standard_price": 30.0,
                "list_price": 55.0,
            }
        )
        cls.contract = cls._create_running_contract(
            site_ids=[Command.set((cls.site_a | cls.site_b).ids)]
        )

    def _visit(self, **values):
        vals = {
            "contract_id": self.contract.id,
            "date_due": date(2025, 2, 1),
            "description": "Leak in the boiler room",
            "site_id": self.site_a.id,
            "user_id": self.technician.id,
            "duration_actual": 2.5,
        }
        vals.update(values)
        return self.env["service.intervention"].create(vals)

    def _two_parts(self, visit):
        visit.write(
            {
                "material_line_ids": [
                    Command.create({"product_id": self.part.id, "is_covered": True}),
                    Command.create({"product_id": self.part.id, "is_covered": False}),
                ]
            }
        )

    def _costs(self, visit):
        return visit.read(COST_FIELDS)[0]

    def test_exact_costs_of_a_done_visit(self):
        visit = self._visit()
        self._two_parts(visit)
        self.assertEqual(visit.material_line_ids.mapped("cost_unit"), [30.0, 30.0])
        self.assertEqual(visit.material_line_ids.mapped("price_unit"), [55.0, 55.0])
        self.assertEqual(visit.cost_total, 0.0, "costed when done")
        visit.action_done()
        self.assertEqual(visit.cost_labour, 100.0)
        self.assertEqual(visit.cost_material, 60.0, "covered parts cost too")
        self.assertEqual(visit.cost_travel, 15.0)
        self.assertEqual(visit.cost_total, 175.0)
        self.assertEqual(visit.company_currency_id, self.company.currency_id)

    def test_parts_follow_the_visit_coverage_by_default(self):
        visit = self._visit(is_covered=False)
        line = self.env["service.intervention.material"].create(
            {"intervention_id": visit.id, "product_id": self.part.id, "quantity": 3}
        )
        self.assertFalse(line.is_covered)
        self.assertEqual(line.name, "Pressure valve")
        self.assertEqual(line.product_uom_id, self.part.uom_id)
        self.assertEqual(line.cost_amount, 90.0)

    def test_company_hourly_cost_without_technician_rate(self):
        visit = self._visit(user_id=self.other_technician.id)
        visit.action_done()
        self.assertEqual(visit.cost_labour, 62.5)  # 2.5 h at 25.00
        self.assertEqual(visit.cost_total, 77.5)

    def test_site_travel_cost_overrides_the_company(self):
        self.site_a.service_travel_cost = 22.0
        on_a, on_b = self._visit(), self._visit(site_id=self.site_b.id)
        (on_a | on_b).action_done()
        self.assertEqual(on_a.cost_travel, 22.0)
        self.assertEqual(on_b.cost_travel, 15.0)

    def test_costs_are_frozen_when_done(self):
        visit = self._visit()
        self._two_parts(visit)
        visit.action_done()
        self.part.standard_price = 99.0
        self.technician.service_hourly_cost = 80.0
        self.company.write({"service_hourly_cost": 70.0, "service_travel_cost": 50.0})
        self.site_a.service_travel_cost = 40.0
        self.env.invalidate_all()
        self.assertEqual(
            self._costs(visit),
            {
                "id": visit.id,
                "cost_labour": 100.0,
                "cost_material": 60.0,
                "cost_travel": 15.0,
                "cost_total": 175.0,
            },
        )
        self.assertEqual(visit.material_line_ids.mapped("cost_unit"), [30.0, 30.0])
        line = visit.material_line_ids[0]
        self.assertRefused(UserError, "done or cancelled", line.write, {"quantity": 5})
        self.assertRefused(
            UserError,
            "done or cancelled",
            visit.write,
            {"material_line_ids": [Command.create({"product_id": self.part.id})]},
        )
        self.assertRefused(UserError, "done or cancelled", line.unlink)
        self.assertRefused(
            UserError, "actions of the record", visit.write, {"cost_total": 1.0}
        )
        self.assertEqual(len(visit.material_line_ids), 2)
        self.assertEqual(visit.cost_total, 175.0)

    def test_cost_is_read_when_done_not_when_entered(self):
        visit = self._visit()
        self._two_parts(visit)
        self.part.standard_price = 32.0
        visit.action_done()
        self.assertEqual(visit.cost_material, 64.0)

    def test_quantity_must_be_positive(self):
        visit = self._visit()
        self.assertRefused(
            ValidationError,
            "quantity must be positive",
            self.env["service.intervention.material"].create,
            {"intervention_id": visit.id, "product_id": self.part.id, "quantity": 0},
        )
        self.assertFalse(visit.material_line_ids)

    def test_technician_records_parts_without_seeing_costs(self):
        visit = self._visit()
        mine = visit.with_user(self.technician)
        mine.write(
            {
                "material_line_ids": [
                    Command.create(
                        {"product_id": self.part.id, "quantity": 2, "is_covered": False}
                    )
                ]
            }
        )
        line = mine.material_line_ids
        self.assertEqual(
            line.read(["product_id", "quantity", "is_covered"])[0]["quantity"], 2
        )
        line.write({"quantity": 1})
        for record, fields in (
            (line, ["cost_unit"]),
            (line, ["cost_amount"]),
            (line, ["price_unit"]),
            (mine, ["cost_total"]),
            (mine, ["cost_labour"]),
        ):
            with self.subTest(fields=fields), self.assertRaises(AccessError):
                record.read(fields)
        arch = mine.get_views([(False, "form")])["views"]["form"]["arch"]
        for name in ("cost_total", "cost_unit", "price_unit"):
            self.assertNotIn(f'name="{name}"', arch)
        self.assertIn('name="material_line_ids"', arch)
        mine.action_done()
        self.assertEqual(visit.cost_material, 30.0)
        self.assertEqual(visit.cost_total, 145.0)

    def test_technician_cannot_touch_other_visits_parts(self):
        theirs = self._visit(user_id=self.other_technician.id)
        with self.assertRaises(AccessError):
            self.env["service.intervention.material"].with_user(self.technician).create(
                {"intervention_id": theirs.id, "product_id": self.part.id}
            )
        self._two_parts(theirs)
        Material = self.env["service.intervention.material"].with_user(self.technician)
        self.assertFalse(Material.search([("intervention_id", "=", theirs.id)]))

    def test_costs_in_the_visit_company_currency(self):
        currency = self.env.ref("base.USD")
        if currency == self.company.currency_id:
            currency = self.env.ref("base.EUR")
        currency.active = True
        company_b = self.env["res.company"].create(
            {
                "name": "Company B",
                "currency_id": currency.id,
                "service_hourly_cost": 50.0,
                "service_travel_cost": 8.0,
            }
        )
        self.technician.company_ids = [Command.link(company_b.id)]
        manager = self.env.ref("base.user_admin")
        manager.company_ids = [Command.link(company_b.id)]
        self.technician.with_company(company_b).service_hourly_cost = 60.0
        self.part.with_company(company_b).standard_price = 10.0
        contract_b = (
            self.env["service.contract"]
            .with_company(company_b)
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": company_b.id,
                    "user_id": manager.id,
                    "date_start": date(2024, 3, 1),
                    "line_ids": [Command.create({"name": "Cover", "price_unit": 50})],
                }
            )
        )
        contract_b.action_sign()
        visit_b = (
            self.env["service.intervention"]
            .with_company(company_b)
            .create(
                {
                    "contract_id": contract_b.id,
                    "date_due": date(2025, 2, 1),
                    "user_id": self.technician.id,
                    "duration_actual": 2.0,
                    "material_line_ids": [Command.create({"product_id": self.part.id})],
                }
            )
        )
        visit_b.action_done()
        self.assertEqual(visit_b.company_currency_id, currency)
        self.assertEqual(visit_b.material_line_ids.company_currency_id, currency)
        self.assertEqual(visit_b.cost_labour, 120.0)
        self.assertEqual(visit_b.cost_material, 10.0)
        self.assertEqual(visit_b.cost_travel, 8.0)
        self.assertEqual(visit_b.cost_total, 138.0)

    def test_parts_stay_on_their_visit(self):
        visit, other = self._visit(), self._visit(date_due=date(2025, 3, 1))
        self._two_parts(visit)
        self.assertRefused(
            UserError,
            "actions of the record",
            visit.material_line_ids[0].write,
            {"intervention_id": other.id},
        )
        self.assertEqual(len(visit.material_line_ids), 2)

    def test_visit_report_lists_parts_without_prices(self):
        visit = self._visit()
        self._two_parts(visit)
        html, _type = (
            self.env["ir.actions.report"]
            .with_user(self.technician)
            ._render_qweb_html("service_contract.action_report_intervention", visit.ids)
        )
        html = html.decode()
        self.assertIn("Parts used", html)
        self.assertEqual(html.count("Pressure valve"), 2)
        self.assertNotIn("55.00", html)
        self.assertNotIn("30.00", html)

    def test_costs_are_set_in_settings_user_and_site_forms(self):
        settings = self.env["res.config.settings"].create(
            {"service_hourly_cost": 33.0, "service_travel_cost": 12.0}
        )
        settings.execute()
        self.assertEqual(self.company.service_hourly_cost, 33.0)
        self.assertEqual(self.company.service_travel_cost, 12.0)
        for model, view, name in (
            ("res.config.settings", "base.res_config_settings_view_form", "hourly"),
            ("res.users", "base.view_users_form", "hourly"),
            ("res.partner", "base.view_partner_form", "travel"),
        ):
            with self.subTest(model=model):
                arch = self.env[model].get_view(self.env.ref(view).id)["arch"]
                self.assertIn(f'name="service_{name}_cost"', arch)

    def test_part_described_in_the_customers_language(self):
        """A part used on a visit is described in the customer's language,
        as a sales order line: the report and the invoice are theirs."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.part.with_context(lang="fr_FR").name = "Soupape de pression"
        self.contract.partner_id.lang = "fr_FR"
        visit = self._visit()
        self._two_parts(visit)
        self.assertEqual(
            visit.material_line_ids.mapped("name"), ["Soupape de pression"] * 2
        )
        self.contract.partner_id.lang = "en_US"
        visit = self._visit()
        self._two_parts(visit)
        self.assertEqual(visit.material_line_ids.mapped("name"), ["Pressure valve"] * 2)
