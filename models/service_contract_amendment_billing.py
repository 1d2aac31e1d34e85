"""The next invoice after a signed amendment carries the adjustment of the
periods already invoiced at the former amounts (a credit when negative),
naming the amendment."""

from odoo import fields, models
from odoo.tools import format_amount, format_date


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

    def _get_invoice_adjustments(self):
        """Signed amendments whose adjustment is not yet invoiced."""
        res = super()._get_invoice_adjustments()
        res.append(
            self.contract_id.amendment_ids.filtered(
                lambda a: a.state == "done"
                and not a.currency_id.is_zero(a.catch_up_amount)
                and (not a.move_id or a.move_id._is_service_contract_void())
            )
        )
        return res


class ServiceContractAmendment(models.Model):
    _inherit = "service.contract.amendment"

    _adjustment_line_field = "service_amendment_id"

    def _get_adjustment_date(self):
        return self.date_effective

    def _prepare_invoice_line_vals(self, context, partner):
        """The adjustment line: the difference on the periods invoiced at the
        former amounts after the effective date."""
        self.ensure_one()
        contract = self.contract_id
        env = self.with_context(lang=partner.lang).env
        return contract._prepare_catch_up_line_vals(
            context,
            partner,
            self.catch_up_amount,
            env._(
                "%(contract)s: adjustment for amendment %(amendment)s "
                "effective %(date)s, on the periods already invoiced "
                "(%(amount)s)",
                contract=contract.name,
                amendment=self.name,
                date=format_date(env, self.date_effective),
                amount=format_amount(env, self.catch_up_amount, contract.currency_id),
            ),
            service_amendment_id=self.id,
        )
