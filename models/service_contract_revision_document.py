from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import float_repr, format_amount, format_date, formatLang
from odoo.tools.translate import LazyTranslate

from .price_revision import revised_price, revision_coefficient

_lt = LazyTranslate(__name__)

# Decimals shown for the weights, the fixed part and the index values: as
# many as they have, up to the six of the clause.
MAX_DIGITS = 6


def significant_digits(value, maximum=MAX_DIGITS):
    """Decimals needed to write ``value`` exactly, up to ``maximum``:
    0.15 -> 2, 121.2 -> 1, 1.0652230 -> 6, 2.0 -> 0."""
    text = float_repr(value, maximum)
    if "." not in text:
        return 0
    return len(text.split(".")[1].rstrip("0"))


class ServiceContract(models.Model):
    """The revision clause in words and with a worked example, for the
    printed contract and the document placeholder
    ``object.doc_revision_clause``."""

    _inherit = "service.contract"

    doc_revision_clause = fields.Html(
        string="Revision Clause (Text)",
        compute="_compute_doc_revision_clause",
        help="The price revision clause in words, with a worked example, as "
        "printed on the contract.",
    )

    def _get_document_placeholders(self):
        return [
            *super()._get_document_placeholders(),
            (
                90,
                "object.doc_revision_clause",
                _lt("Price revision clause, with a worked example"),
            ),
        ]

    @api.depends_context("lang")
    @api.depends(
        "revision_fixed_part",
        "revision_term_ids.weight",
        "revision_term_ids.index_id",
        "revision_term_ids.base_value",
        "revision_base_date",
        "revision_index_rule",
        "revision_min",
        "revision_max",
        "revision_digits",
        "revision_date",
        "amount_annual",
    )
    def _compute_doc_revision_clause(self):
        for contract in self:
            contract.doc_revision_clause = contract._revision_clause_html()

    # ------------------------------------------------------------------
    # Formatting
    # ------------------------------------------------------------------

    def _revision_number(self, value, digits=None):
        """A number of the clause in the current language, with only the
        decimals it has (0.15, 121.2, 1.065223)."""
        if digits is None:
            digits = significant_digits(value)
        return formatLang(self.env, value, digits=digits)

    def _revision_month(self, month):
        return format_date(self.env, month, date_format="MMMM y") if month else ""

    def _revision_formula(self):
        """P = P0 × (0.15 + 0.85 × ING/ING0), with the index codes."""
        self.ensure_one()
        terms = " + ".join(
            f"{self._revision_number(term.weight)} × "
            f"{term.index_id.code}/{term.index_id.code}0"
            for term in self.revision_term_ids
        )
        return f"P = P0 × ({self._revision_number(self.revision_fixed_part)} + {terms})"

    def _revision_example_values(self):
        """[(term, base value, (month, value))] of the worked example: for
        each index, its base value and the latest value the clause would use
        today (the same month as the base in a later year, or the last value
        known), or the base value itself when no later value is known."""
        self.ensure_one()
        today = self.company_id._service_today()
        base_month = self.revision_base_date
        Value = self.env["service.price.index.value"]
        known = {}
        if base_month and self.revision_index_rule == "same_month":
            months = [
                base_month.replace(year=year)
                for year in range(base_month.year + 1, today.year + 1)
                if base_month.replace(year=year) <= today
            ]
            known = Value._get_values(
                (term.index_id.id, month)
                for term in self.revision_term_ids
                for month in months
            )
        example = []
        for term in self.revision_term_ids:
            index = term.index_id
            if self.revision_index_rule == "same_month":
                found = sorted(
                    (month, value)
                    for (index_id, month), value in known.items()
                    if index_id == index.id
                )
                month, value = found[-1] if found else (False, False)
            else:
                month, value = index._get_last_value(today)
            if not value or (base_month and month <= base_month):
                month, value = base_month, term.base_value
            example.append((term, term.base_value, (month, value)))
        return example

    def _revision_clause_html(self):
        """The clause in words, then the formula, then the worked example on
        the contract's annual amount; empty without a clause."""
        self.ensure_one()
        if not self.has_revision:
            return False
        env = self.env
        currency = self.currency_id
        paragraphs = []
        if self.revision_date:
            paragraphs.append(
                env._(
                    "Prices are revised every year on the revision date (next "
                    "revision: %(date)s), by the formula:",
                    date=format_date(env, self.revision_date),
                )
            )
        else:
            paragraphs.append(env._("Prices are revised every year by the formula:"))
        lines = [Markup("<p>%s</p>") % paragraphs[0]]
        lines.append(Markup("<p><strong>%s</strong></p>") % self._revision_formula())
        definitions = [
            env._("P0 is the price before the revision and P the revised price;")
        ]
        same_month = self.revision_index_rule == "same_month"
        for term in self.revision_term_ids:
            index = term.index_id
            values = {
                "code": index.code,
                "index": index.name,
                "month": self._revision_month(self.revision_base_date),
                "value": self._revision_number(term.base_value),
            }
            if same_month:
                definitions.append(
                    env._(
                        "%(code)s0 is the value of the index %(index)s for "
                        "%(month)s (%(value)s) and %(code)s its value for the "
                        "same month of the revision year;",
                        **values,
                    )
                )
            else:
                definitions.append(
                    env._(
                        "%(code)s0 is the value of the index %(index)s for "
                        "%(month)s (%(value)s) and %(code)s its last value "
                        "published at the revision date;",
                        **values,
                    )
                )
        rounding = env._(
            "the coefficient is rounded to %(digits)s decimals",
            digits=self.revision_digits,
        )
        if self.revision_min:
            rounding += ", " + env._(
                "with a floor of %(minimum)s",
                minimum=self._revision_number(self.revision_min),
            )
        if self.revision_max:
            rounding += ", " + env._(
                "with a cap of %(maximum)s",
                maximum=self._revision_number(self.revision_max),
            )
        definitions.append(
            env._(
                "%(rounding)s; prices are rounded to the currency's precision "
                "(%(unit)s).",
                rounding=rounding,
                unit=format_amount(env, currency.rounding, currency),
            )
        )
        lines.append(
            Markup("<ul>%s</ul>")
            % Markup("").join(Markup("<li>%s</li>") % text for text in definitions)
        )
        lines.append(Markup("<p>%s</p>") % self._revision_example_text())
        return Markup("").join(lines)

    def _revision_example_text(self):
        """Worked example: with ING0 = 121.2 (August 2021) and ING = 130.5
        (August 2023), coefficient 1.065223, 1,200.00 becomes 1,278.27."""
        self.ensure_one()
        env = self.env
        example = self._revision_example_values()
        coefficient = revision_coefficient(
            self.revision_fixed_part,
            [(term.weight, base, value) for term, base, (_m, value) in example],
            minimum=self.revision_min,
            maximum=self.revision_max,
            digits=self.revision_digits,
        )
        values = ", ".join(
            env._(
                "%(code)s0 = %(base)s (%(base_month)s) and %(code)s = %(value)s "
                "(%(month)s)",
                code=term.index_id.code,
                base=self._revision_number(base),
                base_month=self._revision_month(self.revision_base_date),
                value=self._revision_number(value),
                month=self._revision_month(month),
            )
            for term, base, (month, value) in example
        )
        amount = self.amount_annual
        currency = self.currency_id
        return env._(
            "Worked example: with %(values)s, the coefficient is %(coefficient)s "
            "and an annual amount of %(before)s becomes %(after)s.",
            values=values,
            coefficient=self._revision_number(
                coefficient, significant_digits(coefficient, self.revision_digits)
            ),
            before=format_amount(env, amount, currency),
            after=format_amount(
                env, revised_price(amount, coefficient, currency.rounding), currency
            ),
        )
