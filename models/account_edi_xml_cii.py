from odoo import models


class AccountEdiXmlCii(models.AbstractModel):
    """Factur-X (CII) of contract invoices: the invoice's service period
    (BT-73/74), its contract's reference (BT-12) and, on a credit note, the
    customer's order reference of the invoice it reverses (BT-13). The
    lines' periods (BT-134/135) are in the template
    (data/account_edi_cii_templates.xml)."""

    _inherit = "account.edi.xml.cii"

    def _export_invoice_vals(self, invoice):
        vals = super()._export_invoice_vals(invoice)
        lines = invoice.invoice_line_ids.filtered("service_period_start")
        if not lines:
            return vals
        vals["billing_start"] = min(lines.mapped("service_period_start"))
        vals["billing_end"] = max(lines.mapped("service_period_end"))
        # One contract reference only (BT-12 holds one): an invoice grouping
        # several contracts names each on its lines. As superuser: an
        # accountant needs no contract rights to export.
        contracts = lines.sudo().service_contract_id
        if not vals.get("contract_reference") and len(contracts) == 1:
            vals["contract_reference"] = contracts.name
        # The order reference is the invoice's (as in Odoo's export); a credit
        # note's own reference says what it reverses, so it gives the one of
        # its invoice, when the Chorus Pro field does not give one.
        reversed_move = invoice.reversed_entry_id
        chorus_ref = "purchase_order_reference" in invoice._fields and (
            invoice.purchase_order_reference
        )
        if reversed_move.ref and not chorus_ref:
            vals["purchase_order_reference"] = reversed_move.ref
        return vals
