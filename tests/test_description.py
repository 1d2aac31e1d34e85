"""The module's page in the Apps menu (static/description/index.html, made by
tools/gen-readme): Odoo renders it in the module's form, with every
screenshot, and every image it shows is served over HTTP and drawn by the
browser in the module's form (Settings > Apps > the module)."""

import ast
import base64
import os
from pathlib import Path

from lxml import html

from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

MODULE = Path(__file__).resolve().parent.parent
DESCRIPTION = MODULE / "static" / "description"
# The module's form is drawn, with the page and its images loaded.
IMAGES = "document.querySelectorAll('.o_form_view img[src*=\"/static/description/\"]')"
FORM_READY = (
    "document.querySelector('.o_form_view h1') !== null"
    " && document.querySelector('.o_loading_indicator') === null"
    f" && {IMAGES}.length > 0"
    f" && [...{IMAGES}].every((img) => img.complete && img.naturalWidth > 0)"
)


@tagged("post_install", "-at_install")
class TestAppsDescription(HttpCase):
    def _module(self):
        return self.env["ir.module.module"].search([("name", "=", "service_contract")])

    def test_description_page_shows_the_manifest_and_every_screenshot(self):
        manifest = ast.literal_eval((MODULE / "__manifest__.py").read_text())
        page = html.fromstring(self._module().description_html)
        self.assertEqual(page.findtext(".//h1"), manifest["name"])
        self.assertIn(manifest["version"], page.text_content())
        sections = [h2.text_content() for h2 in page.iter("h2")]
        for section in ("Screenshots", "Usage", "Configuration", "Changelog"):
            self.assertIn(section, sections)
        self.assertIn("Credits", sections)
        shown = {img.get("src"): img.get("alt") for img in page.iter("img")}
        screenshots = sorted((DESCRIPTION / "screenshots").glob("*.png"))
        self.assertTrue(screenshots)
        self.assertEqual(
            set(shown),
            {
                f"/service_contract/static/description/screenshots/{png.name}"
                for png in screenshots
            },
            "the page shows every screenshot, where Odoo serves it",
        )
        self.assertTrue(all(shown.values()), "every screenshot has a caption")

    def test_every_image_of_the_page_is_served(self):
        page = html.fromstring(self._module().description_html)
        sources = [img.get("src") for img in page.iter("img")]
        # The file itself: relative sources only (Odoo prefixes them).
        raw = html.fromstring((DESCRIPTION / "index.html").read_bytes())
        raw_sources = [img.get("src") for img in raw.iter("img")]
        self.assertEqual(len(sources), len(raw_sources))
        for src in raw_sources:
            self.assertNotIn("//", src)
            self.assertFalse(src.startswith("/"), src)
            self.assertTrue((DESCRIPTION / src).is_file(), src)
        for src in sources:
            response = self.url_open(src)
            self.assertEqual(response.status_code, 200, src)
            self.assertEqual(response.headers["Content-Type"], "image/png", src)

    def test_module_form_in_apps_shows_the_page_with_its_images(self):
        module = self._module()
        count = len(html.fromstring(module.description_html).findall(".//img"))
        self.browser_size = "1440x2400"
        browser = ChromeBrowser(self, headless=True, success_signal="test successful")
        try:
            self.authenticate("admin", "admin", browser=browser)
            browser.navigate_to(
                f"{self.base_url()}/odoo/action-base.open_module_tree/{module.id}",
                wait_stop=True,
            )
            self.assertTrue(
                browser._wait_ready(FORM_READY, timeout=60),
                "the module's form did not show the page with its images",
            )
            drawn = browser._websocket_request(
                "Runtime.evaluate",
                params={"expression": f"{IMAGES}.length", "returnByValue": True},
            )
            self.assertEqual(drawn["result"]["value"], count)
            if os.environ.get("SC_DESCRIPTION_SCREENSHOT"):  # to look at it
                shot = browser._websocket_request(
                    "Page.captureScreenshot", params={"format": "png"}
                )
                with open(os.environ["SC_DESCRIPTION_SCREENSHOT"], "wb") as file:
                    file.write(base64.b64decode(shot["data"]))
        finally:
            browser.stop()
