from datetime import date, timedelta

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestOnMyWayUi(HttpCase):
    """On a phone, 390 x 844: the technician taps *On My Way* on the card of
    today's visit (the site contact is told, once), then closes the visit
    (the site contact is asked to rate it)."""

    browser_size = "390x844"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.technician = new_test_user(
            cls.env,
            login="sc_way_tech",
            password="sc_way_tech",
            name="SC Way Technician",
            tz=company._service_tz(),
            groups="base.group_user,service_contract.group_service_contract_technician",
        )
        cls.technician.action_id = cls.env.ref(
            "service_contract.service_intervention_action_my_day"
        ).id
        customer = cls.env["res.partner"].create(
            {"name": "SC Way Customer", "is_company": True}
        )
        cls.contact = cls.env["res.partner"].create(
            {
                "name": "Paul Gardien",
                "parent_id": customer.id,
                "email": "paul.gardien@example.com",
            }
        )
        site = cls.env["res.partner"].create(
            {
                "name": "SC Way Boulangerie",
                "type": "site",
                "parent_id": customer.id,
                "street": "12 rue des Lilas",
                "city": "Grenoble",
                "site_contact_id": cls.contact.id,
            }
        )
        template = cls.env["service.contract.template"].create(
            {
                "name": "SC Way Template",
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
        contract = cls.env["service.contract"].create(
            {
                "partner_id": customer.id,
                "template_id": template.id,
                "date_start": date(2026, 1, 1),
                "site_ids": [Command.set(site.ids)],
            }
        )
        contract.action_sign()
        Visit = cls.env["service.intervention"]
        day_start = Visit._service_day_start(company)
        cls.visit = Visit.create(
            {
                "contract_id": contract.id,
                "site_id": site.id,
                "description": "Boiler yearly service",
                "date_due": company._service_today(),
                "user_id": cls.technician.id,
                "date_planned_start": day_start + timedelta(hours=10),
            }
        )
        cls.visit.action_plan()
        # See test_ui_intervention.py: wkhtmltopdf must not call this server.
        cls.env["ir.config_parameter"].sudo().set_param(
            "report.url", "file:///nonexistent-sc-report-url"
        )

    def test_on_my_way_then_done_on_a_phone(self):
        self.start_tour("/odoo", "service_contract_on_my_way_tour", login="sc_way_tech")
        self.env.invalidate_all()
        self.assertTrue(self.visit.on_way_sent_at)
        self.assertEqual(self.visit.state, "done")
        subjects = self.visit.message_ids.mapped("subject")
        self.assertEqual(subjects.count("Our technician is on the way"), 1)
        self.assertEqual(subjects.count(f"How was our visit {self.visit.name}?"), 1)
        self.assertEqual(self.visit.rating_ids.partner_id, self.contact)
