from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .date_utils import FREQUENCY_MONTHS, MONTHS_PER_UNIT, notice_deadline, term_end

TERM_UNITS = [("month", "Months"), ("year", "Years")]
NOTICE_UNITS = [("day", "Days"), ("month", "Months")]
INVOICING_FREQUENCIES = [
    ("month", "Monthly"),
    ("quarter", "Quarterly"),
    ("semester", "Half-yearly"),
    ("year", "Yearly"),
]
INVOICING_MODES = [
    ("advance", "In advance"),
    ("arrears", "In arrears"),
]
RENEWAL_TYPES = [
    ("tacit", "Tacit renewal"),
    ("express", "Express renewal"),
    ("none", "No renewal"),
]


class ServiceContractTermsMixin(models.AbstractModel):
    """Contractual terms shared by contract templates and contracts."""

    _name = "service.contract.terms.mixin"
    _description = "Service Contract Terms"

    duration = fields.Integer(
        string="Firm Term",
        help="Length of the first term of the contract.",
    )
    duration_unit = fields.Selection(TERM_UNITS, string="Firm Term Unit", required=True)
    renewal_type = fields.Selection(
        RENEWAL_TYPES,
        string="Renewal",
        required=True,
        help="Tacit: renewed automatically at the end of each term unless "
        "notice is received before the notice deadline.\n"
        "Express: renewed only when a user renews it.\n"
        "No renewal: the contract ends at the end of its term.",
    )
    renewal_duration = fields.Integer(
        string="Renewal Period", help="Length of each renewed term."
    )
    renewal_unit = fields.Selection(
        TERM_UNITS, string="Renewal Period Unit", required=True
    )
    notice_period = fields.Integer(
        help="Notice the customer must give before the end of a term to "
        "refuse its renewal."
    )
    notice_unit = fields.Selection(
        NOTICE_UNITS, string="Notice Period Unit", required=True
    )
    payment_term_id = fields.Many2one(
        "account.payment.term",
        string="Payment Terms",
        check_company=True,
    )
    invoicing_frequency = fields.Selection(
        INVOICING_FREQUENCIES,
        required=True,
        help="How often the contract is invoiced. The price of a service line "
        "is the price of one invoicing period.",
    )
    invoicing_mode = fields.Selection(
        INVOICING_MODES,
        required=True,
        help="In advance: each period is invoiced on its first day.\n"
        "In arrears: each period is invoiced on the day after it ends.",
    )
    prorata = fields.Boolean(
        string="Calendar Periods with Prorata",
        help="Periods follow the calendar (months, quarters from January, "
        "half-years, years) and the first and last partial periods are "
        "prorated by days. Otherwise periods run from the start date.",
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="Invoicing Journal",
        domain="[('type', '=', 'sale')]",
        check_company=True,
    )
    group_invoices = fields.Boolean(
        string="Group Invoices per Customer",
        help="One invoice per customer for all its contracts invoiced on the "
        "same date, instead of one invoice per contract.",
    )

    @api.model
    def _get_terms_fields(self):
        """Fields a contract copies from its template."""
        return [
            "duration",
            "duration_unit",
            "renewal_type",
            "renewal_duration",
            "renewal_unit",
            "notice_period",
            "notice_unit",
            "payment_term_id",
            "invoicing_frequency",
            "invoicing_mode",
            "prorata",
            "journal_id",
            "group_invoices",
        ]

    @api.constrains(
        "duration",
        "duration_unit",
        "renewal_type",
        "renewal_duration",
        "renewal_unit",
        "notice_period",
        "notice_unit",
        "invoicing_frequency",
    )
    def _check_terms(self):
        for record in self:
            if record.duration <= 0 or not record.duration_unit:
                raise ValidationError(
                    self.env._(
                        "%(name)s: the firm term must be a positive number of "
                        "months or years.",
                        name=record.display_name,
                    )
                )
            if record.renewal_type in ("tacit", "express") and (
                record.renewal_duration <= 0 or not record.renewal_unit
            ):
                raise ValidationError(
                    self.env._(
                        "%(name)s: a contract renewed tacitly or expressly needs "
                        "a positive renewal period.",
                        name=record.display_name,
                    )
                )
            if record.notice_period < 0 or not record.notice_unit:
                raise ValidationError(
                    self.env._(
                        "%(name)s: the notice period cannot be negative.",
                        name=record.display_name,
                    )
                )
            if (
                record.invoicing_frequency
                and FREQUENCY_MONTHS[record.invoicing_frequency]
                > record.duration * MONTHS_PER_UNIT[record.duration_unit]
            ):
                raise ValidationError(
                    self.env._(
                        "%(name)s: the invoicing frequency is longer than the "
                        "firm term.",
                        name=record.display_name,
                    )
                )
            first_end = term_end(
                fields.Date.today(), record.duration, record.duration_unit
            )
            deadline = notice_deadline(
                first_end, record.notice_period, record.notice_unit
            )
            if deadline < fields.Date.today():
                raise ValidationError(
                    self.env._(
                        "%(name)s: the notice period is longer than the firm term.",
                        name=record.display_name,
                    )
                )
