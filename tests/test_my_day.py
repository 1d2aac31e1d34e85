from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import ServiceContractCase

PLAN_ALERT = "service_contract.mail_activity_type_visit_to_plan"
LATE_ALERT = "service_contract.mail_activity_type_visit_late"


@tagged("post_install", "-at_install")
class TestMyDay(ServiceContractCase):
    """The technician's day: the alerts on a visit close when they no longer
    apply; today's visits are the company's day, with where to go and whom to
    call."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.service_planning_horizon = 30
        cls.technician = new_test_user(
            cls.env,
            login="sc_day_technician",
            groups="base.group_user,service_contract.group_service_contract_technician",
        )
        cls.planner = new_test_user(
            cls.env,
            login="sc_day_planner",
            groups="base.group_user,service_contract.group_service_contract_user",
        )
        cls.template.write(
            {
                "visit_plan_ids": [
                    Command.create(
                        {
                            "name": "Boiler service",
                            "frequency_type": "count",
                            "count_per_year": 4,
                            "days_early": 10,
                            "days_late": 20,
                            "duration": 1.5,
                            "report_required": False,
                            "signature_required": False,
                        }
                    )
                ]
            }
        )

    def _running(self, date_start):
        contract = self._create_contract(
            date_start=date_start,
            duration=1,
            notice_period=1,
            technician_id=self.technician.id,
            user_id=self.planner.id,
            site_ids=[Command.set(self.site_a.ids)],
        )
        contract.action_sign()
        return contract

    def _alerts(self, visit, xmlid):
        return visit.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref(xmlid)
        )

    def test_plan_alert_is_done_when_the_planner_plans_the_visit(self):
        contract = self._running(date(2026, 4, 10))
        self.env["service.contract"]._cron_generate_interventions(
            today=date(2026, 4, 5)
        )
        visit = contract.intervention_ids
        self.env["service.contract"]._cron_alerts(today=date(2026, 4, 5))
        self.assertEqual(len(self._alerts(visit, PLAN_ALERT)), 1)
        planned = visit.with_user(self.planner)
        planned.write({"date_planned_start": datetime(2026, 4, 9, 8, 0)})
        planned.action_plan()
        self.assertEqual(visit.state, "planned")
        self.assertFalse(self._alerts(visit, PLAN_ALERT), "the alert is done")
        self.assertTrue(
            any("Visit to plan done" in p for p in visit.message_ids.mapped("preview")),
            "marked as done in the chatter, not deleted silently",
        )

    def test_plan_alert_is_done_when_the_visit_is_moved_in_the_calendar(self):
        contract = self._running(date(2026, 4, 10))
        self.env["service.contract"]._cron_generate_interventions(
            today=date(2026, 4, 5)
        )
        visit = contract.intervention_ids
        self.env["service.contract"]._cron_alerts(today=date(2026, 4, 5))
        visit.with_user(self.technician).date_calendar = datetime(2026, 4, 9, 8, 0)
        self.assertEqual(visit.state, "planned")
        self.assertFalse(self._alerts(visit, PLAN_ALERT))

    def test_no_plan_alert_on_a_corrective_visit(self):
        contract = self._running(date(2026, 1, 10))
        corrective = self.env["service.intervention"].create(
            {
                "contract_id": contract.id,
                "kind": "corrective",
                "description": "Noisy boiler",
                "date_due": date(2026, 4, 5),
                "date_window_start": date(2026, 4, 1),
                "date_window_end": date(2026, 4, 15),
            }
        )
        self.env["service.contract"]._cron_alerts(today=date(2026, 4, 5))
        self.assertFalse(self._alerts(corrective, PLAN_ALERT))

    def test_late_alert_is_done_when_the_technician_marks_the_visit_done(self):
        contract = self._running(date(2026, 1, 10))
        self.env["service.contract"]._cron_generate_interventions(
            today=date(2026, 1, 10)
        )
        visit = contract.intervention_ids
        self.env["service.contract"]._cron_alerts(today=date(2026, 2, 15))
        self.assertEqual(len(self._alerts(visit, LATE_ALERT)), 1)
        visit.write(
            {
                "user_id": self.technician.id,
                "date_planned_start": datetime(2026, 2, 16, 8, 0),
            }
        )
        visit.action_plan()
        self.assertEqual(len(self._alerts(visit, LATE_ALERT)), 1, "still late")
        visit.with_user(self.technician).action_done()
        self.assertFalse(visit.activity_ids)

    def test_today_is_the_companys_day(self):
        """At 23:30 UTC on 6 December, it is already 7 December in Paris:
        the visits of the 7th (Paris time) are today's, in the order of
        their time, whatever the user's time zone."""
        self.company.partner_id.tz = "Europe/Paris"
        self.technician.tz = "America/New_York"
        contract = self._running(date(2026, 1, 10))
        Visit = self.env["service.intervention"]

        def visit(start):
            return Visit.create(
                {
                    "contract_id": contract.id,
                    "site_id": self.site_a.id,
                    "description": "Check",
                    "date_due": start.date(),
                    "user_id": self.technician.id,
                    "date_planned_start": start,
                    "date_planned_end": start + timedelta(hours=1),
                }
            )

        # UTC instants: 7 December 2026, 08:00 and 13:30 in Paris; the day
        # before at 22:00 and the day after at 00:30 in Paris.
        afternoon = visit(datetime(2026, 12, 7, 12, 30))
        morning = visit(datetime(2026, 12, 7, 7, 0))
        yesterday = visit(datetime(2026, 12, 6, 21, 0))
        tomorrow = visit(datetime(2026, 12, 7, 23, 30))
        with freeze_time(datetime(2026, 12, 6, 23, 30)):
            self.assertEqual(self.company._service_today(), date(2026, 12, 7))
            mine = Visit.with_user(self.technician).search(
                [("user_id", "=", self.technician.id), ("is_today", "=", True)],
                order="date_calendar",
            )
            self.assertEqual(mine, morning | afternoon)
            self.assertEqual(mine[0], morning)
            self.assertTrue(morning.is_today)
            self.assertFalse(yesterday.is_today or tomorrow.is_today)
            not_today = Visit.search(
                [("contract_id", "=", contract.id), ("is_today", "=", False)]
            )
            self.assertEqual(not_today, yesterday | tomorrow)
            upcoming = Visit.search(
                [("contract_id", "=", contract.id), ("is_upcoming", "=", True)]
            )
            self.assertEqual(upcoming, morning | afternoon | tomorrow)
        # The time in the technician's time zone.
        self.assertEqual(
            morning.with_user(self.technician)
            .with_context(tz="Europe/Paris")
            .planned_time_display,
            "08:00 - 09:00",
        )

    def test_card_shows_street_map_and_phone(self):
        contract = self._running(date(2026, 1, 10))
        self.site_a.write({"zip": "74000", "phone": False})
        contact = self.env["res.partner"].create(
            {
                "name": "Paul Gardien",
                "parent_id": self.customer.id,
                "phone": "0450000000",
            }
        )
        self.site_a.site_contact_id = contact
        visit = (
            self.env["service.intervention"]
            .create(
                {
                    "contract_id": contract.id,
                    "site_id": self.site_a.id,
                    "date_due": date(2026, 3, 1),
                    "user_id": self.technician.id,
                }
            )
            .with_user(self.technician)
        )
        self.assertEqual(visit.address_display, "1 quai du Lac, 74000 Annecy")
        self.assertEqual(
            visit.map_url,
            "https://www.openstreetmap.org/search?query=1+quai+du+Lac%2C+74000+Annecy",
        )
        self.assertEqual(visit.contact_id, contact)
        self.assertEqual(visit.contact_phone, "0450000000")
        # No site contact with a phone: the customer's phone.
        self.site_a.site_contact_id = False
        self.customer.phone = "0450111111"
        visit.invalidate_recordset()
        self.assertEqual(visit.contact_phone, "0450111111")
