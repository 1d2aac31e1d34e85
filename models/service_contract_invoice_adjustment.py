"""What the next invoice of a contract carries besides its periods: a price
revision stated with its catch-up, a signed amendment's adjustment. Each is
put once on the invoice of the first period invoiced that ends on or after
its date, even when one run issues several invoices for a contract, and
records the invoice that carried it. An invoice cancelled or reversed in
full gives it back (it goes on the next invoice again), unless a new draft
replaces the invoice ("Reverse and create a new draft"): the draft carries
it."""

from odoo import Command, models

from .service_lifecycle_guard import lifecycle_write


class ServiceContract(models.Model):
    _inherit = "service.contract"

    def _get_invoice_adjustments(self):
        """Hook: the records (one recordset per kind) the next invoice of
        this contract must carry. Their model provides
        ``_adjustment_line_field`` (the invoice line field naming them),
        ``_get_adjustment_date()`` and ``_prepare_invoice_line_vals(context,
        partner)``, and has a ``move_id``."""
        self.ensure_one()
        return []

    def _prepare_catch_up_line_vals(self, context, partner, amount, name, **values):
        """One invoice line of ``amount`` (a credit when negative) on the
        contract's first service, taxed and accounted like it."""
        self.ensure_one()
        line = self.line_ids[:1]
        if not line:
            return []
        fiscal_position = context.fiscal_position(partner, self)
        account = context.income_account(line, fiscal_position)
        return [
            Command.create(
                {
                    "product_id": line.product_id.id,
                    "name": name,
                    "quantity": 1,
                    "price_unit": amount,
                    "tax_ids": [
                        Command.set(context.taxes(line.tax_ids, fiscal_position))
                    ],
                    "account_id": account.id,
                    "service_contract_id": self.id,
                    **values,
                }
            )
        ]


class ServiceContractPeriod(models.Model):
    _inherit = "service.contract.period"

    def _get_adjustments_to_bill(self):
        """{period_id: [(model, id)]}: each pending adjustment goes on the
        first of these periods (in invoicing order) that ends on or after
        its date."""
        targets = {}
        for contract in self.contract_id:
            pending = [
                record
                for records in contract._get_invoice_adjustments()
                for record in records
            ]
            if not pending:
                continue
            periods = self.filtered(lambda p, c=contract: p.contract_id == c).sorted(
                lambda p: (p.invoice_date, p.date_from)
            )
            for record in pending:
                day = record._get_adjustment_date()
                period = periods.filtered(lambda p, d=day: p.date_to >= d)[:1]
                if period:
                    targets.setdefault(period.id, []).append((record._name, record.id))
        return targets

    def _create_invoices(self):
        targets = self._get_adjustments_to_bill() if self else {}
        periods = self.with_context(service_invoice_adjustments=targets)
        moves, failures = super(ServiceContractPeriod, periods)._create_invoices()
        if targets and moves:
            kinds = {model for items in targets.values() for model, _id in items}
            for model in sorted(kinds):
                field = self.env[model]._adjustment_line_field
                lines = self.env["account.move.line"].search(
                    [("move_id", "in", moves.ids), (field, "!=", False)]
                )
                with lifecycle_write():
                    for line in lines:
                        # Bookkeeping of the invoicing, whoever invoices.
                        line[field].sudo().move_id = line.move_id
        return moves.with_env(self.env), failures

    def _prepare_invoice_vals(self, context):
        vals = super()._prepare_invoice_vals(context)
        targets = self.env.context.get("service_invoice_adjustments") or {}
        items = [item for period in self for item in targets.get(period.id, [])]
        if items:
            partner = self.env["res.partner"].browse(vals["partner_id"])
            for model, record_id in items:
                record = self.env[model].browse(record_id)
                vals["invoice_line_ids"] += record._prepare_invoice_line_vals(
                    context, partner
                )
        return vals


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def _get_service_adjustment_fields(self):
        """The fields naming the adjustment a line carries (the
        ``_adjustment_line_field`` of each kind)."""
        return [
            name
            for name, field in self._fields.items()
            if field.type == "many2one"
            and getattr(self.env[field.comodel_name], "_adjustment_line_field", None)
            == name
        ]

    def copy_data(self, default=None):
        """Lines copied with their business fields (a credit note, the new
        draft replacing a credited invoice) name the same adjustments."""
        vals_list = super().copy_data(default=default)
        if self.env.context.get("include_business_fields"):
            fnames = self._get_service_adjustment_fields()
            for line, vals in zip(self, vals_list, strict=True):
                for fname in fnames:
                    if line[fname]:
                        vals[fname] = line[fname].id
        return vals_list


class AccountMove(models.Model):
    _inherit = "account.move"

    def _take_service_adjustments(self):
        """These invoices carry the adjustments their lines name (as
        superuser: an accountant needs no contract rights)."""
        lines = self.sudo().invoice_line_ids
        with lifecycle_write():
            for fname in lines._get_service_adjustment_fields():
                for line in lines.filtered(fname):
                    line[fname].move_id = line.move_id


class AccountMoveReversal(models.TransientModel):
    _inherit = "account.move.reversal"

    def reverse_moves(self, is_modify=False):
        action = super().reverse_moves(is_modify=is_modify)
        if is_modify:
            self.new_move_ids._take_service_adjustments()
        return action
