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

    def _get_invoice_adjustments(self):
        """Revisions not yet stated on an invoice."""
        res = super()._get_invoice_adjustments()
        res.append(
            self.contract_id.revision_ids.filtered(
                lambda r: not r.move_id or r.move_id._is_service_contract_void()
            )
        )
        return res


class ServiceContractRevision(models.Model):
    _inherit = "service.contract.revision"

    _adjustment_line_field = "service_revision_id"

    def _get_adjustment_date(self):
        return self.date

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
        if not currency.is_zero(self.catch_up_amount):
            vals_list += contract._prepare_catch_up_line_vals(
                context,
                partner,
                self.catch_up_amount,
                env._(
                    "%(contract)s: price revision of %(date)s on the "
                    "periods already invoiced at the former price "
                    "(%(amount)s)",
                    contract=contract.name,
                    date=format_date(env, self.date),
                    amount=format_amount(env, self.catch_up_amount, currency),
                ),
            )
        return vals_list
