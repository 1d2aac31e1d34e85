from odoo import api, fields, models

from .date_utils import FREQUENCY_MONTHS


class ServiceContract(models.Model):
    """Monthly recurring revenue (MRR) of a contract; its movement is the
    MRR movement report (report/service_contract_mrr_report.py)."""

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

    amount_mrr = fields.Monetary(
        string="MRR",
        currency_field="company_currency_id",
        compute="_compute_amount_mrr",
        store=True,
        help="Monthly recurring revenue in force: the monthly recurring revenue "
        "of a running contract, in the company's currency, and zero for a "
        "contract not running (draft, to sign, closed or cancelled), so that "
        "a total of contracts is the MRR they bring.",
    )

    @api.depends("state", "amount_monthly")
    def _compute_amount_mrr(self):
        for contract in self:
            running = contract.state == "running"
            contract.amount_mrr = contract.amount_monthly if running else 0.0

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
