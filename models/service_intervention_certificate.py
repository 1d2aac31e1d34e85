from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .service_lifecycle_guard import lifecycle_action

CERTIFICATE_REPORT = "service_contract.action_report_boiler_certificate"
CERTIFICATE_TEMPLATE = "service_contract.mail_template_boiler_certificate"
# Arrêté du 15 septembre 2009, art. 7: the certificate is delivered within
# 15 days of the visit.
CERTIFICATE_DELAY_DAYS = 15
CERTIFICATE_ACTION_FIELDS = (
    "certificate_document_id",
    "certificate_sent_date",
    "certificate_alert_sent",
)


class ServiceIntervention(models.Model):
    """The maintenance certificate of boilers (arrêté du 15 septembre 2009):
    generated, stored and sent to the customer when the visit is done."""

    _inherit = "service.intervention"

    certificate_required = fields.Boolean(
        compute="_compute_certificate_required",
        store=True,
        help="The visit covers a boiler: a maintenance certificate is due.",
    )
    certificate_document_id = fields.Many2one(
        "ir.attachment",
        string="Maintenance Certificate",
        copy=False,
        readonly=True,
    )
    certificate_sent_date = fields.Datetime(
        string="Certificate Sent On", copy=False, readonly=True
    )
    certificate_alert_sent = fields.Boolean(copy=False, readonly=True)

    @api.depends("equipment_ids.category_id.regulation")
    def _compute_certificate_required(self):
        for intervention in self:
            intervention.certificate_required = any(
                regulation == "boiler"
                for regulation in intervention.equipment_ids.category_id.mapped(
                    "regulation"
                )
            )

    def _get_lifecycle_actions(self):
        return (
            *super()._get_lifecycle_actions(),
            "_attach_certificate",
            "_send_certificate",
            "_mark_certificate_sent",
            "_schedule_certificate_alert",
        )

    def _get_action_fields(self):
        return super()._get_action_fields() + CERTIFICATE_ACTION_FIELDS

    def _get_certificate_equipment(self):
        """The boilers of the visit: one certificate page each."""
        self.ensure_one()
        return self.equipment_ids.filtered(
            lambda e: e.category_id.regulation == "boiler"
        )

    def _get_certificate_answers(self, equipment):
        """{role: answer line} of the checklist of ``equipment`` on this
        visit, for the certificate's legal items (efficiency, CO...)."""
        self.ensure_one()
        lines = self.sudo().checklist_line_ids.filtered(
            lambda line: line.equipment_id == equipment
        )
        return {
            line.certificate_field: line
            for line in lines
            if line.certificate_field != "none"
        }

    def _on_done(self):
        result = super()._on_done()
        boilers = self.filtered("certificate_required")
        boilers._attach_certificate()
        boilers._send_certificate()
        return result

    @lifecycle_action
    def _attach_certificate(self):
        """Store the certificate (PDF) on the visit: printed, sent and shown
        on the portal from this very file."""
        self._attach_pdf(
            CERTIFICATE_REPORT,
            "certificate_document_id",
            lambda intervention: self.env._(
                "Maintenance certificate %(name)s.pdf",
                name=intervention.name.replace("/", "-"),
            ),
        )

    @lifecycle_action
    def _send_certificate(self):
        """Email the stored certificate to the customer."""
        template = self.env.ref(CERTIFICATE_TEMPLATE)
        for intervention in self.filtered("certificate_document_id"):
            intervention.message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                attachment_ids=intervention.certificate_document_id.ids,
            )
            intervention.certificate_sent_date = fields.Datetime.now()

    def action_send_certificate(self):
        """Send the certificate again (or for the first time, when the
        automatic sending failed), from the composer."""
        self.ensure_one()
        return self._action_compose(
            CERTIFICATE_TEMPLATE,
            default_attachment_ids=self.certificate_document_id.ids,
            mark_certificate_sent=True,
        )

    def _message_post_after_hook(self, message, msg_vals):
        if (
            self.env.context.get("mark_certificate_sent")
            and self.certificate_document_id
        ):
            self._mark_certificate_sent()
        return super()._message_post_after_hook(message, msg_vals)

    @lifecycle_action
    def _mark_certificate_sent(self):
        self.sudo().certificate_sent_date = fields.Datetime.now()

    @lifecycle_action
    def _schedule_certificate_alert(self, today):
        """One activity per late certificate, for the contract's responsible."""
        if not self:
            return 0
        activity_type = self.env.ref(
            "service_contract.mail_activity_type_certificate_late"
        )
        model_id = self.env["ir.model"]._get_id(self._name)
        self.env["mail.activity"].create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": intervention.id,
                    "activity_type_id": activity_type.id,
                    "summary": activity_type.summary,
                    "user_id": (
                        intervention.contract_id.user_id
                        or intervention.user_id
                        or self.env.user
                    ).id,
                    "date_deadline": today,
                }
                for intervention in self
            ]
        )
        self.write({"certificate_alert_sent": True})
        return len(self)


class ServiceContract(models.Model):
    _inherit = "service.contract"

    @api.model
    def _get_certificate_late_domain(self, today):
        limit = datetime.combine(
            today - timedelta(days=CERTIFICATE_DELAY_DAYS), time.min
        )
        return [
            ("state", "=", "done"),
            ("certificate_required", "=", True),
            ("certificate_sent_date", "=", False),
            ("certificate_alert_sent", "=", False),
            ("date_done", "<", limit),
        ]

    @api.model
    def _cron_certificate_late(self, today=None):
        """Daily: one activity per boiler certificate not sent 15 days after
        the visit, never twice, on the day of each company. Visits are
        locked with SKIP LOCKED: two workers never alert twice."""
        summary = self.env._("Alerts on late maintenance certificates failed")
        results = self._run_cron_batches(
            self._get_certificate_late_domain,
            lambda interventions, day: interventions._schedule_certificate_alert(day),
            summary,
            today,
            model="service.intervention",
            get_contracts=lambda i: i.contract_id,
        )
        return sum(results)


class ServiceContractAlert(models.Model):
    _inherit = "service.contract.alert"

    kind = fields.Selection(
        selection_add=[
            ("certificate_late", "Maintenance certificate late"),
        ]
    )

    def _get_alert_actions(self):
        return {
            **super()._get_alert_actions(),
            "certificate_late": self.env._(
                "Send the maintenance certificate: the law gives %(days)s days "
                "after the visit",
                days=CERTIFICATE_DELAY_DAYS,
            ),
        }

    def _get_alert_queries(self):
        return [
            *super()._get_alert_queries(),
            SQL(
                """
                -- Boiler certificates not sent within the legal delay
                -- after the visit (CERTIFICATE_DELAY_DAYS).
                SELECT i.id * 10 + 8, 'certificate_late',
                       i.date_done::date + %(certificate_delay)s,
                       i.contract_id, i.id,
                       i.partner_id, COALESCE(c.user_id, i.user_id),
                       i.company_id
                  FROM service_intervention i
                  JOIN service_contract c ON c.id = i.contract_id
                  JOIN company_day d ON d.company_id = c.company_id
                 WHERE i.state = 'done' AND i.certificate_required
                   AND i.certificate_sent_date IS NULL
                   AND i.date_done < d.today - %(certificate_delay)s
                """,
                certificate_delay=CERTIFICATE_DELAY_DAYS,
            ),
        ]
