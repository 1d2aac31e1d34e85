import base64
import os
import time
from datetime import datetime, timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged
from odoo.tests.common import TEST_CURSOR_COOKIE_NAME, ChromeBrowser

from ..models.service_lifecycle_guard import lifecycle_write
from .common import create_contract, create_customer_site, new_tour_user


@tagged("post_install", "-at_install")
class TestPortalPhoneUi(HttpCase):
    """The customer's portal on a phone, 390 pixels wide: contracts and
    visits as cards, equipment, a breakdown reported from an item.

    With SC_SCREENSHOTS=<dir>, the pages are also saved there as images,
    at 390 and 1440 pixels."""

    browser_size = "390x844"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.partner_id.tz = "Europe/Paris"
        cls.customer, cls.site = create_customer_site(
            cls.env,
            "SC Phone Residence",
            "SC Phone Tower",
            street="12 avenue des Tilleuls",
            city="Grenoble",
        )
        cls.car_park = cls.env["res.partner"].create(
            {"name": "SC Phone Car Park", "type": "site", "parent_id": cls.customer.id}
        )
        cls.portal_user = new_tour_user(
            cls.env,
            "sc_phone_portal",
            "base.group_portal",
            name="Claire Durand",
            email="claire.durand@example.com",
            parent_id=cls.customer.id,
            tz="Europe/Paris",
        )
        today = fields.Date.context_today(cls.env.user)
        cls.contract = create_contract(
            cls.env,
            cls.customer,
            title="SC Phone Lift Maintenance",
            date_start=today - timedelta(days=60),
            duration=1,
            duration_unit="year",
            renewal_type="tacit",
            renewal_duration=1,
            renewal_unit="year",
            notice_period=1,
            notice_unit="month",
            invoicing_frequency="month",
            invoicing_mode="advance",
            response_time_hours=4,
            site_ids=[Command.set((cls.site | cls.car_park).ids)],
            line_ids=[Command.create({"name": "Lift maintenance", "price_unit": 90})],
            sign=True,
        )
        cls.lift, cls.gate = cls.env["service.equipment"].create(
            [
                {
                    "name": "SC Phone Lift",
                    "partner_id": cls.customer.id,
                    "site_id": cls.site.id,
                },
                {
                    "name": "SC Phone Gate",
                    "partner_id": cls.customer.id,
                    "site_id": cls.car_park.id,
                },
            ]
        )
        Intervention = cls.env["service.intervention"]
        done, planned = Intervention.create(
            [
                {
                    "contract_id": cls.contract.id,
                    "site_id": cls.site.id,
                    "date_due": today - timedelta(days=20),
                    "description": "SC Phone visit done",
                    "report": "<p>Cables checked.</p>",
                },
                {
                    "contract_id": cls.contract.id,
                    "site_id": cls.site.id,
                    "date_due": today + timedelta(days=10),
                    "description": "SC Phone next visit",
                },
            ]
        )
        done.action_done()
        # 07:30 UTC in winter, 06:30 in summer: 08:30 in Paris.
        start = datetime.combine(today + timedelta(days=10), datetime.min.time())
        local = start.replace(hour=8, minute=30)
        offset = fields.Datetime.context_timestamp(
            cls.env["res.partner"].with_context(tz="Europe/Paris"), local
        ).utcoffset()
        with lifecycle_write():
            planned.date_planned_start = local - offset
            planned.equipment_ids = cls.lift
            done.equipment_ids = cls.lift

    def test_portal_on_a_phone(self):
        self.start_tour(
            "/my", "service_contract_portal_phone_tour", login="sc_phone_portal"
        )
        breakdown = self.env["service.intervention"].search(
            [
                ("contract_id", "=", self.contract.id),
                ("description", "ilike", "between two floors"),
            ]
        )
        self.assertEqual(len(breakdown), 1)
        self.assertEqual(breakdown.site_id, self.site)
        self.assertEqual(breakdown.equipment_ids, self.lift)
        self.assertEqual(breakdown.kind, "corrective")
        self.assertTrue(breakdown.date_response_deadline)
        if os.environ.get("SC_SCREENSHOTS"):
            self._screenshots(os.environ["SC_SCREENSHOTS"])

    def _screenshots(self, directory):
        """The portal's pages at 390 and 1440 pixels, saved in
        ``directory`` (to look at them; not an assertion). A browser opened
        as ``browser_js`` does, kept for several pages."""
        pages = {
            "home": "/my",
            "contracts": "/my/contracts",
            "contract": f"/my/contracts/{self.contract.id}",
            "interventions": "/my/interventions",
            "equipment": "/my/equipment",
            "breakdown": f"/my/breakdown?equipment_id={self.lift.id}",
        }
        browser = ChromeBrowser(self)
        try:
            self.http_request_key = self.canonical_tag + "_browser_js"
            self.authenticate("sc_phone_portal", "sc_phone_portal", browser=browser)
            self.cr.flush()
            self.cr.clear()
            for width, height in ((390, 844), (1440, 900)):
                browser._websocket_request(
                    "Emulation.setDeviceMetricsOverride",
                    params={
                        "width": width,
                        "height": height,
                        "deviceScaleFactor": 1,
                        "mobile": width < 576,
                    },
                )
                for name, url in pages.items():
                    browser.navigate_to(self.base_url() + url, wait_stop=True)
                    time.sleep(2)
                    shot = browser._websocket_request(
                        "Page.captureScreenshot",
                        params={"captureBeyondViewport": True},
                        timeout=30,
                    )
                    path = os.path.join(directory, f"portal_{name}_{width}.png")
                    with open(path, "wb") as file:
                        file.write(base64.b64decode(shot["data"]))
        finally:
            browser.stop()
            self._wait_remaining_requests()
            self.http_request_key = self.canonical_tag
            self.opener.cookies[TEST_CURSOR_COOKIE_NAME] = self.http_request_key
