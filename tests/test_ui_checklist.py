from datetime import date

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import boiler_checklist_items


@tagged("post_install", "-at_install")
class TestServiceChecklistUi(HttpCase):
    """A technician fills the checklist of a boiler on a phone, 390 pixels
    wide: the CO measure out of range turns red, the visit is marked done,
    the responsible gets an activity and the customer its certificate."""

    browser_size = "390x844"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.technician = new_test_user(
            cls.env,
            login="sc_check_tour_tech",
            password="sc_check_tour_tech",
            name="SC Checklist Technician",
            groups="base.group_user,service_contract.group_service_contract_technician",
        )
        cls.responsible = new_test_user(
            cls.env,
            login="sc_check_tour_resp",
            name="SC Checklist Responsible",
            groups="base.group_user,service_contract.group_service_contract_user",
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "SC Checklist Customer",
                "is_company": True,
                "email": "checklist@example.com",
            }
        )
        cls.site = cls.env["res.partner"].create(
            {
                "name": "SC Checklist Boiler Room",
                "type": "site",
                "parent_id": cls.customer.id,
                "street": "4 rue des Mesures",
                "city": "Grenoble",
            }
        )
        template = cls.env["service.checklist.template"].create(
            {
                "name": "SC Gas boiler service",
                "item_ids": boiler_checklist_items(
                    "burner", "efficiency", "co", "advice"
                ),
            }
        )
        cls.boiler = cls.env["service.equipment"].create(
            {
                "name": "SC Tour Boiler",
                "partner_id": cls.customer.id,
                "site_id": cls.site.id,
                "serial_number": "SC-TOUR-1",
                "category_id": cls.env["service.equipment.category"]
                .create(
                    {
                        "name": "SC Tour Boilers",
                        "regulation": "boiler",
                        "checklist_template_id": template.id,
                    }
                )
                .id,
            }
        )
        contract_template = cls.env["service.contract.template"].create(
            {
                "name": "SC Checklist Template",
                "company_id": cls.env.company.id,
                "duration": 1,
                "duration_unit": "year",
                "renewal_type": "tacit",
                "renewal_duration": 1,
                "renewal_unit": "year",
                "notice_period": 1,
                "notice_unit": "month",
                "line_ids": [
                    Command.create({"name": "Boiler maintenance", "price_unit": 200.0})
                ],
            }
        )
        cls.contract = cls.env["service.contract"].create(
            {
                "partner_id": cls.customer.id,
                "template_id": contract_template.id,
                "date_start": date(2026, 1, 1),
                "user_id": cls.responsible.id,
                "site_ids": [Command.set(cls.site.ids)],
            }
        )
        cls.contract.action_sign()
        cls.visit = cls.env["service.intervention"].create(
            {
                "contract_id": cls.contract.id,
                "description": "Boiler service",
                "date_due": fields.Date.context_today(cls.env.user),
                "site_id": cls.site.id,
                "user_id": cls.technician.id,
                "equipment_ids": [Command.set(cls.boiler.ids)],
            }
        )
        # Marking the visit as done renders PDFs with wkhtmltopdf, which would
        # fetch the stylesheets from this test server while the request holds
        # the test cursor (see test_ui_intervention.py).
        cls.env["ir.config_parameter"].sudo().set_param(
            "report.url", "file:///nonexistent-sc-report-url"
        )

    def test_technician_fills_checklist_on_a_phone(self):
        self.assertEqual(len(self.visit.checklist_line_ids), 4)
        self.start_tour(
            "/odoo/action-service_contract.service_intervention_action_my",
            "service_contract_checklist_tour",
            login="sc_check_tour_tech",
        )
        self.env.invalidate_all()
        visit = self.visit
        self.assertEqual(visit.state, "done")
        lines = {line.name: line for line in visit.checklist_line_ids}
        self.assertTrue(lines["Burner cleaned"].value_bool)
        self.assertEqual(lines["Efficiency"].value_float, 92.5)
        self.assertFalse(lines["Efficiency"].out_of_range)
        self.assertEqual(lines["Carbon monoxide"].value_float, 120.0)
        self.assertTrue(lines["Carbon monoxide"].out_of_range)
        activity_type = self.env.ref(
            "service_contract.mail_activity_type_checklist_out_of_range"
        )
        activity = visit.activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type
        )
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.responsible)
        self.assertTrue(visit.certificate_document_id)
        self.assertTrue(visit.certificate_sent_date)
