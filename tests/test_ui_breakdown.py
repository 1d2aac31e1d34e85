from datetime import date, timedelta

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import create_customer_site, new_tour_user


class BreakdownUiCase(HttpCase):
    """A customer with a running contract answering breakdowns within 4
    hours on its boiler room, where its boiler is."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer, cls.site = create_customer_site(
            cls.env,
            "SC BD Tour Customer",
            "SC BD Tour Boiler Room",
            street="7 rue de la Panne",
            city="Chambery",
        )
        cls.portal_user = new_tour_user(
            cls.env,
            "sc_bd_tour_portal",
            "base.group_portal",
            name="Paul Panne",
            parent_id=cls.customer.id,
        )
        cls.responsible = new_tour_user(
            cls.env,
            "sc_bd_tour_user",
            "base.group_user,service_contract.group_service_contract_user",
            name="SC BD Tour Responsible",
        )
        cls.contract = cls.env["service.contract"].create(
            {
                "partner_id": cls.customer.id,
                "title": "SC BD Tour Contract",
                "date_start": date.today() - timedelta(days=30),
                "invoicing_frequency": "month",
                "response_time_hours": 4,
                "user_id": cls.responsible.id,
                "site_ids": [Command.set(cls.site.ids)],
                "line_ids": [Command.create({"name": "Cover", "price_unit": 50})],
            }
        )
        cls.contract.action_sign()
        cls.boiler, cls.lift = cls.env["service.equipment"].create(
            [
                {
                    "name": "SC BD Tour Boiler",
                    "partner_id": cls.customer.id,
                    "site_id": cls.site.id,
                    "serial_number": "BDT-001",
                },
                {
                    "name": "SC BD Tour Lift",
                    "partner_id": cls.customer.id,
                    "site_id": cls.site.id,
                },
            ]
        )

    def _breakdowns(self):
        return self.env["service.intervention"].search(
            [("partner_id", "child_of", self.customer.id), ("kind", "=", "corrective")]
        )

    def _report_on_the_portal(self):
        self.start_tour(
            "/my/home",
            "service_contract_breakdown_portal_tour",
            login=self.portal_user.login,
        )
        self.env.invalidate_all()
        breakdown = self._breakdowns()
        self.assertEqual(len(breakdown), 1)
        self.assertEqual(breakdown.contract_id, self.contract)
        self.assertEqual(breakdown.equipment_ids, self.boiler)
        self.assertEqual(breakdown.site_id, self.site)
        self.assertIn("E133", breakdown.description or "")
        self.assertTrue(breakdown.date_response_deadline)
        self.assertGreater(breakdown.date_response_deadline, breakdown.date_reported)
        self.assertEqual(breakdown.response_state, "pending")
        return breakdown


@tagged("post_install", "-at_install")
class TestBreakdownUi(BreakdownUiCase):
    """The customer reports a breakdown on its boiler from the portal; the
    office finds it in Breakdowns with its response deadline."""

    def test_portal_breakdown_then_office(self):
        self._report_on_the_portal()
        self.start_tour(
            "/odoo",
            "service_contract_breakdown_office_tour",
            login=self.responsible.login,
        )

    def test_form_preselects_own_items_only(self):
        other = self.env["res.partner"].create(
            {"name": "SC BD Tour Other", "is_company": True}
        )
        foreign = self.env["service.equipment"].create(
            {"name": "SC BD Tour Foreign Boiler", "partner_id": other.id}
        )
        self.authenticate(self.portal_user.login, self.portal_user.login)
        page = self.url_open(f"/my/breakdown?equipment_id={self.lift.id}").text
        self.assertRegex(page, rf'value="{self.lift.id}"\s+selected')
        self.assertRegex(page, rf'value="{self.site.id}"\s+selected')
        for value in (foreign.id, "abc"):
            page = self.url_open(f"/my/breakdown?equipment_id={value}").text
            self.assertNotIn("selected", page.split('id="breakdown_equipment"')[1])
            self.assertNotIn("SC BD Tour Foreign Boiler", page)


@tagged("post_install", "-at_install")
class TestBreakdownUiPhone(BreakdownUiCase):
    """The same report from a phone, 390 pixels wide."""

    browser_size = "390x844"
    touch_enabled = True

    def test_portal_breakdown_on_a_phone(self):
        self._report_on_the_portal()
