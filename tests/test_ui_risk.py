from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestServiceRiskUi(HttpCase):
    """The manager opens the dashboard and drills into the records behind
    a tile."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.technician = new_test_user(
            cls.env,
            login="sc_risk_tech",
            password="sc_risk_tech",
            name="SC Risk Technician",
            groups="base.group_user,service_contract.group_service_contract_technician",
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "SC Risk Customer", "is_company": True, "city": "Lyon"}
        )
        today = fields.Date.context_today(cls.env.user)
        cls.contract = cls.env["service.contract"].create(
            {
                "partner_id": cls.customer.id,
                "date_start": today - timedelta(days=60),
                "technician_id": cls.technician.id,
                "line_ids": [
                    Command.create({"name": "Boiler maintenance", "price_unit": 100.0})
                ],
            }
        )
        cls.contract.action_sign()
        # Demo data may hold late visits too: this one is the only late
        # visit of the test's technician.
        cls.env["service.intervention"].search([("is_late", "=", True)]).action_cancel()
        cls.late_visit = cls.env["service.intervention"].create(
            {
                "contract_id": cls.contract.id,
                "date_due": today - timedelta(days=20),
                "date_window_end": today - timedelta(days=5),
                "user_id": cls.technician.id,
            }
        )

    def test_manager_opens_the_dashboard(self):
        self.start_tour("/odoo", "service_contract_dashboard_tour", login="admin")
