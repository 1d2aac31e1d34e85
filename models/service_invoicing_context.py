from odoo import Command
from odoo.exceptions import UserError


def default_sale_journal(env, company):
    """The journal of a company's contract invoices when neither the
    contract nor its template names one: its first sales journal."""
    Journal = env["account.journal"]
    return Journal.search(
        [*Journal._check_company_domain(company), ("type", "=", "sale")], limit=1
    )


class InvoicingContext:
    """Per-run caches of journals, fiscal positions and accounts, so that
    preparing thousands of invoices costs no query per invoice; and the
    adjustments of the run, {period id: [adjustment]}, that the invoice of
    each period carries (``_get_adjustments_to_bill``, computed once per
    batch)."""

    def __init__(self, env, adjustments=None):
        self.env = env
        self.adjustments = adjustments or {}
        self._journals = {}
        self._positions = {}
        self._accounts = {}
        self._labels = {}
        self._taxes = {}
        self._company_has_fpos = {}
        self._distributions = {}
        self._amounts = {}
        self._has_distribution_models = bool(
            env["account.analytic.distribution.model"].search_count([], limit=1)
        )
        self.price_digits = env["decimal.precision"].precision_get("Product Price")

    def label(self, period, lang):
        """The period's label in ``lang``: computed once per dates and lang."""
        key = (period.date_from, period.date_to, lang)
        if key not in self._labels:
            self._labels[key] = period._get_label(lang=lang)
        return self._labels[key]

    def taxes(self, taxes, fiscal_position):
        key = (taxes, fiscal_position)
        if key not in self._taxes:
            self._taxes[key] = fiscal_position.map_tax(taxes).ids
        return self._taxes[key]

    def journal(self, contract):
        if contract.journal_id:
            return contract.journal_id
        company = contract.company_id
        if company not in self._journals:
            journal = default_sale_journal(self.env, company)
            if not journal:
                raise UserError(
                    self.env._(
                        "No sales journal in company %(company)s.",
                        company=company.name,
                    )
                )
            self._journals[company] = journal
        return self._journals[company]

    def fiscal_position(self, partner, contract):
        key = (partner, contract.company_id)
        if key not in self._positions:
            if not self._has_fiscal_positions(contract.company_id):
                return self.env["account.fiscal.position"]
            self._positions[key] = (
                self.env["account.fiscal.position"]
                .with_company(contract.company_id)
                ._get_fiscal_position(partner)
            )
        return self._positions[key]

    def _has_fiscal_positions(self, company):
        if company not in self._company_has_fpos:
            Position = self.env["account.fiscal.position"]
            self._company_has_fpos[company] = bool(
                Position.search_count(Position._check_company_domain(company), limit=1)
            )
        return self._company_has_fpos[company]

    def income_account(self, line, fiscal_position):
        key = (line.product_id, fiscal_position, line.company_id)
        if key not in self._accounts:
            account = self.env["account.account"]
            if line.product_id:
                account = line.product_id.product_tmpl_id.with_company(
                    line.company_id
                ).get_product_accounts(fiscal_pos=fiscal_position)["income"]
            else:
                account = self.journal(line.contract_id).default_account_id
            if not account:
                raise UserError(
                    self.env._(
                        "No income account is set for %(product)s.",
                        product=line.product_id.display_name or line.name,
                    )
                )
            self._accounts[key] = account
        return self._accounts[key]

    def analytic_distribution(self, product, partner, account, company):
        """What the analytic distribution models give an invoice line of this
        product, customer and account: asked once per run and key, where
        Odoo would search the models for each line it creates."""
        if not self._has_distribution_models:
            return False
        partner = partner.commercial_partner_id
        key = (product, partner, account, company)
        if key not in self._distributions:
            self._distributions[key] = (
                self.env["account.analytic.distribution.model"]._get_distribution(
                    {
                        "product_id": product.id,
                        "product_categ_id": product.categ_id.id,
                        "partner_id": partner.id,
                        "partner_category_id": partner.category_id.ids,
                        "account_prefix": account.code,
                        "company_id": company.id,
                    }
                )
                or False
            )
        return self._distributions[key]

    def add_line_amounts(self, line_commands, company, currency):
        """Give the invoice lines the amounts Odoo's tax engine computes.

        Odoo computes an invoice line's accounting amounts (``amount_currency``,
        ``balance``, ``tax_tag_ids``) after creating it and writes every line
        once more (``account.move._sync_tax_lines``): most of the cost of an
        invoice with many lines. Computed here with the same engine, on the
        whole invoice, they are part of the creation values; Odoo computes
        them again, finds them equal and skips the writes. Were they ever to
        differ, Odoo writes its own: the invoice is the same either way.
        Invoices in a foreign currency are left to Odoo (rates). Computed once
        per run for invoices with the same lines and prices.
        """
        if currency != company.currency_id:
            return
        lines = [vals for _command, _id, vals in line_commands]
        key = (
            company,
            currency,
            tuple(
                (
                    vals["product_id"],
                    tuple(vals["tax_ids"][0][2]),
                    vals["price_unit"],
                    vals["quantity"],
                    vals["discount"],
                )
                for vals in lines
            ),
        )
        if key not in self._amounts:
            self._amounts[key] = self._compute_line_amounts(lines, company, currency)
        for vals, amounts in zip(lines, self._amounts[key], strict=True):
            vals.update(amounts)

    def _compute_line_amounts(self, lines, company, currency):
        AccountTax = self.env["account.tax"]
        base_lines = [
            AccountTax._prepare_base_line_for_taxes_computation(
                None,
                product_id=self.env["product.product"].browse(vals["product_id"]),
                tax_ids=AccountTax.browse(vals["tax_ids"][0][2]),
                price_unit=vals["price_unit"],
                quantity=vals["quantity"],
                discount=vals["discount"],
                currency_id=currency,
                sign=-1,
                is_refund=False,
            )
            for vals in lines
        ]
        AccountTax._add_tax_details_in_base_lines(base_lines, company)
        AccountTax._round_base_lines_tax_details(base_lines, company)
        AccountTax._add_accounting_data_in_base_lines_tax_details(base_lines, company)
        amounts = []
        for base_line in base_lines:
            details = base_line["tax_details"]
            amounts.append(
                {
                    "amount_currency": -(
                        details["total_excluded_currency"]
                        + details["delta_total_excluded_currency"]
                    ),
                    "balance": -(
                        details["total_excluded"] + details["delta_total_excluded"]
                    ),
                    "tax_tag_ids": [Command.set(base_line["tax_tag_ids"].ids)],
                }
            )
        return amounts
