import html
import re
from datetime import datetime

from lxml import html as lxml_html

from odoo.tests import tagged

from ..models.service_lifecycle_guard import lifecycle_write
from .common import PortalCase

TILE_URLS = (
    "/my/contracts",
    "/my/interventions",
    "/my/equipment",
    "/my/breakdown",
    "/contract/terminate",
)


@tagged("post_install", "-at_install")
class TestPortalPhone(PortalCase):
    """The portal as a customer uses it, on a phone too: tables that become
    cards, datetimes in the customer's language and time zone, the signer
    proposed by name, one icon per tile."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(["service_contract"], ["fr_FR"])
        # A French customer overseas: the company's day is Paris's.
        cls.portal_user.write({"lang": "fr_FR", "tz": "America/Martinique"})
        cls.boiler = cls.env["service.equipment"].create(
            {
                "name": "SC Phone Boiler",
                "partner_id": cls.customer.id,
                "site_id": cls.site.id,
                "serial_number": "SCP-PHONE",
            }
        )
        with lifecycle_write():
            cls.visit_done.equipment_ids = cls.boiler
            # 02:00 UTC: still the evening before in Martinique (UTC-4).
            cls.visit_done.date_done = datetime(2030, 1, 15, 2, 0)
            cls.visit_next.date_planned_start = datetime(2030, 2, 4, 12, 30)

    def _login(self):
        self.authenticate(self.portal_user.login, "sc_portal_paula")

    def test_tables_become_cards(self):
        """Every table of the module's portal pages is one that becomes
        cards on a phone: each cell but the title says what it shows."""
        self._login()
        urls = [
            "/my/contracts",
            "/my/interventions",
            "/my/equipment",
            f"/my/equipment/{self.boiler.id}",
            f"/my/contracts/{self.running.id}",
        ]
        for url in urls:
            with self.subTest(url=url):
                tree = lxml_html.fromstring(self._get(url).text)
                tables = tree.xpath(
                    "//table[contains(@class, 'o_portal_my_doc_table')]"
                )
                self.assertTrue(tables)
                for table in tables:
                    self.assertIn("o_sc_portal_cards", table.getparent().get("class"))
                    self.assertTrue(table.xpath(".//tbody/tr"))
                    for row in table.xpath(".//tbody/tr"):
                        cells = row.xpath("./td")
                        heads = table.xpath(".//thead/tr/th")
                        self.assertEqual(len(cells), len(heads))
                        for cell, head in list(zip(cells, heads, strict=True))[1:]:
                            self.assertEqual(
                                cell.get("data-label"), head.text_content().strip()
                            )
        # The labels are translated as the headers are.
        page = self._get("/my/interventions").text
        self.assertIn('data-label="Statut"', page)

    def test_datetimes_in_the_customers_language_and_time_zone(self):
        self._login()
        # Done on the 14th at 22:00 in Martinique, planned at 08:30 there.
        page = self._get("/my/interventions").text
        self.assertIn("14/01/2030", page)
        self.assertNotIn("15/01/2030", page)
        self.assertIn("04/02/2030 08:30", page)
        self.assertNotIn("08:30:00", page)
        contract_page = self._get(f"/my/contracts/{self.running.id}").text
        self.assertIn("04/02/2030 08:30", self._section(contract_page, "next_visits"))
        self.assertIn("14/01/2030", self._section(contract_page, "interventions"))
        equipment_page = self._get(f"/my/equipment/{self.boiler.id}").text
        self.assertIn("14/01/2030", equipment_page)
        # A visitor by a link: the customer's time zone, else the company's
        # (Paris, 13:30), in the visitor's language (English here).
        self.authenticate(None, None)
        url = self.running.get_portal_url()
        self.assertIn("02/04/2030 13:30", self._get(url).text)

    def _default_signer(self, url):
        props = html.unescape(self._get(url).text)
        return re.search(r'"defaultName": "([^"]*)"', props).group(1)

    def test_signer_name_is_the_person_logged_in(self):
        self.assertFalse(self.to_sign.signatory_id)
        self.running.action_amend()
        amendment = self.running.amendment_ids
        amendment.action_to_sign()
        self._login()
        self.assertEqual(
            self._default_signer(f"/my/contracts/{self.to_sign.id}"), "Paula Portal"
        )
        self.assertEqual(
            self._default_signer(f"/my/amendments/{amendment.id}"), "Paula Portal"
        )
        termination = self._get("/contract/terminate").text
        self.assertIn('value="Paula Portal"', termination)
        # By a link, without logging in: the customer's signatory.
        self.authenticate(None, None)
        self.assertEqual(
            self._default_signer(self.to_sign.get_portal_url()), "SC Portal Customer"
        )
        self.assertNotIn("Paula Portal", self._get("/contract/terminate").text)

    def test_home_tiles_have_one_icon_each(self):
        self._login()
        tree = lxml_html.fromstring(self._get("/my").text)
        icons = {}
        for url in TILE_URLS:
            (src,) = tree.xpath(
                f"//div[contains(@class, 'o_portal_index_card')]"
                f"/a[@href='{url}']//div[contains(@class, 'o_portal_icon')]/img/@src"
            )
            icons[url] = src
        self.assertEqual(len(set(icons.values())), len(TILE_URLS), icons)
        for src in icons.values():
            self.assertTrue(src.endswith(".svg"), src)
            response = self._get(src)
            # Drawn at the size of Odoo's own tiles (64 px).
            self.assertIn(b'width="64" height="64"', response.content)
