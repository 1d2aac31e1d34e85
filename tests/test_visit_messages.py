import re
from datetime import date, datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import (
    TACIT_TERMS,
    ConcurrencyCase,
    RpcMixin,
    ServiceContractCase,
    create_contract,
    create_customer_site,
    new_tour_user,
)

# The subjects of the four messages (English), to count what was sent.
APPOINTMENT = "Your visit on"
REMINDER = "Reminder: our visit tomorrow"
ON_WAY = "Our technician is on the way"
RATING = "How was our visit"


@tagged("post_install", "-at_install")
class TestVisitMessages(RpcMixin, ServiceContractCase, HttpCase):
    """Customers told: the appointment (confirm or another date on the
    portal), the reminder of the day before, 'on my way' and the rating;
    each message once, in the site contact's language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "Europe/Paris"
        cls.technician = new_tour_user(
            cls.env,
            "sc_msg_tech",
            "base.group_user,service_contract.group_service_contract_technician",
            name="Marc Tech",
        )
        cls.other_technician = new_tour_user(
            cls.env,
            "sc_msg_tech_other",
            "base.group_user,service_contract.group_service_contract_technician",
        )
        cls.planner = new_tour_user(
            cls.env, "sc_msg_planner", "service_contract.group_service_contract_user"
        )
        cls.contact = cls.env["res.partner"].create(
            {
                "name": "Claire Contact",
                "email": "claire@example.com",
                "parent_id": cls.customer.id,
                "type": "contact",
                "tz": "Europe/Paris",
            }
        )
        cls.site_a.site_contact_id = cls.contact
        cls.portal_user = new_tour_user(
            cls.env, "sc_msg_portal", "base.group_portal", partner_id=cls.contact.id
        )
        cls.contract = cls._create_running_contract(
            site_ids=[Command.set((cls.site_a | cls.site_b).ids)],
            user_id=cls.planner.id,
        )
        other_customer, cls.other_site = create_customer_site(
            cls.env, "Other Customer", "Other Site"
        )
        cls.other_contract = create_contract(
            cls.env,
            other_customer,
            template=cls.template,
            sign=True,
            date_start=date(2024, 3, 1),
            site_ids=[Command.set(cls.other_site.ids)],
        )

    def _visit(self, start, contract=None, site=None, user=None):
        """A planned visit of the technician at ``start`` (UTC)."""
        visit = self.env["service.intervention"].create(
            {
                "contract_id": (contract or self.contract).id,
                "site_id": (site or self.site_a).id,
                "date_due": start.date(),
                "description": "Boiler service",
                "user_id": (user or self.technician).id,
                "date_planned_start": start,
            }
        )
        visit.action_plan()
        return visit

    def _sent(self, visit, subject):
        return visit.message_ids.filtered(
            lambda m: m.subject and m.subject.startswith(subject)
        )

    # ------------------------------------------------------------------
    # The appointment
    # ------------------------------------------------------------------

    def test_planner_tells_the_site_contact_once(self):
        visit = self._visit(datetime(2026, 12, 14, 8, 0))  # 09:00 in Paris
        visit._on_planned_by_planner()
        message = self._sent(visit, APPOINTMENT)
        self.assertEqual(len(message), 1)
        self.assertEqual(message.partner_ids, self.contact)
        # 09:00 in Paris +- 2 hours, on the customer's day.
        self.assertIn("December 14, 2026", message.subject)
        self.assertIn("7:00", message.subject)
        self.assertIn("11:00", message.subject)
        self.assertIn(f"/my/interventions/{visit.id}", message.body)
        self.assertEqual(visit.appointment_state, "notified")
        self.assertTrue(visit.appointment_notified_at)
        # A second call, the button: nothing more.
        visit._on_planned_by_planner()
        visit.with_user(self.planner).action_notify_customer()
        self.assertEqual(len(self._sent(visit, APPOINTMENT)), 1)

    def test_arrival_window_is_a_company_setting(self):
        self.company.service_arrival_window = 1
        visit = self._visit(datetime(2026, 12, 14, 8, 0))
        visit.with_user(self.planner).action_notify_customer()
        self.assertIn("8:00", self._sent(visit, APPOINTMENT).subject)
        self.assertIn("10:00", self._sent(visit, APPOINTMENT).subject)
        self.assertRefused(
            ValidationError,
            "arrival window must be between 0 and 12 hours",
            self.company.write,
            {"service_arrival_window": 48},
        )
        self.assertEqual(self.company.service_arrival_window, 1)

    def test_new_date_tells_the_customer_again(self):
        visit = self._visit(datetime(2026, 12, 14, 8, 0))
        visit._on_planned_by_planner()
        visit.with_user(self.planner).action_customer_confirm()
        self.assertTrue(visit._planning_is_fixed(keep_planned=False))
        # The planner's calendar moves it: told again.
        visit.with_user(self.planner).date_calendar = datetime(2026, 12, 15, 8, 0)
        self.assertEqual(visit.appointment_state, "none")
        self.assertFalse(visit._planning_is_fixed(keep_planned=False))
        visit.with_user(self.planner).action_notify_customer()
        self.assertEqual(len(self._sent(visit, APPOINTMENT)), 2)
        self.assertIn("December 15, 2026", self._sent(visit, APPOINTMENT)[0].subject)

    def test_french_site_contact_gets_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["service_contract"], ["fr_FR"], overwrite=True
        )
        self.contact.lang = "fr_FR"
        visit = self._visit(datetime(2026, 12, 14, 8, 0))
        visit._on_planned_by_planner()
        visit.with_user(self.technician).action_on_my_way()
        subjects = visit.message_ids.mapped("subject")
        self.assertIn("Votre visite du lundi 14 décembre 2026, 07:00 - 11:00", subjects)
        self.assertIn("Notre technicien est en route", subjects)

    def test_sms_only_when_the_company_enables_it(self):
        """The SMS app is optional: without it (or the setting), email only."""
        self.contact.mobile = "+33 6 12 34 56 78"
        quiet = self._visit(datetime(2026, 12, 14, 8, 0))
        quiet._on_planned_by_planner()
        self.assertFalse(quiet.message_ids.filtered(lambda m: m.message_type == "sms"))
        if "sms.sms" not in self.env:
            self.skipTest("the SMS app is not installed")
        self.company.service_visit_sms = True
        visit = self._visit(datetime(2026, 12, 15, 8, 0))
        visit._on_planned_by_planner()
        visit._on_planned_by_planner()
        sms = self.env["sms.sms"].search([("partner_id", "=", self.contact.id)])
        self.assertEqual(len(sms), 1)
        self.assertIn(f"/my/interventions/{visit.id}", sms.body)
        self.assertEqual(sms.state, "outgoing")  # queued for the SMS app

    def test_not_planned_cannot_be_notified(self):
        visit = self.env["service.intervention"].create(
            {"contract_id": self.contract.id, "date_due": date(2026, 12, 14)}
        )
        self.assertRefused(
            UserError,
            "Only planned visits",
            visit.with_user(self.planner).action_notify_customer,
        )
        self.assertEqual(visit.appointment_state, "none")

    # ------------------------------------------------------------------
    # The reminder of the day before
    # ------------------------------------------------------------------

    def test_reminder_cron_sends_tomorrow_in_the_company_day(self):
        """Auckland is 13 hours ahead: at 12:00 UTC on December 7 it is
        already December 8 there, so tomorrow is December 9 (local)."""
        self.company.partner_id.tz = "Pacific/Auckland"
        tomorrow_local = self._visit(datetime(2026, 12, 8, 20, 0))  # Dec 9 09:00
        tomorrow_utc = self._visit(datetime(2026, 12, 8, 9, 0))  # Dec 8 22:00
        later = self._visit(datetime(2026, 12, 9, 20, 0))  # Dec 10 09:00
        cron = self.env.ref("service_contract.ir_cron_visit_reminders")
        for _run in range(2):
            with freeze_time("2026-12-07 12:00:00"):
                self.assertTrue(cron.method_direct_trigger())
        self.assertEqual(len(self._sent(tomorrow_local, REMINDER)), 1)
        self.assertEqual(self._sent(tomorrow_local, REMINDER).partner_ids, self.contact)
        self.assertEqual(tomorrow_local.reminder_sent_at, datetime(2026, 12, 7, 12, 0))
        self.assertFalse(self._sent(tomorrow_utc, REMINDER))
        self.assertFalse(self._sent(later, REMINDER))
        self.assertFalse(tomorrow_utc.reminder_sent_at or later.reminder_sent_at)

    def test_reminder_cron_one_broken_visit_never_stops_the_others(self):
        good = self._visit(datetime(2026, 12, 15, 8, 0))
        other_contract = self._create_running_contract(
            site_ids=[Command.set(self.site_b.ids)], user_id=self.planner.id
        )
        broken = self._visit(
            datetime(2026, 12, 15, 9, 0), contract=other_contract, site=self.site_b
        )
        model_class = type(self.env["service.intervention"])
        original = model_class._send_visit_reminder

        def fail_on_broken(records):
            if records & broken:
                raise KeyError("broken data")
            return original(records)

        with (
            patch.object(model_class, "_send_visit_reminder", fail_on_broken),
            freeze_time("2026-12-14 12:00:00"),
            self.assertLogs("odoo.addons.service_contract", level="WARNING"),
        ):
            self.env["service.contract"]._cron_visit_reminders()
        self.assertEqual(len(self._sent(good, REMINDER)), 1)
        self.assertFalse(broken.reminder_sent_at)
        activity = other_contract.activity_ids.filtered(
            lambda a: a.summary == "Reminders of tomorrow's visits failed"
        )
        self.assertEqual(len(activity), 1)
        self.assertIn("broken data", activity.note)

    # ------------------------------------------------------------------
    # On my way
    # ------------------------------------------------------------------

    def test_on_my_way_by_the_technician_only_once(self):
        visit = self._visit(datetime(2026, 12, 14, 8, 0))
        for user in (self.other_technician, self.planner):
            self.assertRefused(
                (AccessError, UserError),
                "technician|not allowed|access",
                visit.with_user(user).action_on_my_way,
            )
        self.assertFalse(visit.on_way_sent_at)
        visit.with_user(self.technician).action_on_my_way()
        visit.with_user(self.technician).action_on_my_way()
        self.assertEqual(len(self._sent(visit, ON_WAY)), 1)
        self.assertTrue(visit.on_way_sent_at)

    # ------------------------------------------------------------------
    # Rating
    # ------------------------------------------------------------------

    def test_rating_five_shows_on_the_visit_and_the_contract(self):
        # A second visit of the contract, not rated: the average is of the
        # rated ones (and a contract of several visits computes it).
        self._visit(datetime(2026, 12, 15, 8, 0))
        visit = self._visit(datetime(2026, 12, 14, 8, 0))
        visit.with_user(self.technician).action_done()
        self.assertEqual(len(self._sent(visit, RATING)), 1)
        visit._send_rating_request()
        self.assertEqual(len(self._sent(visit, RATING)), 1)
        rating = visit.rating_ids
        self.assertEqual(rating.partner_id, self.contact)
        self.assertIn(f"/rate/{rating.access_token}/5", self._sent(visit, RATING).body)
        self.env.flush_all()
        page = self.url_open(f"/rate/{rating.access_token}/5")
        self.assertEqual(page.status_code, 200)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(
            f"/rate/{rating.access_token}/submit_feedback",
            data={"rate": 5, "csrf_token": csrf, "feedback": "Very clean work"},
        )
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()
        self.assertEqual(visit.rating_last_value, 5)
        self.assertEqual(self.contract.visit_rating_avg, 5)
        self.assertEqual(self.contract.visit_rating_count, 1)

    # ------------------------------------------------------------------
    # Portal
    # ------------------------------------------------------------------

    def _csrf(self, url):
        self.env.flush_all()
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200, url)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def _post(self, url, **data):
        self.env.flush_all()
        response = self.url_open(url, data=data, allow_redirects=False)
        self.env.invalidate_all()
        return response

    def test_portal_confirm(self):
        visit = self._visit(datetime(2026, 12, 14, 8, 0))
        visit._on_planned_by_planner()
        self.authenticate(self.portal_user.login, self.portal_user.login)
        # The list of the customer's visits opens the visit's page.
        listing = self.url_open("/my/interventions").text
        self.assertIn(f'href="/my/interventions/{visit.id}"', listing)
        contract_page = self.url_open(f"/my/contracts/{self.contract.id}").text
        self.assertIn(f'href="/my/interventions/{visit.id}"', contract_page)
        csrf = self._csrf(f"/my/interventions/{visit.id}")
        page = self.url_open(f"/my/interventions/{visit.id}").text
        self.assertIn("Confirm this date", page)
        self.assertIn("Ask for another date", page)
        response = self._post(f"/my/interventions/{visit.id}/confirm", csrf_token=csrf)
        self.assertEqual(response.status_code, 303)
        self.assertEqual(visit.appointment_state, "confirmed")
        self.assertTrue(visit._planning_is_fixed(keep_planned=False))
        page = self.url_open(f"/my/interventions/{visit.id}?message=confirmed").text
        self.assertIn("the date of the visit is confirmed", page)

    def test_portal_reschedule_returns_the_visit_to_planning(self):
        visit = self._visit(datetime(2026, 12, 14, 8, 0))
        visit._on_planned_by_planner()
        self.authenticate(self.portal_user.login, self.portal_user.login)
        csrf = self._csrf(f"/my/interventions/{visit.id}")
        response = self._post(
            f"/my/interventions/{visit.id}/reschedule",
            csrf_token=csrf,
            note="Not on Monday, Tuesday morning is fine",
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(visit.state, "to_plan")
        self.assertFalse(visit.date_planned_start or visit.date_planned_end)
        self.assertEqual(visit.user_id, self.technician)  # kept as a suggestion
        self.assertEqual(visit.appointment_state, "reschedule_requested")
        self.assertEqual(
            visit.reschedule_note, "Not on Monday, Tuesday morning is fine"
        )
        self.assertFalse(visit._planning_is_fixed(keep_planned=True))
        activity = visit.activity_ids.filtered(
            lambda a: a.summary == "Customer asks for another date"
        )
        self.assertEqual(activity.user_id, self.planner)
        self.assertIn("Tuesday morning", activity.note)
        self.assertTrue(
            visit.message_ids.filtered(lambda m: "Tuesday morning" in (m.body or ""))
        )
        # Planned again: the new date is told, the request is over.
        visit.write({"date_planned_start": datetime(2026, 12, 15, 8, 0)})
        visit.action_plan()
        visit._on_planned_by_planner()
        self.assertEqual(visit.appointment_state, "notified")

    def test_portal_done_visit_cannot_be_rescheduled(self):
        visit = self._visit(datetime(2026, 12, 14, 8, 0))
        visit.action_done()
        planned = self._visit(datetime(2026, 12, 15, 8, 0))
        self.authenticate(self.portal_user.login, self.portal_user.login)
        page = self.url_open(f"/my/interventions/{visit.id}").text
        self.assertNotIn("/reschedule", page)  # no form on a done visit
        csrf = self._csrf(f"/my/interventions/{planned.id}")
        response = self._post(
            f"/my/interventions/{visit.id}/reschedule", csrf_token=csrf, note="Later"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Only planned visits can be moved to another date", response.text)
        self.assertEqual(visit.state, "done")
        self.assertEqual(visit.appointment_state, "none")

    @mute_logger("odoo.http")
    def test_portal_another_customer_gets_404_and_public_logs_in(self):
        mine = self._visit(datetime(2026, 12, 14, 8, 0))
        foreign = self._visit(
            datetime(2026, 12, 14, 8, 0),
            contract=self.other_contract,
            site=self.other_site,
        )
        self.authenticate(self.portal_user.login, self.portal_user.login)
        csrf = self._csrf(f"/my/interventions/{mine.id}")
        self.assertEqual(
            self.url_open(f"/my/interventions/{foreign.id}").status_code, 404
        )
        for action in ("confirm", "reschedule"):
            response = self._post(
                f"/my/interventions/{foreign.id}/{action}", csrf_token=csrf, note="x"
            )
            self.assertEqual(response.status_code, 404)
        self.assertEqual(foreign.state, "planned")
        self.assertEqual(foreign.appointment_state, "none")
        # Without the token, the form is refused.
        response = self._post(f"/my/interventions/{mine.id}/confirm", note="x")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(mine.appointment_state, "none")
        # A visitor who is not logged in is sent to the login page.
        self.authenticate(None, None)
        response = self.url_open(f"/my/interventions/{mine.id}", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])

    # ------------------------------------------------------------------
    # The appointment fields are the module's
    # ------------------------------------------------------------------

    @mute_logger("odoo.http")
    def test_rpc_cannot_write_the_appointment(self):
        visit = self._visit(datetime(2026, 12, 14, 8, 0))
        now = fields.Datetime.to_string(datetime(2026, 12, 13, 8, 0))
        attempts = {
            "appointment_state": "confirmed",
            "appointment_notified_at": now,
            "reminder_sent_at": now,
            "on_way_sent_at": now,
            "reschedule_note": "forged",
        }
        for user in (self.portal_user, self.technician, self.planner):
            for field, value in attempts.items():
                with self.subTest(user=user.login, field=field):
                    self.assertRpcRefused(
                        user,
                        "service.intervention",
                        "write",
                        [visit.id],
                        {field: value},
                    )
        self.assertRpcRefused(
            self.planner,
            "service.intervention",
            "create",
            {
                "contract_id": self.contract.id,
                "date_due": "2026-12-14",
                "appointment_state": "confirmed",
            },
        )
        # The customer's answers are the portal's: not a portal user's RPC.
        self.assertRpcRefused(
            self.portal_user,
            "service.intervention",
            "action_customer_confirm",
            [visit.id],
        )
        self.env.invalidate_all()
        self.assertEqual(visit.appointment_state, "none")
        self.assertFalse(visit.reminder_sent_at or visit.on_way_sent_at)
        self.assertFalse(visit.reschedule_note)


@tagged("post_install", "-at_install")
class TestConcurrentVisitReminders(ConcurrencyCase):
    """Two workers send the reminders of tomorrow's visits at the same time,
    each in its own transaction: each visit is reminded once. (One site
    contact per visit: mailing a partner writes its record.)"""

    batch_size_key = "service_contract.cron_batch_size"

    def _create_data(self, env):
        customers = env["res.partner"].create(
            [{"name": f"Concurrent site {i}", "is_company": True} for i in range(5)]
        )
        contacts = env["res.partner"].create(
            [
                {
                    "name": f"Concurrent contact {i}",
                    "email": f"site{i}@example.com",
                    "parent_id": customer.id,
                }
                for i, customer in enumerate(customers)
            ]
        )
        sites = env["res.partner"].create(
            [
                {
                    "name": f"Concurrent boiler room {i}",
                    "type": "site",
                    "parent_id": customer.id,
                    "site_contact_id": contact.id,
                }
                for i, (customer, contact) in enumerate(
                    zip(customers, contacts, strict=True)
                )
            ]
        )
        contracts = env["service.contract"].create(
            [
                {
                    "partner_id": site.parent_id.id,
                    "date_start": date(2024, 3, 1),
                    **TACIT_TERMS,
                    "site_ids": [Command.set(site.ids)],
                    "line_ids": [Command.create({"name": "Service", "price_unit": 1})],
                }
                for site in sites
            ]
        )
        contracts.action_sign()
        visits = env["service.intervention"].create(
            [
                {
                    "contract_id": contract.id,
                    "site_id": contract.site_ids.id,
                    "date_due": date(2026, 12, 15),
                    "user_id": env.user.id,
                    "date_planned_start": datetime(2026, 12, 15, 9, 0),
                }
                for contract in contracts
            ]
        )
        visits.action_plan()
        self.visit_ids = visits.ids
        return {
            "service.contract": contracts.ids,
            "res.partner": (sites | contacts | customers).ids,
        }

    def _remove_contract_data(self, contracts):
        visits = contracts.env["service.intervention"].browse(self.visit_ids)
        visits.message_ids.unlink()
        visits.rating_ids.unlink()
        visits.unlink()

    @mute_logger("odoo.sql_db")
    def test_each_visit_reminded_once(self):
        # A worker whose snapshot predates the other's commit is refused on
        # a serialization failure when it locks an updated visit; Odoo runs
        # the scheduled action again, as retry does.
        results = self._run_cron_twice(
            lambda env: env["service.contract"]._cron_visit_reminders(
                today=date(2026, 12, 14)
            ),
            retry=True,
        )
        self.assertEqual(sum(results), 5)
        with self.registry.cursor() as cr:
            visits = self._env(cr)["service.intervention"].browse(self.visit_ids)
            for visit in visits:
                reminders = visit.message_ids.filtered(
                    lambda m: (m.subject or "").startswith(REMINDER)
                )
                self.assertEqual(len(reminders), 1)
                self.assertTrue(visit.reminder_sent_at)
