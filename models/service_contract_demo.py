from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.tools import mute_logger

from .service_lifecycle_guard import lifecycle_write

# No web server runs while the demo data loads: wkhtmltopdf warns that it
# cannot fetch the report stylesheets, and still prints the PDF.
REPORT_LOGGER = "odoo.addons.base.models.ir_actions_report"
REVISION_LOGGER = "odoo.addons.service_contract.models.service_contract_revision"


class ServiceContract(models.Model):
    """Demo data only (demo/service_contract_demo.xml): bring the history of
    the demo contracts up to the install day through the module's real
    actions, so that the demo looks like a company at work whatever the day
    it is installed."""

    _inherit = "service.contract"

    def _demo_complete_visits(self, report, signature=False, parts=()):
        """The technician did the preventive visits of these contracts that
        were due before this week: planned on their due date, reported,
        signed by the site contact when ``signature`` is given, with the
        ``parts`` used (``(product id, quantity)`` pairs, covered), and
        marked done (which stores the PDF report and values the visit), on
        the day they were planned."""
        today = fields.Date.today()  # as DateTime.today() in the demo file
        visits = self.intervention_ids.filtered(
            lambda i: i.kind == "preventive"
            and i.state in ("to_plan", "planned")
            and i.date_due < today - timedelta(days=7)
        ).sorted("date_due")
        for visit in visits:
            start = datetime.combine(visit.date_due, time(8, 0))
            visit.write(
                {
                    "user_id": (visit.user_id or visit.contract_id.technician_id).id,
                    "date_planned_start": start,
                    "date_planned_end": start
                    + timedelta(hours=visit.duration_expected or 1.0),
                }
            )
            visit.action_plan()
            vals = {
                "report": Markup("<p>%s</p>") % report,
                "duration_actual": visit.duration_expected,
            }
            if signature:
                signer = (
                    visit.site_id.site_contact_id
                    or visit.contract_id.signatory_id
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

    def _demo_mark_done(self):
        """Demo data only: mark these visits as done on the day they were
        planned (their costs are valued as today), as the stored report
        says."""
        for visit in self:
            if visit.state == "to_plan":
                visit.action_plan()
            with mute_logger(REPORT_LOGGER):
                visit.action_done()
                visit.date_done = visit.date_planned_end
                if visit.date_reported:
                    # Answered when it started, not on the install day.
                    with lifecycle_write():
                        visit.date_responded = visit.date_planned_start
                self.env["ir.attachment"].search(
                    [("res_model", "=", visit._name), ("res_id", "=", visit.id)]
                ).unlink()
                visit._attach_report()
        return True
