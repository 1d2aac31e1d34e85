from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .date_utils import (
    FREQUENCY_MONTHS,
    notice_fits_term,
    shortest_term_days,
    term_months,
)
from .selection import selection_label

# Longest firm term or renewal period: 99 years.
MAX_TERM_MONTHS = 99 * 12

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

    def _format_length(self, count, unit_field):
        """'2 Years', '30 Days': a length with its unit's label, translated."""
        unit = self[unit_field]
        label = selection_label(self, unit_field, unit) or unit or ""
        return f"{count} {label}".strip()

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
        """Terms that hold whatever the day: the answer never depends on
        today or on the start date (see ``notice_fits_term``)."""
        for record in self:
            record._check_term_lengths()
            record._check_notice_fits_terms()
            record._check_invoicing_frequency_fits_terms()

    def _check_term_lengths(self):
        self.ensure_one()
        name = self.display_name
        if (
            self.duration <= 0
            or not self.duration_unit
            or term_months(self.duration, self.duration_unit) > MAX_TERM_MONTHS
        ):
            raise ValidationError(
                self.env._(
                    "%(name)s: the firm term (%(term)s) must be a positive number "
                    "of months or years, at most %(max)s years.",
                    name=name,
                    term=self._format_length(self.duration, "duration_unit"),
                    max=MAX_TERM_MONTHS // 12,
                )
            )
        if self.renewal_duration < 0:
            raise ValidationError(
                self.env._(
                    "%(name)s: the renewal period cannot be negative (%(term)s).",
                    name=name,
                    term=self._format_length(self.renewal_duration, "renewal_unit"),
                )
            )
        if self.renewal_type in ("tacit", "express") and (
            self.renewal_duration <= 0 or not self.renewal_unit
        ):
            raise ValidationError(
                self.env._(
                    "%(name)s: a contract renewed tacitly or expressly needs "
                    "a positive renewal period (%(term)s).",
                    name=name,
                    term=self._format_length(self.renewal_duration, "renewal_unit"),
                )
            )
        if (
            self.renewal_unit
            and term_months(self.renewal_duration, self.renewal_unit) > MAX_TERM_MONTHS
        ):
            raise ValidationError(
                self.env._(
                    "%(name)s: the renewal period (%(term)s) is longer than "
                    "%(max)s years.",
                    name=name,
                    term=self._format_length(self.renewal_duration, "renewal_unit"),
                    max=MAX_TERM_MONTHS // 12,
                )
            )
        if self.notice_period < 0 or not self.notice_unit:
            raise ValidationError(
                self.env._(
                    "%(name)s: the notice period cannot be negative (%(notice)s).",
                    name=name,
                    notice=self._format_length(self.notice_period, "notice_unit"),
                )
            )

    def _check_notice_fits_terms(self):
        """The notice is shorter than the firm term and than the renewal
        term: a notice in days is compared with the shortest such term
        (February at 28 days), a notice in months with its months."""
        self.ensure_one()
        notice = self._format_length(self.notice_period, "notice_unit")
        if not notice_fits_term(
            self.notice_period, self.notice_unit, self.duration, self.duration_unit
        ):
            raise ValidationError(
                self.env._(
                    "%(name)s: the notice period (%(notice)s) is longer than the "
                    "firm term or as long (%(term)s, %(days)s days in the "
                    "shortest case): it must be shorter.",
                    name=self.display_name,
                    notice=notice,
                    term=self._format_length(self.duration, "duration_unit"),
                    days=shortest_term_days(self.duration, self.duration_unit),
                )
            )
        if self.renewal_type in ("tacit", "express") and not notice_fits_term(
            self.notice_period,
            self.notice_unit,
            self.renewal_duration,
            self.renewal_unit,
        ):
            raise ValidationError(
                self.env._(
                    "%(name)s: the notice period (%(notice)s) is longer than the "
                    "renewal period or as long (%(term)s, %(days)s days in the "
                    "shortest case): it must be shorter.",
                    name=self.display_name,
                    notice=notice,
                    term=self._format_length(self.renewal_duration, "renewal_unit"),
                    days=shortest_term_days(self.renewal_duration, self.renewal_unit),
                )
            )

    def _check_invoicing_frequency_fits_terms(self):
        """An invoicing period is never longer than the firm term nor than
        the renewal period."""
        self.ensure_one()
        if not self.invoicing_frequency:
            return
        months = FREQUENCY_MONTHS[self.invoicing_frequency]
        frequency = selection_label(
            self, "invoicing_frequency", self.invoicing_frequency
        )
        if months > term_months(self.duration, self.duration_unit):
            raise ValidationError(
                self.env._(
                    "%(name)s: the invoicing frequency (%(frequency)s) is longer "
                    "than the firm term (%(term)s).",
                    name=self.display_name,
                    frequency=frequency,
                    term=self._format_length(self.duration, "duration_unit"),
                )
            )
        if self.renewal_type in ("tacit", "express") and months > term_months(
            self.renewal_duration, self.renewal_unit
        ):
            raise ValidationError(
                self.env._(
                    "%(name)s: the invoicing frequency (%(frequency)s) is longer "
                    "than the renewal period (%(term)s).",
                    name=self.display_name,
                    frequency=frequency,
                    term=self._format_length(self.renewal_duration, "renewal_unit"),
                )
            )
