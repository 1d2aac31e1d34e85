"""The next invoice after a signed amendment carries the adjustment of the
periods already invoiced at the former amounts (a credit when negative),
naming the amendment."""

from odoo import Command, fields, models
from odoo.tools import format_amount, format_date

from .service_lifecycle_guard import lifecycle_write


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    service_amendment_id = fields.Many2one(
        "service.contract.amendment",
        string="Contract Amendment",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="set null",
    )


class ServiceContractPeriod(models.Model):
    _inherit = "service.contract.period"

    def _get_amendments_to_bill(self):
        """{period_id: amendment ids}: each signed amendment with an
        adjustment not yet invoiced goes on the first of these periods that
        ends on or after its effective date."""
        targets = {}
        for contract in self.contract_id:
            pending = contract.amendment_ids.filtered(
                lambda a: a.state == "done"
                and not a.currency_id.is_zero(a.catch_up_amount)
                and (not a.move_id or a.move_id.state == "cancel")
            )
            if not pending:
                continue
            periods = self.filtered(lambda p, c=contract: p.contract_id == c).sorted(
                lambda p: (p.invoice_date, p.date_from)
            )
            for amendment in pending:
                period = periods.filtered(
                    lambda p, a=amendment: p.date_to >= a.date_effective
                )[:1]
                if period:
                    targets.setdefault(period.id, []).append(amendment.id)
        return targets

    def _create_invoices(self):
        targets = self._get_amendments_to_bill() if self else {}
        periods = self.with_context(service_amendment_targets=targets)
        moves, failures = super(ServiceContractPeriod, periods)._create_invoices()
        if targets and moves:
            lines = self.env["account.move.line"].search(
                [("move_id", "in", moves.ids), ("service_amendment_id", "!=", False)]
            )
            with lifecycle_write():
                for line in lines:
                    # Bookkeeping of the invoicing, whoever invoices.
                    line.service_amendment_id.sudo().move_id = line.move_id
        return moves.with_env(self.env), failures

    def _prepare_invoice_vals(self, context):
        vals = super()._prepare_invoice_vals(context)
        targets = self.env.context.get("service_amendment_targets") or {}
        amendment_ids = [aid for period in self for aid in targets.get(period.id, [])]
        if amendment_ids:
            partner = self.env["res.partner"].browse(vals["partner_id"])
            for amendment in self.env["service.contract.amendment"].browse(
                amendment_ids
            ):
                vals["invoice_line_ids"] += amendment._prepare_invoice_line_vals(
                    context, partner
                )
        return vals


class ServiceContractAmendment(models.Model):
    _inherit = "service.contract.amendment"

    def _prepare_invoice_line_vals(self, context, partner):
        """The adjustment line: the difference on the periods invoiced at the
        former amounts after the effective date."""
        self.ensure_one()
        contract = self.contract_id
        line = contract.line_ids[:1]
        if not line:
            return []
        env = self.with_context(lang=partner.lang).env
        fiscal_position = context.fiscal_position(partner, contract)
        account = context.income_account(line, fiscal_position)
        return [
            Command.create(
                {
                    "product_id": line.product_id.id,
                    "name": env._(
                        "%(contract)s: adjustment for amendment %(amendment)s "
                        "effective %(date)s, on the periods already invoiced "
                        "(%(amount)s)",
                        contract=contract.name,
                        amendment=self.name,
                        date=format_date(env, self.date_effective),
                        amount=format_amount(
                            env, self.catch_up_amount, contract.currency_id
                        ),
                    ),
                    "quantity": 1,
                    "price_unit": self.catch_up_amount,
                    "tax_ids": [
                        Command.set(context.taxes(line.tax_ids, fiscal_position))
                    ],
                    "account_id": account.id,
                    "service_contract_id": contract.id,
                    "service_amendment_id": self.id,
                }
            )
        ]
