from datetime import datetime, time, timedelta, timezone

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import html2plaintext


@tagged("post_install", "-at_install")
class TestServiceInterventionUi(HttpCase):
    """A planner drags an unplanned visit onto a day of the technician in the
    calendar; the technician carries it out: report, customer signature,
    done. The signed visit report (PDF) is attached to the intervention."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        # Only today's visit falls within the planning horizon (the next one
        # of four a year is due in three months).
        cls.env.company.service_planning_horizon = 30
        cls.technician = new_test_user(
            cls.env,
            login="tech",
            password="tech",
            name="SC Tour Technician",
            groups="base.group_user,service_contract.group_service_contract_technician",
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "SC Visit Customer",
                "is_company": True,
                "street": "10 rue des Visites",
                "city": "Grenoble",
            }
        )
        cls.site = cls.env["res.partner"].create(
            {
                "name": "SC Visit Boiler Room",
                "type": "site",
                "parent_id": cls.customer.id,
                "street": "12 rue des Visites",
                "city": "Grenoble",
            }
        )
        cls.template = cls.env["service.contract.template"].create(
            {
                "name": "SC Visit Template",
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
                "visit_plan_ids": [
                    Command.create(
                        {
                            "name": "SC Visit Boiler Service",
                            "frequency_type": "count",
                            "count_per_year": 4,
                            "per_site": True,
                            "duration": 1.5,
                            "signature_required": True,
                            "report_required": True,
                        }
                    )
                ],
            }
        )
        cls.contract = cls.env["service.contract"].create(
            {
                "partner_id": cls.customer.id,
                "template_id": cls.template.id,
                "date_start": fields.Date.context_today(cls.env.user),
                "technician_id": cls.technician.id,
                "site_ids": [Command.set(cls.site.ids)],
            }
        )
        cls.contract.action_sign()
        cls.contract._generate_interventions()
        cls.visit = cls.contract.intervention_ids
        # Marking the visit as done renders its report with wkhtmltopdf, which
        # would fetch the report's stylesheets from this test server: that
        # request would wait for the test cursor held by the very request
        # that runs wkhtmltopdf (a deadlock). Point wkhtmltopdf elsewhere: it
        # renders the PDF without the stylesheets.
        cls.env["ir.config_parameter"].sudo().set_param(
            "report.url", "file:///nonexistent-sc-report-url"
        )

    def _expected_slot(self):
        """The slot the planner tour drops the visit on, in UTC: 10:00 (the
        browser's local time) the day after the due date, or the due date
        itself when it is the last day of the week shown by the calendar."""
        lang = self.env["res.lang"]._lang_get(self.admin.lang or "en_US")
        week_start = int(lang.week_start)  # 1 = Monday ... 7 = Sunday
        last_day_of_week = (week_start - 2) % 7 + 1
        day = self.visit.date_due
        if day.isoweekday() != last_day_of_week:
            day += timedelta(days=1)
        # The browser is started by this process and shares its time zone
        # (UTC: Odoo sets TZ=UTC when it starts).
        local = datetime.combine(day, time(10, 0)).astimezone()
        return local.astimezone(timezone.utc).replace(tzinfo=None)

    def test_plan_in_calendar_then_carry_out_visit(self):
        visit = self.visit
        self.assertEqual(len(visit), 1, "one visit is due within the horizon")
        self.assertEqual(visit.state, "to_plan")
        self.assertEqual(visit.user_id, self.technician)
        self.assertEqual(visit.site_id, self.site)
        self.assertEqual(visit.date_due, self.contract.date_start)
        self.assertFalse(visit.date_planned_start)
        self.assertEqual(
            visit.date_calendar, datetime.combine(visit.date_due, time(8, 0))
        )
        self.assertTrue(visit.signature_required)
        self.assertTrue(visit.report_required)
        Attachment = self.env["ir.attachment"]
        pdf_domain = [
            ("res_model", "=", "service.intervention"),
            ("res_id", "=", visit.id),
            ("mimetype", "=", "application/pdf"),
        ]
        self.assertFalse(Attachment.search(pdf_domain))

        # The planner drags the visit to another slot of the calendar.
        self.start_tour("/odoo", "service_contract_planner_tour", login="admin")

        self.env.invalidate_all()
        slot = self._expected_slot()
        self.assertEqual(visit.state, "planned")
        self.assertEqual(visit.date_planned_start, slot)
        self.assertEqual(visit.date_planned_end, slot + timedelta(hours=1.5))
        self.assertEqual(visit.date_calendar, slot)
        self.assertEqual(visit.user_id, self.technician)

        # The technician starts it, writes the report, has it signed, done.
        self.start_tour("/odoo", "service_contract_technician_tour", login="tech")

        self.env.invalidate_all()
        self.assertEqual(visit.state, "done")
        self.assertTrue(visit.date_done)
        self.assertFalse(visit.date_started, "the clock is stopped")
        self.assertGreater(visit.duration_actual, 0.0)
        self.assertEqual(visit.date_planned_start, slot, "the plan is kept")
        self.assertIn(
            "Burner cleaned, flue checked", html2plaintext(visit.report or "")
        )
        self.assertEqual(visit.signed_by, "Jeanne Client")
        self.assertTrue(visit.signature)
        attachments = Attachment.search(pdf_domain)
        self.assertEqual(len(attachments), 1, "the visit report is attached once")
        self.assertEqual(attachments.name, f"{visit.name.replace('/', '-')}.pdf")
        self.assertTrue(attachments.raw.startswith(b"%PDF"))
