from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare, float_is_zero

from .price_revision import month_start

REVISION_INDEX_RULES = [
    ("same_month", "Same month as the base, k years later"),
    ("last_known", "Last value known at the revision date"),
]
REVISION_SPLITS = [
    ("prorate", "Prorate the period by days"),
    ("split", "Split the period at the revision date"),
]
# a + sum of b_i must be 1 to this precision.
REVISION_SUM_DIGITS = 6
MAX_REVISION_DIGITS = 10


class ServiceRevisionClauseMixin(models.AbstractModel):
    """The price revision clause P = P0 x (a + sum of b_i x I_i / I0_i),
    shared by contract templates and contracts.

    The concrete models declare ``revision_term_ids`` (the b_i and their
    indices), each with its own inverse field. The defaults are the
    template's: a contract copies its template's clause (computed fields).
    """

    _name = "service.revision.clause.mixin"
    _description = "Price Revision Clause"

    revision_fixed_part = fields.Float(
        string="Fixed Part (a)",
        digits=(16, 6),
        help="Part of the price that is not revised: a in "
        "P = P0 x (a + sum of b x I / I0). a plus the weights make 1.",
    )
    revision_base_date = fields.Date(
        string="Base Month (I0)",
        help="Month of the base values I0 of the indices (any day of the "
        "month: the month counts).",
    )
    revision_index_rule = fields.Selection(
        REVISION_INDEX_RULES,
        string="Index Value Used",
        help="Same month: the value of the base month k years later, the most "
        "recent such month on or before the revision date (base August 2021, "
        "revision on 1 September 2023: August 2023).\n"
        "Last known: the last value whose month is on or before the revision "
        "date.",
    )
    revision_min = fields.Float(
        string="Floor",
        digits=(16, 6),
        help="Lowest coefficient applied (e.g. 1.05); 0: no floor.",
    )
    revision_max = fields.Float(
        string="Cap",
        digits=(16, 6),
        help="Highest coefficient applied; 0: no cap.",
    )
    revision_digits = fields.Integer(
        string="Coefficient Decimals",
        help="The coefficient is rounded half-up to this number of decimals; "
        "prices are rounded to the currency.",
    )
    revision_split = fields.Selection(
        REVISION_SPLITS,
        string="Period Containing the Revision",
        help="Prorate: the billing period that contains the revision date is "
        "charged each price for its days.\n"
        "Split: it is cut into two periods at the revision date.",
    )
    has_revision = fields.Boolean(
        string="Price Revision",
        compute="_compute_has_revision",
        store=True,
        help="The clause has at least one index.",
    )

    @api.depends("revision_term_ids")
    def _compute_has_revision(self):
        for record in self:
            record.has_revision = bool(record.revision_term_ids)

    @api.model
    def _get_revision_clause_fields(self):
        """Fields of the clause a contract copies from its template (the
        terms, ``revision_term_ids``, are copied as records)."""
        return [
            "revision_fixed_part",
            "revision_base_date",
            "revision_index_rule",
            "revision_min",
            "revision_max",
            "revision_digits",
            "revision_split",
        ]

    @api.constrains(
        "revision_fixed_part",
        "revision_term_ids",
        "revision_base_date",
        "revision_min",
        "revision_max",
        "revision_digits",
    )
    def _check_revision_clause(self):
        """a + sum of b_i = 1, positive weights, a base month with a value
        for every index, a sensible floor, cap and rounding."""
        records = self.filtered("revision_term_ids")
        pairs = {
            (term.index_id.id, month_start(record.revision_base_date))
            for record in records.filtered("revision_base_date")
            for term in record.revision_term_ids
        }
        values = self.env["service.price.index.value"]._get_values(pairs)
        for record in self:
            record._check_revision_bounds()
            if record.revision_term_ids:
                record._check_revision_terms(values)

    def _check_revision_bounds(self):
        self.ensure_one()
        name = self.display_name
        if not 0 <= self.revision_digits <= MAX_REVISION_DIGITS:
            raise ValidationError(
                self.env._(
                    "%(name)s: the coefficient of the price revision is rounded "
                    "to 0 to %(max)s decimals, not %(digits)s.",
                    name=name,
                    max=MAX_REVISION_DIGITS,
                    digits=self.revision_digits,
                )
            )
        if self.revision_min < 0 or self.revision_max < 0:
            raise ValidationError(
                self.env._(
                    "%(name)s: the floor and the cap of the price revision "
                    "cannot be negative.",
                    name=name,
                )
            )
        if self.revision_max and self.revision_min > self.revision_max:
            raise ValidationError(
                self.env._(
                    "%(name)s: the floor of the price revision (%(floor)s) is "
                    "above its cap (%(cap)s).",
                    name=name,
                    floor=self.revision_min,
                    cap=self.revision_max,
                )
            )

    def _check_revision_terms(self, values):
        """The terms of a clause, with ``values`` of the base months
        ({(index_id, month): value}, read for all records at once)."""
        self.ensure_one()
        name = self.display_name
        for term in self.revision_term_ids:
            if not term.index_id:
                raise ValidationError(
                    self.env._(
                        "%(name)s: each weight of the price revision needs an "
                        "index.",
                        name=name,
                    )
                )
            if float_compare(term.weight, 0.0, precision_digits=6) <= 0:
                raise ValidationError(
                    self.env._(
                        "%(name)s: the weight of index %(index)s in the price "
                        "revision must be positive (%(weight)s).",
                        name=name,
                        index=term.index_id.display_name,
                        weight=term.weight,
                    )
                )
        if self.revision_fixed_part < 0:
            raise ValidationError(
                self.env._(
                    "%(name)s: the fixed part of the price revision cannot be "
                    "negative (%(fixed)s).",
                    name=name,
                    fixed=self.revision_fixed_part,
                )
            )
        total = self.revision_fixed_part + sum(self.revision_term_ids.mapped("weight"))
        if not float_is_zero(total - 1.0, precision_digits=REVISION_SUM_DIGITS):
            raise ValidationError(
                self.env._(
                    "%(name)s: the fixed part and the weights of the price "
                    "revision must add up to 1 (a + sum of b = %(total)s).",
                    name=name,
                    total=round(total, REVISION_SUM_DIGITS + 1),
                )
            )
        if not self.revision_base_date:
            raise ValidationError(
                self.env._(
                    "%(name)s: set the base month (I0) of the price revision.",
                    name=name,
                )
            )
        month = month_start(self.revision_base_date)
        missing = self.revision_term_ids.index_id.filtered(
            lambda index: (index.id, month) not in values
        )
        if missing:
            raise ValidationError(
                self.env._(
                    "%(name)s: no value of %(indices)s for the base month "
                    "%(month)s of the price revision; enter it first.",
                    name=name,
                    indices=", ".join(missing.mapped("display_name")),
                    month=month.strftime("%Y-%m"),
                )
            )

    def _get_revision_clause_text(self):
        """The clause in symbols: P = P0 x (0.15 + 0.85 x SYNTEC / SYNTEC0)."""
        self.ensure_one()
        parts = [_format_number(self.revision_fixed_part)]
        for term in self.revision_term_ids:
            code = term.index_id.code or term.index_id.name or "I"
            parts.append(f"{_format_number(term.weight)} × {code} / {code}0")
        return "P = P0 × ({})".format(" + ".join(parts))


def _format_number(value, digits=6):
    """0.150000 -> 0.15: a decimal number as a person writes it."""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text or "0"
