from odoo import fields, models


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
