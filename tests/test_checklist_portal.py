from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import ChecklistCase


@tagged("post_install", "-at_install")
class TestCertificatePortal(ChecklistCase, HttpCase):
    """The customer downloads the maintenance certificate of its boiler from
    the portal, never another customer's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The certificate is rendered by wkhtmltopdf: keep it away from this
        # test server (see test_ui_intervention.py).
        cls.env["ir.config_parameter"].sudo().set_param(
            "report.url", "file:///nonexistent-sc-report-url"
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="sc_check_portal",
            password="sc_check_portal",
            groups="base.group_portal",
            partner_id=cls.env["res.partner"]
            .create({"name": "Paula Lac", "parent_id": cls.customer.id})
            .id,
        )
        cls._fill_visit(cls.visit)
        cls.visit.action_done()

        cls.other_customer = cls.env["res.partner"].create(
            {"name": "SC Other Customer", "is_company": True}
        )
        other_site = cls.env["res.partner"].create(
            {"name": "Other site", "type": "site", "parent_id": cls.other_customer.id}
        )
        other_boiler = cls.env["service.equipment"].create(
            {
                "name": "Other boiler",
                "partner_id": cls.other_customer.id,
                "site_id": other_site.id,
                "category_id": cls.boilers.id,
            }
        )
        cls.other_contract = cls._create_running_contract(
            partner_id=cls.other_customer.id,
            site_ids=[Command.set(other_site.ids)],
        )
        cls.other_visit = cls.env["service.intervention"].create(
            {
                "contract_id": cls.other_contract.id,
                "date_due": cls.visit.date_due,
                "site_id": other_site.id,
                "user_id": cls.technician.id,
                "equipment_ids": [Command.set(other_boiler.ids)],
            }
        )
        cls._fill_visit(cls.other_visit)
        cls.other_visit.action_done()

    @classmethod
    def _fill_visit(cls, visit):
        for line in visit.checklist_line_ids:
            line.write(
                {
                    "check": {"value_bool": True},
                    "measure": {"value_float": 20.0 if line.unit == "ppm" else 90.0},
                }.get(line.kind, {})
            )

    def _url(self, contract, visit):
        return f"/my/contracts/{contract.id}/certificate/{visit.id}"

    def test_customer_downloads_its_own_certificate(self):
        self.assertTrue(self.visit.certificate_document_id)
        self.env.flush_all()
        self.authenticate("sc_check_portal", "sc_check_portal")
        page = self.url_open("/my/interventions").text
        self.assertIn(self._url(self.contract, self.visit), page)
        response = self.url_open(self._url(self.contract, self.visit))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertEqual(response.content, self.visit.certificate_document_id.raw)

    @mute_logger("odoo.addons.base.models.ir_model", "odoo.addons.base.models.ir_rule")
    def test_another_customer_certificate_is_refused(self):
        self.assertTrue(self.other_visit.certificate_document_id)
        self.env.flush_all()
        self.authenticate("sc_check_portal", "sc_check_portal")
        for url in (
            self._url(self.other_contract, self.other_visit),
            # The visit of another contract through the customer's own one.
            self._url(self.contract, self.other_visit),
        ):
            response = self.url_open(url)
            self.assertNotEqual(
                response.headers.get("Content-Type"), "application/pdf", url
            )
            self.assertNotIn(b"%PDF", response.content[:10], url)
        # Not logged in: nothing either.
        self.authenticate(None, None)
        response = self.url_open(self._url(self.contract, self.visit))
        self.assertNotIn(b"%PDF", response.content[:10])
