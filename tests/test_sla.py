import base64
from datetime import date, datetime, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import format_datetime

from .common import ServiceContractCase

# Friday 9 January 2026, 16:00 in Paris (15:00 UTC).
FRIDAY_4PM = datetime(2026, 1, 9, 15, 0)


@tagged("post_install", "-at_install")
class SlaCase(ServiceContractCase):
    """A company working 8-12 and 13-17 Monday to Friday in Paris, a
    running contract promising an answer within 8 business hours."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "SC 8-12 13-17",
                "tz": "Europe/Paris",
                "company_id": cls.company.id,
                "attendance_ids": [
                    Command.create(
                        {
                            "name": f"Day {day} {period}",
                            "dayofweek": str(day),
                            "hour_from": hour_from,
                            "hour_to": hour_to,
                            "day_period": period,
                        }
                    )
                    for day in range(5)
                    for hour_from, hour_to, period in (
                        (8, 12, "morning"),
                        (13, 17, "afternoon"),
                    )
                ],
            }
        )
        cls.company.resource_calendar_id = cls.calendar
        cls.company.partner_id.tz = "Europe/Paris"
        cls.responsible = new_test_user(
            cls.env,
            login="sc_sla_responsible",
            groups="base.group_user,service_contract.group_service_contract_user",
        )
        cls.contract = cls._create_contract(
            response_time_hours=8,
            response_business_hours=True,
            site_ids=[Command.set((cls.site_a | cls.site_b).ids)],
            user_id=cls.responsible.id,
        )
        cls.contract.action_sign()
        cls.boiler = cls.env["service.equipment"].create(
            {
                "name": "Boiler A1",
                "partner_id": cls.customer.id,
                "site_id": cls.site_a.id,
            }
        )

    def _breakdown(self, reported=FRIDAY_4PM, contract=None, **values):
        return self.env["service.intervention"].create(
            {
                "contract_id": (contract or self.contract).id,
                "site_id": self.site_a.id,
                "date_due": reported.date(),
                "date_reported": reported,
                "description": "Boiler off",
                **values,
            }
        )


@tagged("post_install", "-at_install")
class TestResponseDeadline(SlaCase):
    def test_business_hours_skip_the_weekend(self):
        """Friday 16:00 + 8 business hours: 1 h on Friday, 4 h on Monday
        morning, 3 h after lunch: Monday 16:00 (Paris)."""
        breakdown = self._breakdown()
        self.assertEqual(breakdown.response_time_hours, 8)
        self.assertEqual(breakdown.date_response_deadline, datetime(2026, 1, 12, 15, 0))

    def test_public_holiday_pushes_the_deadline_a_day(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": self.calendar.id,
                "date_from": datetime(2026, 1, 11, 23, 0),
                "date_to": datetime(2026, 1, 12, 22, 59, 59),
                "time_type": "leave",
            }
        )
        breakdown = self._breakdown()
        self.assertEqual(breakdown.date_response_deadline, datetime(2026, 1, 13, 15, 0))

    def test_around_the_clock(self):
        contract = self._create_running_contract(response_time_hours=8)
        breakdown = self._breakdown(contract=contract, site_id=False)
        # Friday 16:00 + 8 h = Saturday 00:00 in Paris.
        self.assertEqual(breakdown.date_response_deadline, datetime(2026, 1, 9, 23, 0))

    def test_service_line_overrides_the_contract(self):
        """The call-out service promises 4 business hours: Monday 11:00."""
        contract = self._create_contract(
            response_time_hours=8,
            response_business_hours=True,
            line_ids=[
                Command.create(
                    {
                        "name": "Call-out cover",
                        "price_unit": 60,
                        "response_time_hours": 4,
                    }
                )
            ],
        )
        contract.action_sign()
        line = contract.line_ids.filtered(lambda line: line.response_time_hours == 4)
        breakdown = self._breakdown(contract=contract, site_id=False)
        self.assertEqual(breakdown.date_response_deadline, datetime(2026, 1, 12, 15, 0))
        breakdown.service_line_id = line
        self.assertEqual(breakdown.response_time_hours, 4)
        self.assertEqual(breakdown.date_response_deadline, datetime(2026, 1, 12, 10, 0))

    def test_no_commitment_no_deadline(self):
        contract = self._create_running_contract()
        self.assertEqual(contract.response_time_hours, 0)
        breakdown = self._breakdown(contract=contract, site_id=False)
        self.assertFalse(breakdown.date_response_deadline)
        self.assertEqual(breakdown.response_state, "none")

    def test_preventive_visits_have_no_response_deadline(self):
        visit = self.env["service.intervention"].create(
            {
                "contract_id": self.contract.id,
                "kind": "preventive",
                "date_due": date(2026, 1, 9),
            }
        )
        self.assertFalse(visit.date_reported)
        self.assertFalse(visit.date_response_deadline)
        corrective = self.env["service.intervention"].create(
            {"contract_id": self.contract.id, "date_due": date(2026, 1, 9)}
        )
        self.assertTrue(corrective.date_reported, "reported now by default")
        self.assertTrue(corrective.date_response_deadline)

    def test_template_terms_are_copied_and_frozen_at_signature(self):
        self.template.write(
            {
                "response_time_hours": 4,
                "response_business_hours": True,
                "line_ids": [
                    Command.create({"name": "Urgent", "response_time_hours": 2})
                ],
            }
        )
        contract = self._create_contract()
        self.assertEqual(contract.response_time_hours, 4)
        self.assertTrue(contract.response_business_hours)
        self.assertEqual(
            contract.line_ids.filtered(
                lambda line: line.name == "Urgent"
            ).response_time_hours,
            2,
        )
        contract.response_time_hours = 6  # still a draft: negotiable
        contract.action_sign()
        self.assertRefused(
            UserError, "Response Time", contract.write, {"response_time_hours": 24}
        )
        self.assertRefused(
            UserError,
            "Business Hours",
            contract.write,
            {"response_business_hours": False},
        )
        self.assertEqual(contract.response_time_hours, 6)

    def test_negative_response_time_is_refused(self):
        self.assertRefused(
            ValidationError,
            "cannot be negative",
            self._create_contract,
            response_time_hours=-1,
        )


@tagged("post_install", "-at_install")
class TestResponse(SlaCase):
    def test_answered_when_the_technician_starts(self):
        breakdown = self._breakdown()
        breakdown.write(
            {
                "user_id": self.env.user.id,
                "date_planned_start": datetime(2026, 1, 12, 8, 0),
            }
        )
        breakdown.action_plan()
        with self.freeze("2026-01-12 09:00:00"):
            breakdown.action_start()
        self.assertEqual(breakdown.date_responded, datetime(2026, 1, 12, 9, 0))
        self.assertFalse(breakdown.response_breached)
        self.assertEqual(breakdown.response_state, "met")
        with self.freeze("2026-01-12 17:00:00"):
            breakdown.action_done()
        self.assertEqual(
            breakdown.date_responded, datetime(2026, 1, 12, 9, 0), "first answer kept"
        )

    def test_answered_late_is_a_breach(self):
        breakdown = self._breakdown()
        with self.freeze("2026-01-13 10:00:00"):
            breakdown.action_done()
        self.assertEqual(breakdown.date_responded, datetime(2026, 1, 13, 10, 0))
        self.assertTrue(breakdown.response_breached)
        self.assertEqual(self.contract.response_breach_count, 1)

    def test_clients_cannot_forge_the_answer(self):
        breakdown = self._breakdown()
        for vals in (
            {"date_responded": FRIDAY_4PM},
            {"response_breached": False},
            {"response_alert_sent": "breached"},
        ):
            self.assertRefused(UserError, ".", breakdown.write, vals)

    def freeze(self, when):
        from freezegun import freeze_time

        return freeze_time(when)


@tagged("post_install", "-at_install")
class TestResponseAlerts(SlaCase):
    def _activities(self, breakdown, xmlid):
        return breakdown.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref(xmlid)
        )

    def test_one_activity_when_near_one_when_breached_counted_once(self):
        """8 h around the clock from Friday 15:00 UTC: due 23:00; near at
        21:00 (75% elapsed, and 2 h left)."""
        contract = self._create_running_contract(
            response_time_hours=8, user_id=self.responsible.id
        )
        breakdown = self._breakdown(contract=contract, site_id=False)
        Contract = self.env["service.contract"]
        near = "service_contract.mail_activity_type_response_near"
        breached = "service_contract.mail_activity_type_response_breached"

        self.assertEqual(
            Contract._cron_response_deadlines(datetime(2026, 1, 9, 20, 0)), 0
        )
        self.assertFalse(breakdown.activity_ids)

        for _run in range(2):
            Contract._cron_response_deadlines(datetime(2026, 1, 9, 21, 30))
        self.assertEqual(len(self._activities(breakdown, near)), 1)
        self.assertEqual(self._activities(breakdown, near).user_id, self.responsible)
        self.assertFalse(breakdown.response_breached)

        for _run in range(2):
            Contract._cron_response_deadlines(datetime(2026, 1, 9, 23, 30))
        self.assertEqual(len(self._activities(breakdown, near)), 1)
        self.assertEqual(len(self._activities(breakdown, breached)), 1)
        self.assertTrue(breakdown.response_breached)
        self.assertEqual(breakdown.response_state, "breached")

        # Answered later: still one breach, in the contract and the report.
        with self._freeze("2026-01-10 08:00:00"):
            breakdown.action_done()
        Contract._cron_response_deadlines(datetime(2026, 1, 10, 9, 0))
        self.assertTrue(breakdown.response_breached)
        self.assertEqual(contract.response_breach_count, 1)
        self.env.flush_all()
        Report = self.env["service.contract.profitability.report"]
        rows = Report._read_group(
            [("contract_id", "=", contract.id)], [], ["response_breaches:sum"]
        )
        self.assertEqual(rows[0][0], 1)

    def test_breach_without_answer_is_in_the_report(self):
        contract = self._create_running_contract(response_time_hours=8)
        breakdown = self._breakdown(contract=contract, site_id=False)
        self.env["service.contract"]._cron_response_deadlines(
            datetime(2026, 1, 10, 9, 0)
        )
        self.assertTrue(breakdown.response_breached)
        self.env.flush_all()
        rows = self.env["service.contract.profitability.report"].search(
            [("contract_id", "=", contract.id), ("response_breaches", ">", 0)]
        )
        self.assertEqual(rows.intervention_id, breakdown)
        self.assertEqual(rows.cost_total, 0)
        # The deadline, Friday 23:00 UTC, is Saturday in Paris.
        self.assertEqual(rows.date, date(2026, 1, 10))

    def test_skipped_warning_gives_the_breach_only(self):
        contract = self._create_running_contract(response_time_hours=8)
        breakdown = self._breakdown(contract=contract, site_id=False)
        self.env["service.contract"]._cron_response_deadlines(
            datetime(2026, 1, 12, 9, 0)
        )
        self.assertEqual(breakdown.response_alert_sent, "breached")
        self.assertEqual(len(breakdown.activity_ids), 1)

    def test_a_failing_breakdown_does_not_stop_the_others(self):
        contract = self._create_running_contract(response_time_hours=8)
        good = self._breakdown(contract=contract, site_id=False)
        bad = self._breakdown(contract=contract, site_id=False)
        Intervention = type(self.env["service.intervention"])
        original = Intervention._raise_response_alert

        def raise_alert(records, level):
            if bad in records:
                raise UserError(self.env._("No technician today"))
            return original(records, level)

        with self._patch(Intervention, "_raise_response_alert", raise_alert):
            self.env["service.contract"]._cron_response_deadlines(
                datetime(2026, 1, 12, 9, 0)
            )
        self.assertTrue(good.response_breached)
        self.assertFalse(bad.response_breached)
        self.assertIn(
            "response deadlines failed",
            " ".join(contract.activity_ids.mapped("summary")),
        )

    def test_alerts_list(self):
        """Reported 7 h ago with 8 h around the clock: the deadline is near;
        reported now: not yet; answered: never."""
        contract = self._create_running_contract(response_time_hours=8)
        now = fields.Datetime.now().replace(microsecond=0)
        near = self._breakdown(
            now - timedelta(hours=7), contract=contract, site_id=False
        )
        fresh = self._breakdown(now, contract=contract, site_id=False)
        late = self._breakdown(
            now - timedelta(hours=9), contract=contract, site_id=False
        )
        answered = self._breakdown(
            now - timedelta(hours=9), contract=contract, site_id=False
        )
        answered.action_done()
        self.env.flush_all()
        alerts = self.env["service.contract.alert"].search(
            [("kind", "=", "response_deadline"), ("contract_id", "=", contract.id)]
        )
        self.assertEqual(alerts.intervention_id, near | late)
        self.assertEqual(
            sorted(alerts.ids), sorted([near.id * 10 + 9, late.id * 10 + 9])
        )
        self.assertNotIn(fresh, alerts.intervention_id)
        self.assertTrue(alerts[0].action)

    def _freeze(self, when):
        from freezegun import freeze_time

        return freeze_time(when)

    def _patch(self, cls, name, func):
        from unittest.mock import patch

        return patch.object(cls, name, func)


@tagged("post_install", "-at_install")
class TestBackOfficeBreakdown(SlaCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.email = "lac@example.com"
        cls.company.email = "service@example.com"
        cls.technician = new_test_user(
            cls.env,
            login="sc_sla_technician",
            groups="base.group_user,service_contract.group_service_contract_technician",
        )

    def _wizard(self, user, **values):
        action = self.contract.with_user(user).action_report_breakdown()
        return (
            self.env["service.breakdown.report"]
            .with_user(user)
            .with_context(**action["context"])
            .create({"description": "The boiler is off", **values})
        )

    def test_contract_user_reports_a_breakdown(self):
        photo = (
            self.env["ir.attachment"]
            .with_user(self.responsible)
            .create({"name": "boiler.png", "datas": base64.b64encode(b"\x89PNG photo")})
        )
        wizard = self._wizard(
            self.responsible,
            site_id=self.site_a.id,
            equipment_ids=[Command.set(self.boiler.ids)],
            attachment_ids=[Command.set(photo.ids)],
            date_reported=FRIDAY_4PM,
        )
        self.assertEqual(wizard.contract_id, self.contract)
        action = wizard.action_confirm()
        breakdown = self.env["service.intervention"].browse(action["res_id"])
        self.assertEqual(breakdown.kind, "corrective")
        self.assertEqual(breakdown.state, "to_plan")
        self.assertEqual(breakdown.site_id, self.site_a)
        self.assertEqual(breakdown.equipment_ids, self.boiler)
        self.assertEqual(breakdown.description, "The boiler is off")
        self.assertEqual(breakdown.date_response_deadline, datetime(2026, 1, 12, 15, 0))
        files = self.env["ir.attachment"].search(
            [("res_model", "=", breakdown._name), ("res_id", "=", breakdown.id)]
        )
        self.assertEqual(files.mapped("name"), ["boiler.png"])
        activity = breakdown.activity_ids
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("service_contract.mail_activity_type_breakdown"),
        )
        self.assertEqual(activity.user_id, self.responsible)
        self.assertEqual(activity.date_deadline, date(2026, 1, 12))
        bodies = " ".join(breakdown.message_ids.mapped("body"))
        self.assertIn("Breakdown reported by", bodies)
        acknowledgment = breakdown.message_ids.filtered(
            lambda m: self.customer in m.partner_ids
        )
        self.assertEqual(len(acknowledgment), 1)
        self.assertIn(breakdown.name, acknowledgment.body)
        deadline = format_datetime(
            self.env,
            breakdown.date_response_deadline,
            tz="Europe/Paris",
            dt_format="short",
        )
        self.assertIn(deadline, acknowledgment.body)

    def test_from_the_equipment_and_the_customer(self):
        action = self.boiler.with_user(self.responsible).action_report_breakdown()
        wizard = (
            self.env["service.breakdown.report"]
            .with_user(self.responsible)
            .with_context(**action["context"])
            .create({"description": "Leak"})
        )
        self.assertEqual(wizard.site_id, self.site_a)
        self.assertEqual(wizard.contract_id, self.contract)
        action = self.site_b.with_user(self.responsible).action_report_breakdown()
        self.assertEqual(action["context"]["default_partner_id"], self.customer.id)
        self.assertEqual(action["context"]["default_site_id"], self.site_b.id)

    def test_other_customer_equipment_and_removed_items_are_refused(self):
        other = self.env["res.partner"].create({"name": "Other", "is_company": True})
        foreign = self.env["service.equipment"].create(
            {"name": "Foreign boiler", "partner_id": other.id}
        )
        removed = self.env["service.equipment"].create(
            {
                "name": "Old boiler",
                "partner_id": self.customer.id,
                "site_id": self.site_a.id,
                "state": "removed",
            }
        )
        Intervention = self.env["service.intervention"].with_user(self.responsible)
        count = Intervention.search_count([])
        for item in (foreign, removed):
            self.assertRefused(
                ValidationError,
                "is not an item in service",
                Intervention._report_breakdown,
                self.contract,
                "Off",
                site=self.site_a,
                equipment=item,
            )
        self.assertRefused(
            ValidationError,
            "Describe the breakdown",
            Intervention._report_breakdown,
            self.contract,
            "  ",
        )
        self.assertEqual(Intervention.search_count([]), count)

    def test_technician_cannot_report(self):
        with self.assertRaises(AccessError):
            self._wizard(self.technician)

    def test_closed_contract_is_refused(self):
        draft = self._create_contract()
        self.assertRefused(
            UserError, "running contracts only", draft.action_report_breakdown
        )

    def test_other_company_contract_is_not_found(self):
        company_b = self.env["res.company"].create({"name": "SC SLA Company B"})
        user_b = new_test_user(
            self.env,
            login="sc_sla_user_b",
            groups="base.group_user,service_contract.group_service_contract_user",
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )
        contract_b = (
            self.env["service.contract"]
            .with_company(company_b)
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": company_b.id,
                    "date_start": date(2024, 3, 1),
                    "response_time_hours": 1,
                    "user_id": user_b.id,
                    "line_ids": [Command.create({"name": "Cover", "price_unit": 50})],
                }
            )
        )
        contract_b.action_sign()
        # The shortest response time, but not in the user's company.
        Contract = self.env["service.contract"].with_user(self.responsible)
        self.assertEqual(
            Contract._find_breakdown_contract(self.customer), self.contract
        )
        self.assertEqual(
            self.env["service.contract"]
            .with_user(user_b)
            ._find_breakdown_contract(self.customer),
            contract_b,
        )
