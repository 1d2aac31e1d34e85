from odoo import api, fields, models

from .service_invoicing_context import default_sale_journal


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    service_planning_horizon = fields.Integer(
        related="company_id.service_planning_horizon", readonly=False
    )
    service_health_overdue_days = fields.Integer(
        related="company_id.service_health_overdue_days", readonly=False
    )
    service_health_late_visit_days = fields.Integer(
        related="company_id.service_health_late_visit_days", readonly=False
    )
    service_health_margin_min = fields.Float(
        related="company_id.service_health_margin_min", readonly=False
    )
    service_billable_mode = fields.Selection(
        related="company_id.service_billable_mode", readonly=False
    )
    service_labour_product_id = fields.Many2one(
        related="company_id.service_labour_product_id", readonly=False
    )
    service_contract_tz = fields.Selection(
        string="Contracts Time Zone",
        related="company_id.partner_id.tz",
        readonly=False,
        help="The day of the company's contracts (terms, invoices, visits, "
        "reminders and alerts) starts at midnight in this time zone. Without "
        "it, the scheduled actions work in UTC.",
    )
    service_cron_batch_size = fields.Integer(
        string="Contracts per Batch",
        config_parameter="service_contract.cron_batch_size",
        default=500,
        help="Contracts renewed, closed or reminded per transaction by the "
        "daily scheduled actions.",
    )
    service_invoice_batch_size = fields.Integer(
        string="Billing Periods per Batch",
        config_parameter="service_contract.invoice_batch_size",
        default=1000,
        help="Billing periods invoiced per transaction by the daily scheduled "
        "action.",
    )
    service_visit_batch_size = fields.Integer(
        string="Contracts per Visit Batch",
        config_parameter="service_contract.visit_batch_size",
        default=500,
        help="Contracts whose preventive visits are generated per transaction "
        "by the daily scheduled action.",
    )
    service_default_journal_id = fields.Many2one(
        "account.journal",
        string="Default Contract Journal",
        compute="_compute_service_default_journal_id",
        help="Contract invoices go to the journal of their contract or its "
        "template; without one, to this journal.",
    )

    @api.depends("company_id")
    def _compute_service_default_journal_id(self):
        for settings in self:
            settings.service_default_journal_id = default_sale_journal(
                self.env, settings.company_id
            )

    def action_open_service_contract_sequence(self):
        """The sequence numbering the contracts (First Steps)."""
        sequences = self.env["ir.sequence"].search([("code", "=", "service.contract")])
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("Contract Numbers"),
            "res_model": "ir.sequence",
            "domain": [("id", "in", sequences.ids)],
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
        }
        if len(sequences) == 1:
            action.update(
                res_id=sequences.id, view_mode="form", views=[(False, "form")]
            )
        return action
