from datetime import date, timedelta

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import boiler_checklist_items

CO_QUESTION = "Carbon monoxide content of the flue gases, measured at the draft hood"


@tagged("post_install", "-at_install")
class TestMyDayUi(HttpCase):
    """A technician's day on a phone, 390 x 844: My Day (their home) lists
    today's two visits; the first is started, its checklist filled (a
    measure out of range turns red), a part added, the customer signs, done;
    then the next one."""

    browser_size = "390x844"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.technician = new_test_user(
            cls.env,
            login="sc_day_tech",
            password="sc_day_tech",
            name="SC Day Technician",
            tz=company._service_tz(),
            groups="base.group_user,service_contract.group_service_contract_technician",
        )
        # The technician's home is My Day.
        cls.technician.action_id = cls.env.ref(
            "service_contract.service_intervention_action_my_day"
        ).id
        customer = cls.env["res.partner"].create(
            {"name": "SC Day Customer", "is_company": True}
        )
        contact = cls.env["res.partner"].create(
            {
                "name": "Paul Gardien",
                "parent_id": customer.id,
                "phone": "04 76 00 00 00",
            }
        )
        cls.site, cls.next_site = cls.env["res.partner"].create(
            [
                {
                    "name": "SC Day Boulangerie",
                    "type": "site",
                    "parent_id": customer.id,
                    "street": "12 rue des Lilas",
                    "zip": "38000",
                    "city": "Grenoble",
                    "site_contact_id": contact.id,
                    "site_access_instructions": "Digicode 1234, boiler room",
                },
                {
                    "name": "SC Day Pharmacie",
                    "type": "site",
                    "parent_id": customer.id,
                    "street": "3 place Victor Hugo",
                    "zip": "38000",
                    "city": "Grenoble",
                },
            ]
        )
        items = boiler_checklist_items("burner", "efficiency", "co", "advice")
        items[2][2]["name"] = CO_QUESTION
        template = cls.env["service.checklist.template"].create(
            {"name": "SC Day Boiler service", "item_ids": items}
        )
        boiler = cls.env["service.equipment"].create(
            {
                "name": "SC Day Boiler",
                "partner_id": customer.id,
                "site_id": cls.site.id,
                "serial_number": "SC-DAY-1",
                "category_id": cls.env["service.equipment.category"]
                .create(
                    {
                        "name": "SC Day Boilers",
                        "regulation": "boiler",
                        "checklist_template_id": template.id,
                    }
                )
                .id,
            }
        )
        cls.part = cls.env["product.product"].create(
            {"name": "SC Day Gasket", "type": "consu", "standard_price": 4.0}
        )
        contract_template = cls.env["service.contract.template"].create(
            {
                "name": "SC Day Template",
                "company_id": company.id,
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
                "template_id": contract_template.id,
                "date_start": date(2026, 1, 1),
                "site_ids": [Command.set((cls.site | cls.next_site).ids)],
            }
        )
        contract.action_sign()
        # Today in the company's day, 08:00 and 14:00 there; created in the
        # reverse order: My Day sorts them by time.
        Visit = cls.env["service.intervention"]
        day_start = Visit._service_day_start(company)
        cls.next_visit, cls.visit = Visit.create(
            [
                {
                    "contract_id": contract.id,
                    "site_id": site.id,
                    "description": description,
                    "date_due": company._service_today(),
                    "user_id": cls.technician.id,
                    "date_planned_start": day_start + timedelta(hours=hour),
                    "date_planned_end": day_start + timedelta(hours=hour + 1),
                    "equipment_ids": [Command.set(equipment.ids)],
                }
                for site, description, hour, equipment in (
                    (cls.next_site, "Check the heat pump", 14, Visit.equipment_ids),
                    (cls.site, "Boiler yearly service", 8, boiler),
                )
            ]
        )
        (cls.visit | cls.next_visit).action_plan()
        # Tomorrow's visit is not in My Day.
        cls.tomorrow = Visit.create(
            {
                "contract_id": contract.id,
                "site_id": cls.site.id,
                "description": "SC Day Tomorrow",
                "date_due": company._service_today() + timedelta(days=1),
                "user_id": cls.technician.id,
                "date_planned_start": day_start + timedelta(days=1, hours=9),
            }
        )
        # See test_ui_intervention.py: wkhtmltopdf must not call this server.
        cls.env["ir.config_parameter"].sudo().set_param(
            "report.url", "file:///nonexistent-sc-report-url"
        )

    def test_a_technicians_day_on_a_phone(self):
        self.start_tour("/odoo", "service_contract_my_day_tour", login="sc_day_tech")
        self.env.invalidate_all()
        self.assertEqual(self.visit.state, "done")
        self.assertEqual(self.next_visit.state, "done")
        self.assertEqual(self.tomorrow.state, "to_plan", "not in today's cards")
        lines = {line.name: line for line in self.visit.checklist_line_ids}
        self.assertTrue(lines["Burner cleaned"].value_bool)
        self.assertEqual(lines["Efficiency"].value_float, 92.5)
        self.assertEqual(lines[CO_QUESTION].value_float, 120.0)
        self.assertTrue(lines[CO_QUESTION].out_of_range)
        self.assertEqual(self.visit.material_line_ids.product_id, self.part)
        self.assertEqual(self.visit.signed_by, "Jeanne Client")
        self.assertTrue(self.visit.signature)
        self.assertGreater(self.visit.duration_actual, 0.0)
