from datetime import timedelta
from unittest.mock import patch

from odoo import Command
from odoo.tests import HttpCase, tagged

from ..wizards.service_visit_planner import ServiceVisitPlanner
from .common import create_customer_site, new_tour_user
from .planning_checker import check_visits


@tagged("post_install", "-at_install")
class TestVisitPlannerUi(HttpCase):
    """A planner plans next week's visits of two technicians and confirms
    them (static/tests/tours/service_visit_planner_tour.js)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        company.partner_id.write({"partner_latitude": 45.19, "partner_longitude": 5.72})
        cls.planner = new_tour_user(
            cls.env,
            "sc_plan_tour_user",
            "base.group_user,service_contract.group_service_contract_user",
            name="SC Plan Tour Planner",
        )
        cls.technicians = cls.env["res.users"].browse(
            new_tour_user(
                cls.env,
                login,
                "base.group_user,service_contract.group_service_contract_technician",
                name=name,
            ).id
            for login, name in (
                ("sc_plan_tour_alice", "SC Plan Tour Alice"),
                ("sc_plan_tour_bob", "SC Plan Tour Bob"),
            )
        )
        customer, cls.site = create_customer_site(
            cls.env,
            "SC Plan Tour Customer",
            "SC Plan Tour Boiler Room",
            city="Grenoble",
            partner_latitude=45.18,
            partner_longitude=5.73,
        )
        contract = cls.env["service.contract"].create(
            {
                "partner_id": customer.id,
                "title": "SC Plan Tour Contract",
                "date_start": company._service_today() - timedelta(days=30),
                "invoicing_frequency": "month",
                "site_ids": [Command.set(cls.site.ids)],
                "line_ids": [Command.create({"name": "Cover", "price_unit": 50})],
            }
        )
        contract.action_sign()
        first = company._service_today() + timedelta(days=1)
        cls.visits = cls.env["service.intervention"].create(
            [
                {
                    "contract_id": contract.id,
                    "site_id": cls.site.id,
                    "kind": "preventive",
                    "date_due": first + timedelta(days=6),
                    "date_window_start": first,
                    "date_window_end": first + timedelta(days=6),
                    "duration_expected": 1.5,
                }
                for _i in range(3)
            ]
        )

    def test_plan_a_week_and_confirm(self):
        # A short search (the Settings' limit is for real months).
        with patch.object(ServiceVisitPlanner, "_time_limit", return_value=1):
            self.start_tour(
                "/odoo", "service_visit_planner_tour", login=self.planner.login
            )
        self.env.invalidate_all()
        planner = self.env["service.visit.planner"].search(
            [("create_uid", "=", self.planner.id)]
        )
        self.assertEqual(planner.state, "confirmed")
        self.assertEqual(planner.user_ids, self.technicians)
        self.assertEqual(set(self.visits.mapped("state")), {"planned"})
        self.assertLessEqual(self.visits.user_id, self.technicians)
        self.assertEqual(check_visits(self.env, self.visits), [])
