from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestServiceRiskUi(HttpCase):
    """A technician records the parts and the time of a visit; the manager
    opens the dashboard, drills into the least profitable contract and
    invoices the part the contract does not cover."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        company.write({"service_hourly_cost": 40.0, "service_travel_cost": 15.0})
        cls.technician = new_test_user(
            cls.env,
            login="sc_risk_tech",
            password="sc_risk_tech",
            name="SC Risk Technician",
            groups="base.group_user,service_contract.group_service_contract_technician",
        )
        cls.part = cls.env["product.product"].create(
            {
                "name": "SC Risk Valve",
                "type": "consu",
                "standard_price": 4000.0,
                "list_price": 6500.0,
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "SC Risk Customer", "is_company": True, "city": "Lyon"}
        )
        cls.site = cls.env["res.partner"].create(
            {
                "name": "SC Risk Boiler Room",
                "type": "site",
                "parent_id": cls.customer.id,
                "city": "Lyon",
            }
        )
        today = fields.Date.context_today(cls.env.user)
        cls.contract = cls.env["service.contract"].create(
            {
                "partner_id": cls.customer.id,
                "date_start": today - timedelta(days=60),
                "technician_id": cls.technician.id,
                "site_ids": [Command.set(cls.site.ids)],
                "line_ids": [
                    Command.create({"name": "Boiler maintenance", "price_unit": 10.0})
                ],
            }
        )
        cls.contract.action_sign()
        # Demo data may hold late visits too: this one is the only late
        # visit of the test's technician.
        cls.env["service.intervention"].search([("is_late", "=", True)]).action_cancel()
        Intervention = cls.env["service.intervention"]
        cls.late_visit = Intervention.create(
            {
                "contract_id": cls.contract.id,
                "date_due": today - timedelta(days=20),
                "date_window_end": today - timedelta(days=5),
                "user_id": cls.technician.id,
            }
        )
        cls.visit = Intervention.create(
            {
                "contract_id": cls.contract.id,
                "site_id": cls.site.id,
                "kind": "corrective",
                "description": "Boiler stops every night",
                "date_due": today,
                "user_id": cls.technician.id,
            }
        )
        # Marking the visit as done renders its report with wkhtmltopdf, which
        # would fetch the stylesheets from this test server while the request
        # holds the test cursor (see test_ui_intervention.py).
        cls.env["ir.config_parameter"].sudo().set_param(
            "report.url", "file:///nonexistent-sc-report-url"
        )

    def test_manager_opens_the_dashboard(self):
        self.start_tour("/odoo", "service_contract_dashboard_tour", login="admin")

    def test_parts_time_dashboard_and_invoice(self):
        self.start_tour(
            "/odoo", "service_contract_risk_technician_tour", login="sc_risk_tech"
        )
        visit = self.visit
        self.env.invalidate_all()
        self.assertEqual(visit.state, "done")
        self.assertEqual(visit.duration_actual, 2.5)
        line = visit.material_line_ids
        self.assertEqual(
            (line.product_id, line.quantity, line.is_covered),
            (self.part, 2.0, False),
        )
        # 2.5 h at 40.00, two parts at 4,000.00, travel 15.00.
        self.assertEqual(
            (visit.cost_labour, visit.cost_material, visit.cost_total),
            (100.0, 8000.0, 8115.0),
        )
        self.assertLess(self.contract.margin, 0)

        self.start_tour("/odoo", "service_contract_risk_manager_tour", login="admin")
        self.env.invalidate_all()
        invoice = visit.invoice_id
        self.assertTrue(invoice, "the visit is invoiced")
        self.assertEqual(invoice.partner_id, self.customer)
        part_lines = invoice.invoice_line_ids.filtered(
            lambda line: line.product_id == self.part
        )
        self.assertEqual(part_lines.quantity, 2.0)
        self.assertEqual(part_lines.price_unit, 6500.0)
