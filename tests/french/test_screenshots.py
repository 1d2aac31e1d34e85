# Copyright 2026 The service_contract authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The screenshots of the README and the Apps page, taken on the demo
database the way a user sees it (desktop 1440 px, phone 390 px).

``tools/screenshots`` runs this file on the French demo database with
``SC_SCREENSHOTS_DIR`` set to ``static/description/screenshots``; CI runs it
too, into its logs, so the pages keep rendering."""

import base64
import os
import struct
import tempfile

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

DESKTOP = "1440x900"
PHONE = "390x844"
# A page is ready when its view is drawn, nothing is loading, and the fonts
# are in: the screenshot then shows what the user sees.
BACKEND_READY = (
    "document.querySelector('.o_action_manager > .o_action') !== null"
    " && document.querySelector('.o_loading_indicator') === null"
    " && document.fonts.status === 'loaded'"
)
PORTAL_READY = (
    "document.querySelector('#wrap') !== null && document.fonts.status === 'loaded'"
)
REPORT_READY = (
    "document.querySelector('.page') !== null && document.fonts.status === 'loaded'"
)
SETTLED = "new Promise((resolve) => setTimeout(() => resolve(true), 1500))"
ACTION = "/odoo/action-service_contract."


def png_size(data):
    """(width, height) of a PNG image, read from its header."""
    return struct.unpack(">II", data[16:24])


@tagged("post_install", "-at_install")
class TestScreenshots(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.out_dir = os.environ.get("SC_SCREENSHOTS_DIR") or tempfile.mkdtemp(
            prefix="sc_screenshots_"
        )
        os.makedirs(cls.out_dir, exist_ok=True)
        cls.lift = cls.env.ref("service_contract.contract_tilleuls_lift")
        # The lift's customer, on the portal: the property manager.
        manager = cls.env.ref("service_contract.partner_tilleuls_manager")
        cls.env["res.users"].with_context(no_reset_password=True).create(
            {
                "name": manager.name,
                "login": "claire.morel",
                "partner_id": manager.id,
                "groups_id": [Command.set([cls.env.ref("base.group_portal").id])],
            }
        )

    def shoot(self, name, url, login="admin", size=DESKTOP, ready=BACKEND_READY):
        """Open ``url`` as ``login`` at ``size`` and save ``name``.png."""
        self.browser_size = size
        browser = ChromeBrowser(self, headless=True, success_signal="test successful")
        try:
            self.authenticate(login, login, browser=browser)
            self.cr.flush()
            self.cr.clear()
            browser.navigate_to(self.base_url() + url, wait_stop=True)
            rendered = browser._wait_ready(ready, timeout=60)
            self.assertTrue(rendered, f"{url} did not render")
            # Let the last animations (dropdowns, charts) settle.
            browser._wait_ready(SETTLED)
            shot = browser._websocket_request(
                "Page.captureScreenshot", params={"format": "png"}
            )
        finally:
            browser.stop()
        data = base64.b64decode(shot["data"])
        width = int(size.split("x")[0])
        self.assertEqual(png_size(data)[0], width, name)
        with open(os.path.join(self.out_dir, f"{name}.png"), "wb") as file:
            file.write(data)

    def test_screenshots(self):
        lift = self.lift.id
        desktop = [
            ("contract_form", f"{ACTION}service_contract_action/{lift}"),
            ("contract_list", f"{ACTION}service_contract_action"),
            ("billing_schedule", f"{ACTION}service_contract_period_action"),
            ("planning", f"{ACTION}service_intervention_action_calendar"),
            ("alerts", f"{ACTION}service_contract_alert_action"),
            ("dashboard", f"{ACTION}service_contract_dashboard_action"),
        ]
        for name, url in desktop:
            with self.subTest(name):
                self.shoot(f"{name}_desktop", url)
        with self.subTest("contract_form_phone"):
            self.shoot("contract_form_phone", desktop[0][1], size=PHONE)
        with self.subTest("my_day_phone"):
            self.shoot(
                "my_day_phone",
                f"{ACTION}service_intervention_action_my_day",
                "technician",
                PHONE,
            )
        with self.subTest("visit_phone"):
            visit = self.env.ref("service_contract.intervention_lift_breakdown")
            self.shoot(
                "visit_phone",
                f"{ACTION}service_intervention_action_my_day/{visit.id}",
                "technician",
                PHONE,
            )
        with self.subTest("printed_contract"):
            self.shoot(
                "printed_contract_desktop",
                f"/report/html/service_contract.report_service_contract/{lift}",
                ready=REPORT_READY,
            )
        for size, suffix in ((DESKTOP, "desktop"), (PHONE, "phone")):
            with self.subTest(f"portal_{suffix}"):
                portal = (("home", "/my"), ("contract", f"/my/contracts/{lift}"))
                for name, url in portal:
                    name = f"portal_{name}_{suffix}"
                    self.shoot(name, url, "claire.morel", size, PORTAL_READY)
