from odoo import Command
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..models.service_lifecycle_guard import lifecycle_write
from .common import PortalCase


@tagged("post_install", "-at_install")
class TestEquipmentPortal(PortalCase):
    """The customer sees its own equipment and the visits done on it; other
    customers and anonymous visitors see nothing of it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Equipment = cls.env["service.equipment"]
        cls.boiler, cls.foreign = Equipment.create(
            [
                {
                    "name": "SC Portal Boiler",
                    "partner_id": cls.customer.id,
                    "site_id": cls.site.id,
                    "serial_number": "SCP-0001",
                },
                {
                    "name": "SC Portal Foreign Lift",
                    "partner_id": cls.other_customer.id,
                    "site_id": cls.other_site.id,
                },
            ]
        )
        cls.running.visit_plan_ids = [
            Command.create(
                {
                    "name": "SC Portal boiler service",
                    "equipment_ids": [Command.set(cls.boiler.ids)],
                }
            )
        ]
        with lifecycle_write():
            cls.visit_done.equipment_ids = cls.boiler
            cls.visit_next.equipment_ids = cls.boiler
            cls.other_visit.equipment_ids = cls.foreign

    def test_customer_sees_its_equipment_and_visits_done(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        page = self._get("/my/equipment").text
        self.assertIn("SC Portal Boiler", page)
        self.assertNotIn("SC Portal Foreign Lift", page)
        page = self._get(f"/my/equipment/{self.boiler.id}").text
        self.assertIn("SCP-0001", page)
        visits = self._section(page, "equipment_visits")
        self.assertIn(self.visit_done.name, visits)
        self.assertNotIn(self.visit_next.name, visits, "not done yet")
        self.assertIn(f"/visit_report/{self.visit_done.id}", visits)
        # The contract page links to the items it covers.
        contract_page = self._get(self.running.get_portal_url()).text
        self.assertIn(f"/my/equipment/{self.boiler.id}", contract_page)
        # The /my home links to them and counts them.
        self.assertIn('href="/my/equipment"', self._get("/my/home").text)
        counters = self._jsonrpc(
            "/my/counters", {"counters": ["service_equipment_count"]}
        )
        self.assertEqual(counters["service_equipment_count"], 1)

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.http")
    def test_other_customers_and_visitors_see_nothing(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        missing = self.foreign.browse(max(self.foreign.ids) + 1000)
        # Guessed ids: another customer's item or none, the same answer.
        for item in (self.foreign, missing):
            response = self._open(f"/my/equipment/{item.id}")
            self.assertEqual(response.status_code, 404)
            self.assertNotIn(b"SC Portal Foreign Lift", response.content)
        self.assertNotIn("SC Portal Foreign Lift", self._get("/my/equipment").text)
        # Without a session (no access token exists for equipment), the
        # visitor is sent to the login page.
        self.authenticate(None, None)
        for url in ("/my/equipment", f"/my/equipment/{self.boiler.id}"):
            response = self._open(url, allow_redirects=False)
            self.assertIn(response.status_code, (302, 303), url)
            self.assertIn("/web/login", response.headers["Location"])
            self.assertNotIn(b"SC Portal Boiler", response.content)
        response = self._open(
            f"/my/equipment/{self.boiler.id}?access_token=guess", allow_redirects=False
        )
        self.assertIn(response.status_code, (302, 303))

    @mute_logger("odoo.http")
    def test_back_office_user_is_no_customer_on_the_portal(self):
        """A contract user reads every item in the back office, but the
        portal page of an item is its customer's only."""
        user = new_test_user(
            self.env,
            login="sc_portal_office",
            password="sc_portal_office",
            groups="base.group_user,service_contract.group_service_contract_user",
            company_id=self.env.company.id,
        )
        self.assertTrue(self.boiler.with_user(user).has_access("read"))
        self.authenticate(user.login, user.login)
        response = self._open(f"/my/equipment/{self.boiler.id}")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(b"SCP-0001", response.content)
