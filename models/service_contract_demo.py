from contextvars import ContextVar
from datetime import datetime, time, timedelta

import pytz
from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.tools import mute_logger

from .service_lifecycle_guard import lifecycle_write

# No web server runs while the demo data loads: wkhtmltopdf warns that it
# cannot fetch the report stylesheets, and still prints the PDF.
REPORT_LOGGER = "odoo.addons.base.models.ir_actions_report"
REVISION_LOGGER = "odoo.addons.service_contract.models.service_contract_revision"
# Set only by _demo_mark_done, in this process (no client can set it).
_DEMO_DEFER_PDF = ContextVar("service_contract_demo_defer_pdf", default=False)


# The ratings the demo customers give their visits, in turn.
DEMO_RATINGS = (5, 5, 4, 5, 1, 5, 3, 5)


class ServiceContract(models.Model):
    """Demo data only (demo/service_contract_demo.xml): bring the history of
    the demo contracts up to the install day through the module's real
    actions, so that the demo looks like a company at work whatever the day
    it is installed."""

    _inherit = "service.contract"

    # ------------------------------------------------------------------
    # The company's clock: every demo time is a local time of the company
    # (its time zone, its working days and hours), stored in UTC.
    # ------------------------------------------------------------------

    @api.model
    def _demo_today(self):
        """The install day, in the company's time zone."""
        return self.env.company._service_today()

    @api.model
    def _demo_working_weekdays(self):
        """The weekdays (0 is Monday) of the company's working calendar."""
        calendar = self.env.company.resource_calendar_id
        return {int(day) for day in calendar.attendance_ids.mapped("dayofweek")} or {
            0,
            1,
            2,
            3,
            4,
        }

    @api.model
    def _demo_working_day(self, day, forward=False):
        """``day`` if the company works that day, else the working day before
        it (or after it, with ``forward``)."""
        weekdays = self._demo_working_weekdays()
        step = timedelta(days=1 if forward else -1)
        while day.weekday() not in weekdays:
            day += step
        return day

    @api.model
    def _demo_work_day(self):
        """The day of the demo's planned work: the install day, or the next
        working day when the demo is installed on a weekend."""
        return self._demo_working_day(self._demo_today(), forward=True)

    @api.model
    def _demo_datetime(self, day, hours):
        """The naive UTC datetime of ``day`` at ``hours`` (8.5 is 8:30),
        local time of the company."""
        tz = pytz.timezone(self.env.company._service_tz())
        local = datetime.combine(day, time()) + timedelta(hours=hours)
        return tz.localize(local).astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _demo_slot(self, user, day, duration):
        """The start (hours, local) of the next free slot of ``user`` on
        ``day`` for ``duration`` hours: from 8:00, half an hour of travel
        after the visits already planned that day, nothing across the lunch
        break (12:00 to 13:30)."""
        busy = self.env["service.intervention"].search(
            [
                ("user_id", "=", user.id),
                ("date_planned_start", ">=", self._demo_datetime(day, 0)),
                ("date_planned_start", "<", self._demo_datetime(day, 24)),
            ]
        )
        start = 8.0
        if busy:
            last_end = max(busy.mapped("date_planned_end"))
            start = (last_end - self._demo_datetime(day, 0)).total_seconds() / 3600
            start += 0.5
        if start < 12.0 < start + duration:
            start = 13.5
        return start

    def _demo_visit_day(self, visit, today):
        """The working day a past preventive visit was done: its due date,
        or the working day before it (after it when that falls before the
        contract's visits start), always before the install day."""
        first = self.date_visits_from or self.date_start
        day = self._demo_working_day(visit.date_due)
        if day < first or day < visit.date_window_start:
            day = self._demo_working_day(visit.date_due, forward=True)
        if day >= today:
            day = self._demo_working_day(visit.date_due)
        return day

    def _demo_complete_visits(self, report, signature=False, parts=(), duration=None):
        """The technician did every preventive visit of these contracts due
        before the install day, through the real actions: planned on a
        working day of its window (its due date, else the working day
        before), at working hours of the company, the checklist filled, the
        report written, signed by the site contact when ``signature`` is
        given, with the ``parts`` used (``(product id, quantity)`` pairs,
        covered), ``duration`` hours spent (else the expected duration), and
        marked done at the end of the visit."""
        today = self._demo_today()
        technician = self.env.ref("service_contract.user_technician")
        visits = self.intervention_ids.filtered(
            lambda i: i.kind == "preventive"
            and i.state in ("to_plan", "planned")
            and i.date_due < today
        ).sorted(lambda i: (i.date_due, i.id))
        for visit in visits:
            contract = visit.contract_id
            user = visit.user_id or contract.technician_id or technician
            day = contract._demo_visit_day(visit, today)
            spent = duration or visit.duration_expected or 1.0
            start = self._demo_datetime(day, self._demo_slot(user, day, spent))
            visit.write(
                {
                    "user_id": user.id,
                    "date_planned_start": start,
                    "date_planned_end": start + timedelta(hours=spent),
                }
            )
            visit.action_plan()
            vals = {
                "report": Markup("<p>%s</p>") % report,
                "duration_actual": spent,
            }
            if signature:
                signer = (
                    visit.site_id.site_contact_id
                    or contract.signatory_id
                    or visit.partner_id
                )
                vals.update(signature=signature, signed_by=signer.name)
            if parts:
                vals["material_line_ids"] = [
                    Command.create({"product_id": product_id, "quantity": quantity})
                    for product_id, quantity in parts
                ]
            visit.write(vals)
            visit._demo_mark_done()
        return True

    def _demo_breakdown(self, values, reported, planned, report=None, parts=()):
        """A breakdown of this contract: ``values`` of the visit, reported on
        ``reported`` and planned on ``planned``, each ``(working days from
        the install day, local hours)``: ``(-15, 7.5)`` is 7:30 fifteen
        working days before the install day (``(0, h)`` is the day of the
        demo's work, see ``_demo_work_day``). With a ``report`` (and the
        ``parts`` used, ``(product id, quantity, covered)``), the technician
        did it and the customer signed; else it stays planned."""
        self.ensure_one()
        technician = self.env.ref("service_contract.user_technician")
        reported_at, planned_at = (
            self._demo_datetime(self._demo_working_days_from(days), hours)
            for days, hours in (reported, planned)
        )
        # Never after the record is created (the transaction's start).
        reported_at = min(reported_at, self.env.cr.now())
        duration = values.get("duration_expected", 1.0)
        visit = self.env["service.intervention"].create(
            {
                "contract_id": self.id,
                "kind": "corrective",
                "user_id": technician.id,
                "date_reported": reported_at,
                "date_due": self._demo_working_days_from(planned[0]),
                "date_planned_start": planned_at,
                "date_planned_end": planned_at + timedelta(hours=duration),
                **values,
            }
        )
        visit.action_plan()
        if report:
            signer = (
                visit.site_id.site_contact_id or self.signatory_id or self.partner_id
            )
            visit.write(
                {
                    "report": Markup("<p>%s</p>") % report,
                    "duration_actual": duration,
                    # The site contact signs as the customer signed the
                    # contract (the demo's one signature image).
                    "signature": self.signature,
                    "signed_by": signer.name,
                    "material_line_ids": [
                        Command.create(
                            {
                                "product_id": product_id,
                                "quantity": quantity,
                                "is_covered": covered,
                            }
                        )
                        for product_id, quantity, covered in parts
                    ],
                }
            )
            visit._demo_mark_done()
        return visit.id

    def _demo_amend(self, date_effective, date_signed, quantities, signature):
        """Demo data only: the customer signed on paper, on ``date_signed``,
        an amendment of this contract effective on ``date_effective``
        changing the quantities of its services (``{product id:
        quantity}``), through the real actions (amend, send, sign)."""
        self.ensure_one()
        Amendment = self.env["service.contract.amendment"]
        amendment = Amendment.browse(self.action_amend()["res_id"])
        amendment.date_effective = date_effective
        for line in amendment.line_ids:
            if line.product_id.id in quantities:
                line.quantity = quantities[line.product_id.id]
        amendment.action_to_sign()
        with lifecycle_write():
            amendment.write(
                {
                    "signed_by": self.signed_by or self.partner_id.name,
                    "signature": signature,
                }
            )
        amendment.action_sign(date_signed=date_signed)
        with mute_logger(REPORT_LOGGER):
            amendment._store_signed_pdf()
        return amendment.id

    @api.model
    def _demo_working_days_from(self, days):
        """The working day ``days`` working days from the day of the demo's
        work (before it when negative)."""
        day = self._demo_work_day()
        step = timedelta(days=1 if days > 0 else -1)
        for _index in range(abs(days)):
            day = self._demo_working_day(day + step, forward=days > 0)
        return day

    def _demo_set_revision_base(self):
        """The base month of the revision clause of these contracts: the
        month before each starts (its index value known at signature)."""
        for contract in self:
            contract.revision_base_date = fields.Date.start_of(
                contract.date_start, "month"
            ) - relativedelta(months=1)
        return True

    @api.model
    def _demo_send_revision_letters(self):
        """The letters of the price revisions, as their scheduled action
        sends them. Without a web server, wkhtmltopdf may not print the
        letters of a batch: they are then sent without their PDF (logged)."""
        with mute_logger(REPORT_LOGGER, REVISION_LOGGER):
            self._cron_send_revision_letters()
        return True

    def _demo_store_signed_pdf(self):
        """Keep the signed PDF of these contracts, as the online signature
        does."""
        with mute_logger(REPORT_LOGGER):
            self._store_signed_pdf()
        return True

    @api.model
    def _demo_post_and_pay_invoices(self, overdue_contract_ids=()):
        """Post the contracts' draft invoices and register the payment of
        those already due, on their due date; the last invoice due of the
        ``overdue_contract_ids`` contracts stays unpaid, overdue."""
        today = fields.Date.today()  # as DateTime.today() in the demo file
        contracts = self.search([])
        drafts = contracts.invoice_ids.filtered(lambda m: m.state == "draft")
        for move in drafts.sorted(lambda m: (m.invoice_date, m.id)):
            move.action_post()
        due = contracts.invoice_ids.filtered(
            lambda m: m.state == "posted"
            and m.move_type == "out_invoice"
            and m.payment_state == "not_paid"
            and m.invoice_date_due < today
        )
        unpaid = self.env["account.move"]
        for contract in self.browse(overdue_contract_ids):
            contract_due = due & contract.invoice_ids
            if contract_due:
                unpaid |= contract_due.sorted("invoice_date_due")[-1]
        Register = self.env["account.payment.register"]
        for move in (due - unpaid).sorted(lambda m: (m.invoice_date_due, m.id)):
            Register.with_context(
                active_model="account.move", active_ids=move.ids
            ).create({"payment_date": move.invoice_date_due})._create_payments()
        return True


class ServiceIntervention(models.Model):
    _inherit = "service.intervention"

    def _demo_schedule(self, reported, planned=None, window_days=0):
        """Demo data only: these corrective visits were reported on
        ``reported`` and are planned on ``planned`` (each ``(working days
        from the day of the demo's work, local hours)``, see
        ``service.contract._demo_breakdown``); never reported after now.
        Without ``planned``, they are due within ``window_days`` of the
        report."""
        Contract = self.env["service.contract"]
        reported_day = Contract._demo_working_days_from(reported[0])
        # Never after the record is created (the transaction's start).
        reported_at = min(
            Contract._demo_datetime(reported_day, reported[1]), self.env.cr.now()
        )
        for visit in self:
            vals = {"date_reported": reported_at}
            if planned:
                day = Contract._demo_working_days_from(planned[0])
                start = Contract._demo_datetime(day, planned[1])
                vals.update(
                    date_due=day,
                    date_planned_start=start,
                    date_planned_end=start
                    + timedelta(hours=visit.duration_expected or 1.0),
                )
            else:
                vals.update(
                    date_due=reported_day + timedelta(days=window_days // 2),
                    date_window_start=reported_day,
                    date_window_end=reported_day + timedelta(days=window_days),
                )
            visit.write(vals)
        return True

    def _demo_fill_checklists(self):
        """Demo data only: the technician answers the checklists of these
        visits: every check done, each measure in the middle of its range,
        the first option of each choice, a word for the texts."""
        self._sync_checklists()
        for line in self.checklist_line_ids:
            vals = {
                "check": {"value_bool": True},
                "measure": {
                    "value_float": (line.min_value + line.max_value) / 2
                    if line.max_value
                    else 1.0
                },
                "choice": {"value_choice": (line.choice_options or "").split(",")[0]},
                "text": {
                    "value_text": self.env._(
                        "No particular advice: the installation is in good order."
                    )
                },
            }.get(line.kind)
            if vals:
                line.write(vals)
        return True

    def _attach_pdf(self, report_xmlid, field_name, get_name, get_owner=None):
        """Demo data only: while ``_demo_mark_done`` marks a visit as done,
        its PDFs wait until its dates are those of the visit (rendered once,
        not twice)."""
        if _DEMO_DEFER_PDF.get():
            return None
        return super()._attach_pdf(report_xmlid, field_name, get_name, get_owner)

    def _demo_mark_done(self):
        """Demo data only: mark these visits as done at the end of the visit
        (their costs are valued as today), then store the report and the
        certificate, which say so, and send the certificate; the breakdowns
        were answered when the visit started."""
        for visit in self:
            if visit.state == "to_plan":
                visit.action_plan()
            visit._demo_fill_checklists()
            token = _DEMO_DEFER_PDF.set(True)
            try:
                visit.action_done()
            finally:
                _DEMO_DEFER_PDF.reset(token)
            with lifecycle_write():
                visit.date_done = visit.date_planned_end
                if visit.date_reported:
                    visit.date_responded = visit.date_planned_start
            with mute_logger(REPORT_LOGGER):
                visit._attach_report()
                if visit.certificate_required:
                    visit._attach_certificate()
                    visit._send_certificate()
            # The customer answers the rating request (mostly satisfied).
            if visit.rating_ids:
                rate = DEMO_RATINGS[visit.id % len(DEMO_RATINGS)]
                visit.rating_apply(rate, rating=visit.rating_ids[:1])
        return True
