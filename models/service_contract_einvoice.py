"""Contract invoices ready for e-invoicing (Factur-X through Odoo's own
exporter, account_edi_ubl_cii) and the French B2B mentions of the printed
invoice (README.md, "Getting paid: e-invoicing")."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import formatLang


class ResCompany(models.Model):
    _inherit = "res.company"

    # Read by the dunning to compute the penalties: percent per year.
    sc_late_penalty_rate = fields.Float(
        string="Late-Payment Penalty Rate (%/year)",
        digits=(5, 2),
        default=12.15,
        help="Yearly rate of the late-payment penalties (Code de commerce "
        "L441-10: at least three times the legal interest rate; usually the "
        "ECB rate plus 10 points). Printed in place of {rate} in the "
        "penalty mention.",
    )
    # Empty, the standard mentions are printed, in the customer's language.
    sc_late_penalty_note = fields.Text(
        string="Late-Payment Penalty Mention",
        translate=True,
        help="Printed on the invoices of professional customers; {rate} "
        "stands for the penalty rate. Empty: the standard mention, in the "
        "customer's language.",
    )
    sc_recovery_indemnity_note = fields.Text(
        string="Recovery Indemnity Mention",
        translate=True,
        help="Printed on the invoices of professional customers. Empty: the "
        "standard mention, in the customer's language.",
    )
    sc_operation_category = fields.Selection(
        [
            ("services", "Provision of services"),
            ("goods", "Delivery of goods"),
            ("mixed", "Delivery of goods and provision of services"),
        ],
        string="Operation Category",
        default="services",
        help="The category of the operations invoiced, printed on every "
        "customer invoice. Empty: not printed.",
    )

    @api.constrains("sc_late_penalty_rate")
    def _check_sc_late_penalty_rate(self):
        for company in self:
            if company.sc_late_penalty_rate < 0:
                raise ValidationError(
                    self.env._(
                        "The late-payment penalty rate of %(company)s cannot be "
                        "negative (%(rate)s).",
                        company=company.name,
                        rate=company.sc_late_penalty_rate,
                    )
                )

    def _get_sc_late_penalty_mention(self):
        """The penalty mention, its {rate} replaced by the company's rate, in
        the language of the environment (the reader's)."""
        self.ensure_one()
        note = self.sc_late_penalty_note or self.env._(
            "Late-payment penalties: yearly rate of {rate} % (ECB rate plus 10 "
            "points), due from the day after the due date without a reminder."
        )
        rate = formatLang(self.env, self.sc_late_penalty_rate, digits=2)
        return note.replace("{rate}", rate)

    def _get_sc_recovery_indemnity_mention(self):
        self.ensure_one()
        return self.sc_recovery_indemnity_note or self.env._(
            "Flat-rate indemnity for recovery costs in case of late payment: "
            "EUR 40 (Code de commerce, articles L441-10 and D441-5)."
        )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sc_late_penalty_rate = fields.Float(
        related="company_id.sc_late_penalty_rate", readonly=False
    )
    sc_late_penalty_note = fields.Text(
        related="company_id.sc_late_penalty_note", readonly=False
    )
    sc_recovery_indemnity_note = fields.Text(
        related="company_id.sc_recovery_indemnity_note", readonly=False
    )
    sc_operation_category = fields.Selection(
        related="company_id.sc_operation_category", readonly=False
    )


class ServiceContract(models.Model):
    _inherit = "service.contract"

    customer_order_ref = fields.Char(
        string="Customer Order Reference",
        tracking=True,
        help="The customer's purchase order or commitment number for this "
        "contract (the 'engagement juridique' of a public buyer on Chorus "
        "Pro): the reference of each of its invoices (BT-13).",
    )
    customer_service_code = fields.Char(
        tracking=True,
        help="The customer's 'service exécutant' on Chorus Pro, copied to each "
        "invoice when the Chorus Pro module is installed (BT-10).",
    )

    def _get_einvoice_reference_vals(self):
        """The invoice values of these contracts' references, each when they
        give one value (a grouped invoice of contracts with different
        references carries none of them): the customer's order reference
        and, with the Chorus Pro module, the order reference (BT-13), the
        service code (BT-10) and the contract (BT-12) in its fields."""
        vals = {}
        order_refs = set(self.mapped("customer_order_ref"))
        order_ref = order_refs.pop() if len(order_refs) == 1 else False
        if order_ref:
            vals["ref"] = order_ref
        move_fields = self.env["account.move"]._fields
        if "purchase_order_reference" in move_fields and order_ref:
            vals["purchase_order_reference"] = order_ref
        service_codes = set(self.mapped("customer_service_code"))
        if "buyer_reference" in move_fields and len(service_codes) == 1:
            vals["buyer_reference"] = service_codes.pop() or False
        if "contract_reference" in move_fields and len(self) == 1:
            vals["contract_reference"] = self.name
        return vals

    def _get_catch_up_service_period(self, day):
        """The service period of a catch-up from ``day`` on: the days of the
        periods already invoiced from that day (the start, the end), or
        (False, False) when none is."""
        self.ensure_one()
        periods = self.period_ids.filtered(
            lambda p: p.state == "invoiced" and p.date_to >= day
        )
        if not periods:
            return False, False
        return (
            max(day, min(periods.mapped("date_from"))),
            max(periods.mapped("date_to")),
        )


def _with_catch_up_period(adjustment, vals_list):
    """The lines of an adjustment (a price revision, an amendment) carry the
    service period of its catch-up (BT-134/135 of the Factur-X export)."""
    start, end = adjustment.contract_id._get_catch_up_service_period(
        adjustment._get_adjustment_date()
    )
    if start:
        for command in vals_list:
            if not command[2].get("display_type"):
                command[2].setdefault("service_period_start", start)
                command[2].setdefault("service_period_end", end)
    return vals_list


class ServiceContractRevision(models.Model):
    _inherit = "service.contract.revision"

    def _prepare_invoice_line_vals(self, context, partner):
        vals_list = super()._prepare_invoice_line_vals(context, partner)
        return _with_catch_up_period(self, vals_list)


class ServiceContractAmendment(models.Model):
    _inherit = "service.contract.amendment"

    def _prepare_invoice_line_vals(self, context, partner):
        vals_list = super()._prepare_invoice_line_vals(context, partner)
        return _with_catch_up_period(self, vals_list)


class ServiceIntervention(models.Model):
    _inherit = "service.intervention"

    def _prepare_invoice_vals(self):
        """A visit's invoice carries its contract's references."""
        vals = super()._prepare_invoice_vals()
        vals.update(self.contract_id._get_einvoice_reference_vals())
        return vals

    def _prepare_invoice_line_vals(self, line, fiscal_position):
        """Each line of a visit's invoice: the day of the visit (in the
        user's time zone) as its service period."""
        vals = super()._prepare_invoice_line_vals(line, fiscal_position)
        if self.date_done:
            day = fields.Date.context_today(self, self.date_done)
            vals.update(service_period_start=day, service_period_end=day)
        return vals


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # The service period of a contract invoice line, exported as its
    # invoicing period (BT-134/135); a credit note made by reversal keeps it.
    service_period_start = fields.Date(string="Service From", readonly=True)
    service_period_end = fields.Date(string="Service To", readonly=True)


class ServiceContractPeriod(models.Model):
    _inherit = "service.contract.period"

    def _prepare_invoice_line_vals(self, context, partner):
        """Each line of a billing period carries the period's dates."""
        vals_list = super()._prepare_invoice_line_vals(context, partner)
        for command in vals_list:
            command[2].update(
                service_period_start=self.date_from, service_period_end=self.date_to
            )
        return vals_list

    def _prepare_invoice_vals(self, context):
        """The customer's order reference and Chorus Pro codes of the
        contracts (``service.contract._get_einvoice_reference_vals``)."""
        vals = super()._prepare_invoice_vals(context)
        vals.update(self.contract_id._get_einvoice_reference_vals())
        return vals

    def _prefetch_invoicing_data(self):
        res = super()._prefetch_invoicing_data()
        self.contract_id.fetch(["customer_order_ref", "customer_service_code"])
        return res
