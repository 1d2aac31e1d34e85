from collections import defaultdict

from odoo import api, fields, models

PROFIT_GROUP = "service_contract.group_service_contract_user"


class ServiceContract(models.Model):
    """What a contract earns and costs over its current term.

    Stored, recomputed by the ORM whenever what they are made of changes:
    the contract's invoice lines (posting, cancelling, credit notes), its
    interventions (done, costs) and its term (renewal). Read from
    ``service.contract.profitability.report`` in one grouped query per batch
    of contracts, so that the contract and the report never disagree.
    """

    _inherit = "service.contract"

    invoice_line_ids = fields.One2many(
        "account.move.line",
        "service_contract_id",
        string="Invoice Lines",
        groups="account.group_account_invoice,account.group_account_readonly",
    )
    revenue_invoiced = fields.Monetary(
        string="Revenue (Term)",
        currency_field="company_currency_id",
        compute="_compute_profitability",
        store=True,
        groups=PROFIT_GROUP,
        help="Untaxed amount of the posted invoices, less credit notes, dated "
        "in the current term, in the company's currency.",
    )
    cost_total = fields.Monetary(
        string="Costs (Term)",
        currency_field="company_currency_id",
        compute="_compute_profitability",
        store=True,
        groups=PROFIT_GROUP,
        help="Labour, parts and travel of the visits done in the current term.",
    )
    margin = fields.Monetary(
        string="Margin (Term)",
        currency_field="company_currency_id",
        compute="_compute_profitability",
        store=True,
        groups=PROFIT_GROUP,
        help="Revenue invoiced minus costs, over the current term.",
    )
    margin_rate = fields.Float(
        string="Margin Rate (Term)",
        compute="_compute_profitability",
        store=True,
        groups=PROFIT_GROUP,
        help="Margin divided by the revenue invoiced (0.25 is 25%); 0 when "
        "nothing was invoiced.",
    )

    @api.depends(
        "date_start",
        "date_term_start",
        "date_end",
        "invoice_line_ids.balance",
        "invoice_line_ids.date",
        "invoice_line_ids.parent_state",
        "intervention_ids.state",
        "intervention_ids.date_done",
        "intervention_ids.cost_total",
    )
    def _compute_profitability(self):
        figures = self._get_profitability_by_day()
        for contract in self:
            start, _count, _unit = contract._get_current_term()
            end = contract.date_end
            revenue = cost = 0.0
            for day, day_revenue, day_cost in figures.get(contract._origin.id, ()):
                if (not start or day >= start) and (not end or day <= end):
                    revenue += day_revenue
                    cost += day_cost
            currency = contract.company_id.currency_id
            contract.revenue_invoiced = currency.round(revenue)
            contract.cost_total = currency.round(cost)
            contract.margin = currency.round(revenue - cost)
            contract.margin_rate = (
                (revenue - cost) / revenue if not currency.is_zero(revenue) else 0.0
            )

    def _get_profitability_by_day(self):
        """{contract id: [(day, revenue, cost)]} in one grouped query.

        As superuser: the figures belong to the contract, a contract user
        without accounting rights sees them (never the invoices).
        """
        figures = defaultdict(list)
        if not self.ids:
            return figures
        report = self.env["service.contract.profitability.report"].sudo()
        for contract, day, revenue, cost in report._read_group(
            [("contract_id", "in", self.ids)],
            ["contract_id", "date:day"],
            ["revenue:sum", "cost_total:sum"],
        ):
            figures[contract.id].append((day, revenue, cost))
        return figures

    def _get_profitability_between(self, date_from, date_to):
        """{contract id: (revenue, cost)} of these contracts from
        ``date_from`` to ``date_to`` included (company currency), read
        from the profitability report as the contract's own figures are:
        invoices by their date, visits by the day they were done in the
        company's time zone. As superuser (see above)."""
        report = self.env["service.contract.profitability.report"].sudo()
        return {
            contract.id: (revenue, cost)
            for contract, revenue, cost in report._read_group(
                [
                    ("contract_id", "in", self.ids),
                    ("date", ">=", date_from),
                    ("date", "<=", date_to),
                ],
                ["contract_id"],
                ["revenue:sum", "cost_total:sum"],
            )
        }

    def action_view_profitability(self):
        """The profitability report of the contract, month by month."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_contract.service_contract_profitability_report_action"
        )
        action["domain"] = [("contract_id", "=", self.id)]
        action["context"] = {
            "search_default_group_by_month": 1,
            "default_contract_id": self.id,
        }
        action["display_name"] = self.env._(
            "Profitability of %(contract)s", contract=self.display_name
        )
        return action
