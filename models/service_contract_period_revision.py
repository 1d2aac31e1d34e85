"""The first invoice at revised prices states the revision (date and
coefficient) and carries the catch-up of the periods invoiced at the former
price after the revision date."""

from odoo import Command, fields, models
from odoo.tools import format_amount, format_date

from .service_revision_clause_mixin import _format_number


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    service_revision_id = fields.Many2one(
        "service.contract.revision",
        string="Price Revision",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="set null",
    )


class ServiceContractPeriod(models.Model):
    _inherit = "service.contract.period"

    def _prefetch_invoicing_data(self):
        res = super()._prefetch_invoicing_data()
        self.contract_id.fetch(["revision_ids"])
        self.contract_id.revision_ids.fetch(
            ["date", "coefficient", "catch_up_amount", "move_id", "kind"]
        )
        return res

    def _get_revisions_to_mention(self):
        """{period_id: revisions}: each revision not yet on an invoice goes
        on the invoice of the first of these periods that ends on or after
        its date, so that it is stated once, even when one run issues
        several invoices for a contract."""
        targets = {}
        for contract in self.contract_id:
            pending = contract.revision_ids.filtered(
                lambda r: not r.move_id or r.move_id.state == "cancel"
            )
            if not pending:
                continue
            periods = self.filtered(lambda p, c=contract: p.contract_id == c).sorted(
                lambda p: (p.invoice_date, p.date_from)
            )
            for revision in pending:
                period = periods.filtered(lambda p, r=revision: p.date_to >= r.date)[:1]
                if period:
                    targets.setdefault(period.id, []).append(revision.id)
        return targets

    def _create_invoices(self):
        targets = self._get_revisions_to_mention() if self else {}
        periods = self.with_context(service_revision_targets=targets)
        moves, failures = super(ServiceContractPeriod, periods)._create_invoices()
        if targets and moves:
            lines = self.env["account.move.line"].search(
                [("move_id", "in", moves.ids), ("service_revision_id", "!=", False)]
            )
            for line in lines:
                # Bookkeeping of the invoicing, whoever invoices.
                line.service_revision_id.sudo().move_id = line.move_id
        return moves.with_env(self.env), failures

    def _prepare_invoice_vals(self, context):
        vals = super()._prepare_invoice_vals(context)
        targets = self.env.context.get("service_revision_targets") or {}
        revision_ids = [rid for period in self for rid in targets.get(period.id, [])]
        if revision_ids:
            partner = self.env["res.partner"].browse(vals["partner_id"])
            revisions = self.env["service.contract.revision"].browse(revision_ids)
            for revision in revisions:
                vals["invoice_line_ids"] += revision._prepare_invoice_line_vals(
                    context, partner
                )
        return vals


class ServiceContractRevision(models.Model):
    _inherit = "service.contract.revision"

    def _prepare_invoice_line_vals(self, context, partner):
        """A note stating the revision and, when periods were invoiced at the
        former price after its date, the catch-up line."""
        self.ensure_one()
        contract = self.contract_id
        env = self.with_context(lang=partner.lang).env
        currency = contract.currency_id
        vals_list = [
            Command.create(
                {
                    "display_type": "line_note",
                    "name": env._(
                        "%(contract)s: prices revised on %(date)s, coefficient "
                        "%(coefficient)s.",
                        contract=contract.name,
                        date=format_date(env, self.date),
                        coefficient=_format_number(self.coefficient),
                    ),
                    "service_revision_id": self.id,
                    "service_contract_id": contract.id,
                }
            )
        ]
        line = contract.line_ids[:1]
        if line and not currency.is_zero(self.catch_up_amount):
            fiscal_position = context.fiscal_position(partner, contract)
            account = context.income_account(line, fiscal_position)
            vals_list.append(
                Command.create(
                    {
                        "product_id": line.product_id.id,
                        "name": env._(
                            "%(contract)s: price revision of %(date)s on the "
                            "periods already invoiced at the former price "
                            "(%(amount)s)",
                            contract=contract.name,
                            date=format_date(env, self.date),
                            amount=format_amount(env, self.catch_up_amount, currency),
                        ),
                        "quantity": 1,
                        "price_unit": self.catch_up_amount,
                        "tax_ids": [
                            Command.set(context.taxes(line.tax_ids, fiscal_position))
                        ],
                        "account_id": account.id,
                        "service_contract_id": contract.id,
                    }
                )
            )
        return vals_list
