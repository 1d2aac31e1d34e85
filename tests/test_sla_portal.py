import re
from datetime import date, timedelta

import pytz
from lxml import html as lxml_html

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import create_contract, small_png


@tagged("post_install", "-at_install")
class TestPortalBreakdown(HttpCase):
    """A customer reports a breakdown on the portal, on its own sites and
    equipment only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.email = "service@example.com"
        Partner = cls.env["res.partner"]
        cls.customer, cls.other_customer = Partner.create(
            [
                {"name": "SC Breakdown Customer", "is_company": True},
                {"name": "SC Breakdown Other", "is_company": True},
            ]
        )
        cls.site, cls.site_2, cls.other_site = Partner.create(
            [
                {
                    "name": "SC BD Boiler Room",
                    "type": "site",
                    "parent_id": cls.customer.id,
                },
                {"name": "SC BD Garage", "type": "site", "parent_id": cls.customer.id},
                {
                    "name": "SC BD Other Site",
                    "type": "site",
                    "parent_id": cls.other_customer.id,
                },
            ]
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="sc_bd_portal",
            password="sc_bd_portal",
            name="Bruno Portal",
            email="bruno@example.com",
            groups="base.group_portal",
            parent_id=cls.customer.id,
        )
        cls.responsible = new_test_user(
            cls.env,
            login="sc_bd_responsible",
            groups="base.group_user,service_contract.group_service_contract_user",
        )

        def contract(customer, sites, hours):
            return create_contract(
                cls.env,
                customer,
                date_start=date.today() - timedelta(days=30),
                duration=1,
                duration_unit="year",
                renewal_type="tacit",
                renewal_duration=1,
                renewal_unit="year",
                notice_period=1,
                notice_unit="month",
                invoicing_frequency="month",
                invoicing_mode="advance",
                response_time_hours=hours,
                user_id=cls.responsible.id,
                site_ids=[Command.set(sites.ids)],
                line_ids=[Command.create({"name": "Cover", "price_unit": 50})],
                sign=True,
            )

        cls.contract = contract(cls.customer, cls.site | cls.site_2, 4)
        cls.other_contract = contract(cls.other_customer, cls.other_site, 4)
        Equipment = cls.env["service.equipment"]
        cls.boiler, cls.removed, cls.other_boiler = Equipment.create(
            [
                {
                    "name": "SC BD Boiler",
                    "partner_id": cls.customer.id,
                    "site_id": cls.site.id,
                },
                {
                    "name": "SC BD Old Boiler",
                    "partner_id": cls.customer.id,
                    "site_id": cls.site.id,
                    "state": "removed",
                },
                {
                    "name": "SC BD Foreign Boiler",
                    "partner_id": cls.other_customer.id,
                    "site_id": cls.other_site.id,
                },
            ]
        )

    def _interventions(self):
        return self.env["service.intervention"].search(
            [("partner_id", "in", (self.customer | self.other_customer).ids)]
        )

    def _csrf_token(self):
        self.env.flush_all()
        page = self.url_open("/my/breakdown")
        self.assertEqual(page.status_code, 200)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def _submit(self, data, files=None, token=True):
        if token:
            data = {"csrf_token": self._csrf_token(), **data}
        self.env.flush_all()
        response = self.url_open("/my/breakdown/submit", data=data, files=files)
        self.env.invalidate_all()
        return response

    def test_portal_breakdown_becomes_an_intervention(self):
        self.authenticate("sc_bd_portal", "sc_bd_portal")
        page = self.url_open("/my/breakdown").text
        self.assertIn("SC BD Boiler Room", page)
        self.assertIn("SC BD Boiler", page)
        self.assertNotIn("SC BD Old Boiler", page)
        self.assertNotIn("SC BD Other Site", page)
        self.assertNotIn("SC BD Foreign Boiler", page)

        response = self._submit(
            {
                "site_id": self.site.id,
                "equipment_id": self.boiler.id,
                "description": "No hot water since this morning",
            },
            files=[("photos", ("boiler.png", small_png("red"), "image/png"))],
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn('id="breakdown_done"', response.text)
        breakdown = self._interventions()
        self.assertEqual(len(breakdown), 1)
        self.assertIn(breakdown.name, response.text)
        self.assertEqual(breakdown.contract_id, self.contract)
        self.assertEqual(breakdown.kind, "corrective")
        self.assertEqual(breakdown.site_id, self.site)
        self.assertEqual(breakdown.equipment_ids, self.boiler)
        self.assertEqual(breakdown.description, "No hot water since this morning")
        # 4 hours around the clock from the report.
        self.assertEqual(
            breakdown.date_response_deadline,
            breakdown.date_reported + timedelta(hours=4),
        )
        photos = self.env["ir.attachment"].search(
            [("res_model", "=", breakdown._name), ("res_id", "=", breakdown.id)]
        )
        self.assertEqual(photos.mapped("name"), ["boiler.png"])
        self.assertEqual(breakdown.activity_ids.user_id, self.responsible)
        acknowledgment = breakdown.message_ids.filtered(
            lambda m: self.portal_user.partner_id in m.partner_ids
        )
        self.assertEqual(len(acknowledgment), 1)
        # The customer follows it on the portal.
        self.assertIn(breakdown.name, self.url_open("/my/interventions").text)

    @mute_logger("odoo.http")
    def test_portal_cannot_report_on_another_customer(self):
        self.authenticate("sc_bd_portal", "sc_bd_portal")
        attacks = [
            (
                {"site_id": self.other_site.id, "description": "x"},
                "Choose one of your sites",
            ),
            (
                {
                    "site_id": self.site.id,
                    "equipment_id": self.other_boiler.id,
                    "description": "x",
                },
                "Choose one of your equipment items",
            ),
            (
                {
                    "site_id": self.site.id,
                    "equipment_id": self.removed.id,
                    "description": "x",
                },
                "Choose one of your equipment items",
            ),
            (
                {
                    "site_id": self.site_2.id,
                    "equipment_id": self.boiler.id,
                    "description": "x",
                },
                "SC BD Boiler is at the site SC BD Boiler Room, not at SC BD Garage",
            ),
            # No site sent: another customer's item gives none.
            (
                {"equipment_id": self.other_boiler.id, "description": "x"},
                "Choose one of your equipment items",
            ),
            ({"site_id": "1 OR 1=1", "description": "x"}, "Choose one of your sites"),
            ({"site_id": self.site.id, "description": "  "}, "Describe the breakdown"),
        ]
        for data, message in attacks:
            with self.subTest(data=data):
                response = self._submit(data)
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.text)
                self.assertNotIn('id="breakdown_done"', response.text)
        # A file that is not an image is refused.
        response = self._submit(
            {"site_id": self.site.id, "description": "x"},
            files=[
                ("photos", ("evil.html", b"<script>alert(1)</script>", "image/png"))
            ],
        )
        self.assertIn("is not an image", response.text)
        # Without the CSRF token, nothing is read.
        response = self._submit(
            {"site_id": self.site.id, "description": "x"}, token=False
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._interventions())
        self.assertFalse(self.other_contract.intervention_ids)

    def test_site_taken_from_the_equipment(self):
        """The customer reports on an item without choosing its site: the
        form does not ask for it, lists the items of the site chosen, and
        the confirmation gives the deadline in the customer's time zone."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.portal_user.write({"tz": "Europe/Paris", "lang": "fr_FR"})
        self.env.company.partner_id.tz = "UTC"
        self.authenticate("sc_bd_portal", "sc_bd_portal")
        self.env.flush_all()
        form = lxml_html.fromstring(
            self.url_open(f"/my/breakdown?equipment_id={self.boiler.id}").text
        )
        (site_select,) = form.xpath("//select[@name='site_id']")
        self.assertIsNone(site_select.get("required"), "the item gives the site")
        self.assertEqual(
            site_select.xpath("./option[@selected]/@value"), [str(self.site.id)]
        )
        self.assertEqual(
            form.xpath(f"//option[@value='{self.boiler.id}']/@data-site-id"),
            [str(self.site.id)],
        )

        response = self._submit(
            {"equipment_id": self.boiler.id, "description": "Pressure drops"}
        )
        self.assertIn('id="breakdown_done"', response.text)
        breakdown = self._interventions()
        self.assertEqual(breakdown.site_id, self.site)
        self.assertEqual(breakdown.equipment_ids, self.boiler)
        deadline = pytz.utc.localize(breakdown.date_response_deadline)
        local = deadline.astimezone(pytz.timezone("Europe/Paris"))
        self.assertIn(local.strftime("%d/%m/%Y %H:%M"), response.text)
        self.assertNotIn(deadline.strftime("%Y-%m-%d %H:%M"), response.text)
        # No message of the breakdown (the note, the acknowledgment emailed
        # in the customer's language) shows a raw timestamp.
        bodies = breakdown.message_ids.mapped("body")
        self.assertFalse([b for b in bodies if deadline.strftime("%Y-%m-%d") in b])
        self.assertTrue([b for b in bodies if deadline.strftime("%d/%m/%Y") in b])

    def test_visitors_and_internal_users(self):
        # Not logged in: sent to the login page, nothing created.
        response = self.url_open("/my/breakdown", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])
        # Another customer's portal user sees only its own site.
        new_test_user(
            self.env,
            login="sc_bd_other_portal",
            password="sc_bd_other_portal",
            groups="base.group_portal",
            parent_id=self.other_customer.id,
        )
        self.authenticate("sc_bd_other_portal", "sc_bd_other_portal")
        page = self.url_open("/my/breakdown").text
        self.assertIn("SC BD Other Site", page)
        self.assertNotIn("SC BD Boiler Room", page)
        response = self._submit({"site_id": self.site.id, "description": "x"})
        self.assertIn("Choose one of your sites", response.text)
        self.assertFalse(self.contract.intervention_ids)
