from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import html2plaintext

from odoo.addons.service_contract.models.service_lifecycle_guard import (
    lifecycle_write,
)

from .common import ChecklistCase


@tagged("post_install", "-at_install")
class TestChecklist(ChecklistCase):
    def test_checklist_copied_from_the_category_template(self):
        checklist = self.visit.checklist_ids
        self.assertEqual(len(checklist), 1)
        self.assertEqual(checklist.equipment_id, self.boiler)
        self.assertEqual(checklist.template_id, self.boiler_template)
        self.assertEqual(
            checklist.line_ids.mapped("name"),
            [
                "Burner cleaned",
                "Efficiency",
                "Carbon monoxide",
                "NOx emission class",
                "Advice to the customer",
                "Burner photo",
            ],
        )
        co = self._line(self.visit, "Carbon monoxide")
        self.assertEqual(
            (co.kind, co.unit, co.min_value, co.max_value, co.certificate_field),
            ("measure", "ppm", 0.0, 50.0, "co"),
        )
        self.assertEqual(co.range_display, "0 - 50 ppm")
        self.assertFalse(checklist.is_complete)
        # The template changes later: the visit keeps the question it asked.
        self.boiler_template.item_ids[2].max_value = 80.0
        self.assertEqual(co.max_value, 50.0)

    def test_equipment_change_syncs_the_checklists(self):
        radiators = self.env["service.equipment"].create(
            {
                "name": "Radiators",
                "partner_id": self.customer.id,
                "site_id": self.site_a.id,
                "category_id": self.env["service.equipment.category"]
                .create({"name": "Radiators"})
                .id,
            }
        )
        other_boiler = self.env["service.equipment"].create(
            {
                "name": "Second boiler",
                "partner_id": self.customer.id,
                "site_id": self.site_a.id,
                "category_id": self.boilers.id,
            }
        )
        self.visit.equipment_ids = [Command.link(radiators.id)]
        self.assertEqual(len(self.visit.checklist_ids), 1, "no template: no list")
        self.visit.equipment_ids = [Command.set(other_boiler.ids)]
        self.assertEqual(self.visit.checklist_ids.equipment_id, other_boiler)
        self.assertEqual(len(self.visit.checklist_line_ids), 6)
        # A checklist being filled stays when its item leaves the visit.
        self._line(self.visit, "Burner cleaned").value_bool = True
        self.visit.equipment_ids = [Command.set(self.boiler.ids)]
        self.assertEqual(
            self.visit.checklist_ids.equipment_id, other_boiler | self.boiler
        )

    def test_co_out_of_range_flags_and_raises_one_activity(self):
        activity_type = self.env.ref(
            "service_contract.mail_activity_type_checklist_out_of_range"
        )
        co = self._line(self.visit, "Carbon monoxide")
        efficiency = self._line(self.visit, "Efficiency")
        efficiency.with_user(self.technician).value_float = 92.5
        self.assertFalse(efficiency.out_of_range)
        self.assertFalse(self.visit.activity_ids)

        co.with_user(self.technician).value_float = 120.0
        self.assertTrue(co.out_of_range)
        self.assertTrue(self.visit.checklist_out_of_range)
        activity = self.visit.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.activity_type_id, activity_type)
        self.assertEqual(activity.user_id, self.responsible)
        self.assertIn("Carbon monoxide 120 ppm", html2plaintext(activity.note))

        # Another reading, still too high: no second activity.
        co.with_user(self.technician).value_float = 150.0
        self.assertEqual(len(self.visit.activity_ids), 1)
        # Back in range: no flag.
        co.with_user(self.technician).value_float = 20.0
        self.assertFalse(co.out_of_range)

    def test_zero_is_a_measure_and_empty_is_not(self):
        co = self._line(self.visit, "Carbon monoxide")
        self.assertFalse(co.is_answered)
        co.value_float = 0.0
        self.assertTrue(co.is_answered)
        self.assertFalse(co.out_of_range)

    def test_choice_must_be_one_of_the_options(self):
        line = self._line(self.visit, "NOx emission class")
        self.assertRefused(
            ValidationError, "choose one of", line.write, {"value_choice": "9"}
        )
        self.assertFalse(line.value_choice)

    def test_mark_done_refuses_an_incomplete_required_checklist(self):
        self._line(self.visit, "Burner cleaned").value_bool = True
        self.assertRefused(
            UserError,
            r"Fill in the checklist of .*Efficiency.*Carbon monoxide",
            self.visit.with_user(self.technician).action_done,
        )
        self.assertEqual(self.visit.state, "to_plan")
        self.assertFalse(self.visit.date_done)
        self.assertFalse(self.visit.report_document_id)

        self._fill(self.visit, self.technician)
        self.visit.with_user(self.technician).action_done()
        self.assertEqual(self.visit.state, "done")

    def test_technician_fills_own_checklist_not_another(self):
        other_visit = self._create_visit(self.other_technician, self.boiler)
        self._fill(self.visit, self.technician)
        self.assertTrue(self.visit.checklist_ids.is_complete)
        lines = self.env["service.intervention.checklist.line"].with_user(
            self.technician
        )
        self.assertEqual(
            lines.search([]).intervention_id, self.visit, "sees only their visits"
        )
        with self.assertRaises(AccessError):
            self._line(other_visit, "Carbon monoxide").with_user(self.technician).write(
                {"value_float": 10.0}
            )
        self.assertFalse(self._line(other_visit, "Carbon monoxide").measured)
        # The question itself is not theirs to change.
        self.assertRefused(
            UserError,
            "can only be changed by the actions",
            self._line(self.visit, "Carbon monoxide").with_user(self.technician).write,
            {"max_value": 500.0},
        )
        self.assertRefused(
            UserError,
            "can only be changed by the actions",
            self._line(self.visit, "Carbon monoxide").with_user(self.technician).write,
            {"out_of_range_notified": True},
        )

    def test_done_answers_are_frozen(self):
        self._fill(self.visit)
        self.visit.action_done()
        co = self._line(self.visit, "Carbon monoxide")
        for line in (co, co.sudo()):
            self.assertRefused(
                UserError,
                "checklists of done or cancelled visits cannot change",
                line.write,
                {"value_float": 10.0},
            )
        self.assertEqual(co.value_float, 30.0)
        self.assertRefused(
            UserError,
            "checklists of done or cancelled visits cannot change",
            self.visit.checklist_ids.unlink,
        )

    def test_visit_report_lists_the_checklist_per_equipment(self):
        self._fill(self.visit, co=120.0)
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "service_contract.action_report_intervention", self.visit.ids
        )
        text = html2plaintext(html.decode())
        self.assertIn("Checklists", text)
        self.assertIn("Gas boiler (SD-2019-0042)", text)
        self.assertIn("Carbon monoxide", text)
        self.assertRegex(text, r"120 ppm\W+\(out of range\)")
        self.assertIn("92.5 %", text)


@tagged("post_install", "-at_install")
class TestBoilerCertificate(ChecklistCase):
    def _render_certificate(self, visit):
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "service_contract.action_report_boiler_certificate", visit.ids
        )
        return html2plaintext(html.decode())

    def test_done_visit_stores_and_sends_the_certificate(self):
        self.customer.email = "lac@example.com"
        self._fill(self.visit, self.technician)
        self.assertTrue(self.visit.certificate_required)
        self.visit.with_user(self.technician).action_done()
        attachment = self.visit.certificate_document_id
        self.assertTrue(attachment)
        self.assertTrue(attachment.raw.startswith(b"%PDF"))
        self.assertTrue(self.visit.certificate_sent_date)
        message = self.visit.message_ids.filtered(
            lambda m: attachment in m.attachment_ids
        )
        self.assertEqual(len(message), 1, "sent to the customer once")
        self.assertIn(self.customer, message.partner_ids)
        self.assertIn("Boiler maintenance certificate", message.subject)

    def test_visit_without_boiler_has_no_certificate(self):
        lift = self.env["service.equipment"].create(
            {
                "name": "Lift",
                "partner_id": self.customer.id,
                "site_id": self.site_a.id,
                "category_id": self.env["service.equipment.category"]
                .create({"name": "Lifts", "regulation": "lift"})
                .id,
            }
        )
        visit = self._create_visit(self.technician, lift)
        visit.action_done()
        self.assertFalse(visit.certificate_required)
        self.assertFalse(visit.certificate_document_id)

    def test_certificate_contains_what_the_law_requires(self):
        self.site_a.write({"zip": "74000"})
        self._fill(self.visit, co=38.0)
        with lifecycle_write():
            self.visit.date_done = fields.Datetime.to_datetime("2026-10-02 09:30:00")
        text = self._render_certificate(self.visit)
        for expected in (
            "Boiler maintenance certificate",
            "arrêté du 15 septembre 2009",
            # The maintenance company.
            self.company.name,
            "5 rue des Chauffagistes",
            "SIRET: 123 456 789 00011",
            "VAT: FR40123456789",
            # The customer and the site.
            "Résidence du Lac",
            "Building A",
            "1 quai du Lac",
            # The boiler.
            "Gas boilers",
            "Saunier Duval",
            "ThemaPlus Condens",
            "SD-2019-0042",
            # The visit.
            "10/02/2026",
            "Théo Technician",
            # The checks and the measures.
            "Burner cleaned",
            "Efficiency of the boiler",
            "92.5 %",
            "Carbon monoxide (CO) content",
            "38 ppm",
            "Emission class (NOx)",
            "Bleed the radiators before winter",
        ):
            self.assertIn(expected, text)

    def test_certificate_late_alert_fires_once(self):
        self._fill(self.visit)
        self.visit.action_done()
        today = self.company._service_today()
        Contract = self.env["service.contract"]
        Alert = self.env["service.contract.alert"]
        alert_id = self.visit.id * 10 + 8
        activity_type = self.env.ref(
            "service_contract.mail_activity_type_certificate_late"
        )
        # Not sent (say the email bounced), 10 days ago: not late yet.
        with lifecycle_write():
            self.visit.write(
                {
                    "certificate_sent_date": False,
                    "date_done": fields.Datetime.now() - timedelta(days=10),
                }
            )
        self.env.flush_all()
        self.assertEqual(Contract._cron_certificate_late(today), 0)
        self.assertFalse(Alert.search([("id", "=", alert_id)]))
        # 20 days ago: late.
        with lifecycle_write():
            self.visit.date_done = fields.Datetime.now() - timedelta(days=20)
        self.env.flush_all()
        alert = Alert.search([("intervention_id", "=", self.visit.id)])
        self.assertEqual(alert.id, alert_id)
        self.assertEqual(alert.kind, "certificate_late")
        self.assertEqual(alert.user_id, self.responsible)
        self.assertEqual(Contract._cron_certificate_late(today), 1)
        activities = self.visit.activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type
        )
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.responsible)
        # The next day: nothing more.
        self.assertEqual(Contract._cron_certificate_late(today + timedelta(days=1)), 0)
        self.assertEqual(
            len(
                self.visit.activity_ids.filtered(
                    lambda a: a.activity_type_id == activity_type
                )
            ),
            1,
        )
        # Sent at last: the alert goes.
        self.visit._mark_certificate_sent()
        self.env.flush_all()
        self.assertFalse(Alert.search([("id", "=", alert_id)]))

    def test_certificate_fields_are_not_written_directly(self):
        self.assertRefused(
            UserError,
            "can only be changed by the actions",
            self.visit.write,
            {"certificate_sent_date": fields.Datetime.now()},
        )


@tagged("post_install", "-at_install")
class TestLiftLogbook(ChecklistCase):
    def test_logbook_lists_the_visits_of_the_year_and_their_checks(self):
        template = self.env["service.checklist.template"].create(
            {
                "name": "Lift monthly service",
                "item_ids": [
                    Command.create({"name": "Doors and locks checked"}),
                    Command.create(
                        {
                            "name": "Brake test",
                            "kind": "choice",
                            "choice_options": "OK, Not OK",
                        }
                    ),
                ],
            }
        )
        lift = self.env["service.equipment"].create(
            {
                "name": "Lift A",
                "partner_id": self.customer.id,
                "site_id": self.site_a.id,
                "brand": "Otis",
                "serial_number": "OT-77",
                "category_id": self.env["service.equipment.category"]
                .create(
                    {
                        "name": "Lifts",
                        "regulation": "lift",
                        "checklist_template_id": template.id,
                    }
                )
                .id,
            }
        )
        visits = self.env["service.intervention"]
        for done_on, brake in (
            ("2025-12-15 10:00:00", "Not OK"),
            ("2026-03-10 10:00:00", "OK"),
            ("2026-09-08 10:00:00", "OK"),
        ):
            visit = self._create_visit(self.technician, lift)
            for line in visit.checklist_line_ids:
                line.write(
                    {"value_bool": True}
                    if line.kind == "check"
                    else {"value_choice": brake}
                )
            visit.action_done()
            with lifecycle_write():
                visit.date_done = fields.Datetime.to_datetime(done_on)
            visits |= visit
        action = lift.with_context(discard_logo_check=True).action_print_logbook(2026)
        self.assertEqual(action["data"], {"year": 2026})
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "service_contract.action_report_lift_logbook", lift.ids, data={"year": 2026}
        )
        text = html2plaintext(html.decode())
        self.assertIn("Lift maintenance logbook 2026", text)
        self.assertIn("OT-77", text)
        self.assertNotIn(visits[0].name, text)
        self.assertIn(visits[1].name, text)
        self.assertIn(visits[2].name, text)
        self.assertIn("Doors and locks checked", text)
        self.assertIn("Brake test", text)

    def test_logbook_is_for_lifts_only(self):
        self.assertRefused(
            UserError, "for lifts only", self.boiler.action_print_logbook, 2026
        )

    def test_logbook_wizard_prints_the_chosen_year(self):
        lift_category = self.env["service.equipment.category"].create(
            {"name": "Lifts", "regulation": "lift"}
        )
        lift = self.env["service.equipment"].create(
            {
                "name": "Lift",
                "partner_id": self.customer.id,
                "category_id": lift_category.id,
            }
        )
        wizard = (
            self.env["service.equipment.logbook.wizard"]
            .with_context(**lift.action_open_logbook_wizard()["context"])
            .create({"year": 2025})
        )
        self.assertEqual(wizard.equipment_ids, lift)
        self.assertEqual(
            wizard.with_context(discard_logo_check=True).action_print()["data"],
            {"year": 2025},
        )
