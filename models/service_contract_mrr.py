from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import date_utils

from .date_utils import FREQUENCY_MONTHS

MRR_MOVEMENTS = ("new", "renewed", "revised", "terminated")


class ServiceContract(models.Model):
    """Monthly recurring revenue (MRR) of a contract and its movement."""

    _inherit = "service.contract"

    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    amount_monthly = fields.Monetary(
        string="Monthly Recurring Revenue",
        currency_field="company_currency_id",
        compute="_compute_amount_monthly",
        store=True,
        help="Untaxed recurring amount per month, in the company's currency "
        "(a yearly 1,200.00 makes 100.00 a month). A contract in another "
        "currency is converted at the rate of the start of its current term.",
    )

    @api.depends(
        "amount_untaxed",
        "invoicing_frequency",
        "currency_id",
        "company_id",
        "date_start",
        "date_term_start",
    )
    def _compute_amount_monthly(self):
        monthly = self._get_amounts_monthly(
            {contract: contract.amount_untaxed for contract in self}
        )
        for contract in self:
            contract.amount_monthly = monthly[contract]

    def _get_amounts_monthly(self, amounts):
        """The monthly recurring revenue of the contracts for their untaxed
        amounts ``amounts`` ({contract: amount}), in the company's currency;
        one rate per currency, company and day, not one per contract."""
        rates = {}
        monthly = {}
        for contract, untaxed in amounts.items():
            months = FREQUENCY_MONTHS.get(contract.invoicing_frequency, 12)
            amount = untaxed / months
            currency = contract.currency_id
            company = contract.company_id
            if currency and company and currency != company.currency_id:
                day = (
                    contract.date_term_start
                    or contract.date_start
                    or fields.Date.context_today(contract)
                )
                key = (currency, company, day)
                if key not in rates:
                    rates[key] = currency._get_conversion_rate(
                        currency, company.currency_id, company, day
                    )
                amount *= rates[key]
            monthly[contract] = company.currency_id.round(amount)
        return monthly

    # ------------------------------------------------------------------
    # MRR movement
    # ------------------------------------------------------------------

    def _get_mrr_domain(self):
        """The contracts of ``self``, or all those of the companies of the
        environment when called on the empty model."""
        if self:
            return [("contract_id", "in", self.ids)]
        return [("company_id", "in", self.env.companies.ids)]

    def _get_mrr_movement(self, date_from, date_to):
        """Monthly MRR movement from ``date_from`` to ``date_to`` (company
        currency) of these contracts, or of all the contracts of the
        companies of the environment when called on the empty model.

        Returns one dict per month, oldest first: ``date`` (first day of the
        month), ``mrr_start`` (MRR in force the day before), ``new``,
        ``renewed`` (MRR renewed that month, which does not change the
        total), ``revised`` (price revisions), ``terminated`` (negative),
        ``mrr`` (MRR in force at the end of the month) and ``arr``
        (12 x ``mrr``). Read from ``service.contract.mrr.report``, so that
        the figures are the ones its graph and pivot views show.
        """
        date_from = date_utils.start_of(fields.Date.to_date(date_from), "month")
        date_to = date_utils.end_of(fields.Date.to_date(date_to), "month")
        report = self.env["service.contract.mrr.report"]
        domain = self._get_mrr_domain()
        opening = report._read_group(
            domain + [("date", "<", date_from)], [], ["mrr_change:sum"]
        )[0][0]
        moves = defaultdict(lambda: dict.fromkeys(MRR_MOVEMENTS, 0.0))
        for month, movement, mrr, change in report._read_group(
            domain + [("date", ">=", date_from), ("date", "<=", date_to)],
            ["date:month", "movement"],
            ["mrr:sum", "mrr_change:sum"],
        ):
            # Renewals leave the total unchanged: their figure is the MRR
            # renewed; the other movements change the total.
            moves[month][movement] += mrr if movement == "renewed" else change
        currency = self.env.company.currency_id
        result = []
        month = date_from
        mrr = opening or 0.0
        while month <= date_to:
            figures = moves[month]
            start = mrr
            mrr += figures["new"] + figures["revised"] + figures["terminated"]
            result.append(
                {
                    "date": month,
                    "mrr_start": currency.round(start),
                    **{key: currency.round(value) for key, value in figures.items()},
                    "mrr": currency.round(mrr),
                    "arr": currency.round(mrr * 12),
                }
            )
            month = date_utils.add(month, months=1)
        return result
