"""The customer's appointment: the site contact is told the date of a planned
visit (with an arrival window and portal links to confirm it or ask for
another date), reminded the day before, told when the technician is on the
way, and asked to rate the visit once it is done. Each message is sent once:
the date it was sent is an action field of the visit."""

import logging
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import plaintext2html
from odoo.tools.misc import format_date, format_time

from .service_lifecycle_guard import lifecycle_action, lifecycle_write

_logger = logging.getLogger(__name__)

APPOINTMENT_ACTION_FIELDS = (
    "appointment_state",
    "appointment_notified_at",
    "reminder_sent_at",
    "on_way_sent_at",
    "reschedule_note",
)
# What a new date of the visit makes obsolete: the customer is told again.
APPOINTMENT_RESET_VALUES = {
    "appointment_state": "none",
    "appointment_notified_at": False,
    "reminder_sent_at": False,
    "on_way_sent_at": False,
}
MAX_ARRIVAL_WINDOW = 12


class ResCompany(models.Model):
    _inherit = "res.company"

    service_arrival_window = fields.Integer(
        string="Arrival Window",
        default=2,
        help="Hours before and after the planned start within which the "
        "customer is told the technician arrives.",
    )
    service_visit_sms = fields.Boolean(
        string="Visit Messages by SMS",
        help="Also send the visit's confirmation, reminder and 'on the way' "
        "messages by SMS (needs the SMS app).",
    )

    @api.constrains("service_arrival_window")
    def _check_service_arrival_window(self):
        for company in self:
            if not 0 <= company.service_arrival_window <= MAX_ARRIVAL_WINDOW:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the arrival window must be between 0 and "
                        "%(max)s hours (%(value)s).",
                        company=company.name,
                        max=MAX_ARRIVAL_WINDOW,
                        value=company.service_arrival_window,
                    )
                )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    service_arrival_window = fields.Integer(
        related="company_id.service_arrival_window", readonly=False
    )
    service_visit_sms = fields.Boolean(
        related="company_id.service_visit_sms", readonly=False
    )


class ServiceIntervention(models.Model):
    _name = "service.intervention"
    # rating.mixin first: it must come before mail.thread, already a parent.
    _inherit = ["rating.mixin", "service.intervention"]

    appointment_state = fields.Selection(
        [
            ("none", "Not Told"),
            ("notified", "Told"),
            ("confirmed", "Confirmed by the Customer"),
            ("reschedule_requested", "Another Date Asked"),
        ],
        string="Appointment",
        default="none",
        required=True,
        copy=False,
        readonly=True,
        tracking=True,
        help="Whether the customer was told the date of the planned visit and "
        "confirmed it. A customer-confirmed visit stays where it is when "
        "visits are planned again.",
    )
    appointment_notified_at = fields.Datetime(
        string="Customer Told On", copy=False, readonly=True
    )
    reminder_sent_at = fields.Datetime(
        string="Reminder Sent On", copy=False, readonly=True
    )
    on_way_sent_at = fields.Datetime(
        string="'On My Way' Sent On", copy=False, readonly=True
    )
    reschedule_note = fields.Text(
        string="Customer's Request",
        copy=False,
        readonly=True,
        help="What the customer wrote when asking for another date.",
    )
    arrival_window_start = fields.Datetime(compute="_compute_arrival_window")
    arrival_window_end = fields.Datetime(compute="_compute_arrival_window")

    @api.depends("date_planned_start", "company_id.service_arrival_window")
    def _compute_arrival_window(self):
        for visit in self:
            start = visit.date_planned_start
            window = timedelta(hours=visit.company_id.service_arrival_window)
            visit.arrival_window_start = start and start - window
            visit.arrival_window_end = start and start + window

    # ------------------------------------------------------------------
    # Guarded fields, planning hooks
    # ------------------------------------------------------------------

    def _get_lifecycle_actions(self):
        return (
            *super()._get_lifecycle_actions(),
            "action_notify_customer",
            "action_on_my_way",
            "action_customer_confirm",
            "action_return_to_planning",
            "_send_appointment_notice",
            "_send_visit_reminder",
        )

    def _get_action_fields(self):
        return (*super()._get_action_fields(), *APPOINTMENT_ACTION_FIELDS)

    def _planning_is_fixed(self, keep_planned=True):
        """A visit the customer confirmed stays where it is; one whose
        customer asked for another date is always planned again."""
        self.ensure_one()
        if self.appointment_state == "reschedule_requested":
            return False
        if self.state == "planned" and self.appointment_state == "confirmed":
            return True
        return super()._planning_is_fixed(keep_planned)

    def _on_planned_by_planner(self):
        result = super()._on_planned_by_planner()
        self._send_appointment_notice()
        return result

    def write(self, vals):
        moved = self.browse()
        if "date_planned_start" in vals and "appointment_state" not in vals:
            new_start = fields.Datetime.to_datetime(vals["date_planned_start"])
            moved = self.filtered(
                lambda v: v.date_planned_start != new_start
                and (
                    v.appointment_state != "none"
                    or v.reminder_sent_at
                    or v.on_way_sent_at
                )
            )
        result = super().write(vals)
        if moved:
            # A new date: what the customer was told no longer holds.
            with lifecycle_write():
                moved.write(APPOINTMENT_RESET_VALUES)
        return result

    def _on_done(self):
        result = super()._on_done()
        self._send_rating_request()
        return result

    # ------------------------------------------------------------------
    # What the messages show
    # ------------------------------------------------------------------

    def _rating_get_partner(self):
        """The site contact rates the visit (the one told of it)."""
        return self._get_recipient_for_notice()

    def _appointment_tz(self):
        """The time zone of the customer's messages: the recipient's, else
        the company's day."""
        self.ensure_one()
        return self._get_recipient_for_notice().tz or self.company_id._service_tz()

    def _appointment_lang(self):
        self.ensure_one()
        return self._get_recipient_for_notice().lang or self.env.lang or "en_US"

    def _appointment_day(self):
        """The day of the visit, in the recipient's time zone and language."""
        self.ensure_one()
        if not self.date_planned_start:
            return ""
        tz = pytz.timezone(self._appointment_tz())
        day = pytz.utc.localize(self.date_planned_start).astimezone(tz).date()
        return format_date(
            self.env, day, lang_code=self._appointment_lang(), date_format="full"
        )

    def _appointment_time(self, moment):
        """``moment`` (UTC) as a time in the recipient's zone and language."""
        if not moment:
            return ""
        return format_time(
            self.env,
            moment,
            tz=self._appointment_tz(),
            time_format="short",
            lang_code=self._appointment_lang(),
        )

    def _appointment_portal_url(self):
        self.ensure_one()
        return f"{self.get_base_url()}/my/interventions/{self.id}"

    # ------------------------------------------------------------------
    # Sending (each message once)
    # ------------------------------------------------------------------

    def _post_visit_message(self, template_xmlid, get_sms_body=None):
        """Post the template on each visit, to its site contact (and by
        SMS when the company enables it and the SMS app is installed)."""
        template = self.env.ref(template_xmlid)
        for visit in self.sudo():
            visit.message_post_with_source(template, subtype_xmlid="mail.mt_comment")
            if get_sms_body and visit.company_id.service_visit_sms:
                visit._send_visit_sms(get_sms_body)

    def _send_visit_sms(self, get_body):
        """SMS to the site contact, only if the SMS app is installed (no
        dependency on it); queued, sent by the SMS app's scheduled action."""
        self.ensure_one()
        if not hasattr(self, "_message_sms"):
            return
        recipient = self._get_recipient_for_notice()
        visit = self.with_context(lang=self._appointment_lang())
        self._message_sms(get_body(visit), partner_ids=recipient.ids, put_in_queue=True)

    @lifecycle_action
    def _send_appointment_notice(self):
        """Tell the site contact the date and the arrival window of the
        planned visits not told yet; the others are left alone."""
        visits = self.filtered(
            lambda v: v.state == "planned"
            and v.date_planned_start
            and v.appointment_state == "none"
        )
        visits._post_visit_message(
            "service_contract.mail_template_visit_appointment",
            lambda v: v.env._(
                "%(company)s: our technician comes on %(day)s between %(start)s "
                "and %(end)s. Confirm or ask for another date: %(url)s",
                company=v.company_id.name,
                day=v._appointment_day(),
                start=v._appointment_time(v.arrival_window_start),
                end=v._appointment_time(v.arrival_window_end),
                url=v._appointment_portal_url(),
            ),
        )
        visits.write(
            {
                "appointment_state": "notified",
                "appointment_notified_at": fields.Datetime.now(),
            }
        )
        return visits

    @lifecycle_action
    def action_notify_customer(self):
        """Button: tell the customer the date of the planned visit."""
        self.check_access("write")
        self._check_state(
            ("planned",),
            self.env._(
                "Only planned visits can be notified to the customer: %(names)s"
            ),
        )
        self._send_appointment_notice()
        return True

    @lifecycle_action
    def _send_visit_reminder(self):
        """The reminder of the day before, once per visit."""
        visits = self.filtered(
            lambda v: v.state == "planned" and not v.reminder_sent_at
        )
        visits._post_visit_message(
            "service_contract.mail_template_visit_reminder",
            lambda v: v.env._(
                "%(company)s: reminder, our technician comes tomorrow between "
                "%(start)s and %(end)s.",
                company=v.company_id.name,
                start=v._appointment_time(v.arrival_window_start),
                end=v._appointment_time(v.arrival_window_end),
            ),
        )
        visits.write({"reminder_sent_at": fields.Datetime.now()})
        return len(visits)

    @lifecycle_action
    def action_on_my_way(self):
        """The visit's technician tells the customer they are on the way;
        once per visit (a second tap sends nothing)."""
        self.check_access("write")
        for visit in self:
            if visit.user_id != self.env.user:
                raise UserError(
                    self.env._(
                        "Only the technician of %(name)s can tell the customer "
                        "they are on the way.",
                        name=visit.name,
                    )
                )
        self._check_state(
            ("planned",),
            self.env._("Only planned visits can be on their way: %(names)s"),
        )
        visits = self.filtered(lambda v: not v.on_way_sent_at)
        visits._post_visit_message(
            "service_contract.mail_template_visit_on_way",
            lambda v: v.env._(
                "%(company)s: %(technician)s is on the way to you.",
                company=v.company_id.name,
                technician=v.user_id.name,
            ),
        )
        visits.write({"on_way_sent_at": fields.Datetime.now()})
        return True

    def _send_rating_request(self):
        """Once done, the site contact is asked to rate the visit, once."""
        visits = self.sudo().filtered(lambda v: not v.rating_ids)
        visits._post_visit_message("service_contract.mail_template_visit_rating")

    # ------------------------------------------------------------------
    # The customer's answers (portal)
    # ------------------------------------------------------------------

    @lifecycle_action
    def action_customer_confirm(self):
        """The customer confirms the date of the planned visit."""
        self.check_access("write")
        self._check_state(
            ("planned",),
            self.env._("Only planned visits can be confirmed: %(names)s"),
        )
        to_confirm = self.filtered(lambda v: v.appointment_state != "confirmed")
        to_confirm.write({"appointment_state": "confirmed"})
        for visit in to_confirm:
            visit.message_post(
                body=self.env._("The customer confirmed the date of the visit."),
                subtype_xmlid="mail.mt_note",
            )
        return True

    @lifecycle_action
    def action_return_to_planning(self, note=None):
        """The customer asks for another date: the visit goes back to the
        visits to plan (dates cleared, technician kept as a suggestion), and
        the contract's responsible gets an activity with the note."""
        self.check_access("write")
        self._check_state(
            ("planned",),
            self.env._(
                "Only planned visits can be moved to another date; done or "
                "cancelled visits cannot: %(names)s"
            ),
        )
        note = (note or "").strip()
        self.write(
            {
                "state": "to_plan",
                "date_planned_start": False,
                "date_planned_end": False,
                "appointment_state": "reschedule_requested",
                "reschedule_note": note or False,
                "appointment_notified_at": False,
                "reminder_sent_at": False,
                "on_way_sent_at": False,
            }
        )
        summary = self.env._("Customer asks for another date")
        for visit in self:
            body = self.env._(
                "The customer asked for another date: %(note)s",
                note=note or self.env._("(no message)"),
            )
            visit.message_post(body=body, subtype_xmlid="mail.mt_note")
            visit.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=summary,
                # The customer's text, shown as text (not HTML).
                note=plaintext2html(note) if note else False,
                user_id=(
                    visit.contract_id.user_id or visit.user_id or self.env.user
                ).id,
            )
        return True


class ServiceContract(models.Model):
    _inherit = "service.contract"

    visit_rating_avg = fields.Float(
        string="Visits' Rating",
        compute="_compute_visit_rating",
        help="Average of the ratings the customer gave the visits (1 to 5).",
    )
    visit_rating_count = fields.Integer(
        string="Visit Ratings", compute="_compute_visit_rating"
    )

    def _compute_visit_rating(self):
        Rating = self.env["rating.rating"].sudo()
        visits = (
            self.env["service.intervention"]
            .sudo()
            .search([("contract_id", "in", self.ids)])
        )
        contract_of = {visit.id: visit.contract_id.id for visit in visits}
        groups = Rating._read_group(
            [
                ("res_model", "=", "service.intervention"),
                ("res_id", "in", visits.ids),
                ("consumed", "=", True),
                ("rating", ">=", 1),
            ],
            ["res_id"],
            ["rating:sum", "__count"],
        )
        totals = {}
        for res_id, total, count in groups:
            key = contract_of[res_id]
            previous = totals.get(key, (0.0, 0))
            totals[key] = (previous[0] + total, previous[1] + count)
        for contract in self:
            total, count = totals.get(contract.id, (0.0, 0))
            contract.visit_rating_count = count
            contract.visit_rating_avg = count and total / count

    # ------------------------------------------------------------------
    # Scheduled action: the reminder of the day before
    # ------------------------------------------------------------------

    @api.model
    def _get_visit_reminder_domain(self, today):
        """Planned visits around tomorrow, whatever the time zone (from
        today 00:00 to the day after tomorrow's end, UTC); the company's day
        is checked by ``_filter_visits_of_tomorrow``."""
        return [
            ("state", "=", "planned"),
            ("reminder_sent_at", "=", False),
            ("date_planned_start", ">=", datetime.combine(today, time.min)),
            (
                "date_planned_start",
                "<",
                datetime.combine(today + timedelta(days=3), time.min),
            ),
        ]

    @api.model
    def _filter_visits_of_tomorrow(self, visits, today):
        """The visits planned on the day after ``today`` in their company's
        time zone."""
        tomorrow = today + timedelta(days=1)

        def local_day(visit):
            tz = pytz.timezone(visit.company_id._service_tz())
            return pytz.utc.localize(visit.date_planned_start).astimezone(tz).date()

        return visits.filtered(lambda v: local_day(v) == tomorrow)

    @api.model
    def _cron_visit_reminders(self, today=None):
        """Daily: remind the site contacts of the visits planned tomorrow
        (the company's day), once per visit. Visits are locked with SKIP
        LOCKED and read again once locked: two workers never send twice; a
        visit that fails gets an activity, the others are sent."""
        summary = self.env._("Reminders of tomorrow's visits failed")
        results = self._run_cron_batches(
            self._get_visit_reminder_domain,
            lambda visits, day: visits._send_visit_reminder(),
            summary,
            today,
            model="service.intervention",
            get_contracts=lambda i: i.contract_id,
            post_filter=self._filter_visits_of_tomorrow,
        )
        return sum(results)
