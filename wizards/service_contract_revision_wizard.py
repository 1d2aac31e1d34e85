from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

REVISION_KINDS = [
    ("index", "Index clause"),
    ("percentage", "Negotiated percentage"),
]


class ServiceContractRevisionWizard(models.TransientModel):
    """Preview the price revision of one contract or a selection, then apply
    it to the contracts the manager ticks: by the contract's index clause,
    or by a percentage negotiated with the customer."""

    _name = "service.contract.revision.wizard"
    _description = "Revise Contract Prices"

    date = fields.Date(
        string="Revise Up To",
        required=True,
        default=lambda self: self.env.company._service_today(),
        help="Contracts whose revision date has come by this date are revised, "
        "each from its own revision date.",
    )
    kind = fields.Selection(
        REVISION_KINDS,
        string="Revise By",
        required=True,
        default="index",
        help="Index clause: the contract's formula with the published index "
        "values.\nNegotiated percentage: the percentage agreed with the "
        "customer instead of the index, recorded as such in the history.",
    )
    percentage = fields.Float(
        digits=(16, 4),
        help="Price change agreed with the customer, e.g. 2.5 for +2.5% or "
        "-1 for -1%.",
    )
    line_ids = fields.One2many(
        "service.contract.revision.wizard.line", "wizard_id", string="Contracts"
    )
    blocked_count = fields.Integer(compute="_compute_counts")
    to_apply_count = fields.Integer(compute="_compute_counts")

    @api.depends("line_ids.to_apply", "line_ids.blocked")
    def _compute_counts(self):
        for wizard in self:
            wizard.blocked_count = len(wizard.line_ids.filtered("blocked"))
            wizard.to_apply_count = len(
                wizard.line_ids.filtered(
                    lambda line: line.to_apply and not line.blocked
                )
            )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if (
            "line_ids" in fields_list
            and not values.get("line_ids")
            and context.get("active_model") == "service.contract"
        ):
            contracts = self.env["service.contract"].browse(
                context.get("active_ids") or []
            )
            values["line_ids"] = [
                Command.create({"contract_id": contract.id}) for contract in contracts
            ]
        return values

    @api.constrains("percentage", "kind")
    def _check_percentage(self):
        for wizard in self:
            if wizard.kind == "percentage" and wizard.percentage <= -100:
                raise ValidationError(
                    self.env._(
                        "A negotiated percentage must be above -100%% "
                        "(%(percentage)s%% given).",
                        percentage=wizard.percentage,
                    )
                )

    # ------------------------------------------------------------------
    # Proposals
    # ------------------------------------------------------------------

    def _get_proposals(self, contracts):
        """{contract id: proposal} of the running ``contracts`` whose
        revision date has come by the wizard's date, each on its own
        revision date: by their clause, or by the negotiated percentage
        (with or without a clause)."""
        self.ensure_one()
        due = contracts.filtered(
            lambda c: c.state == "running"
            and c.revision_date
            and c.revision_date <= self.date
        )
        if self.kind == "percentage":
            if self.percentage <= -100:
                return {}
            return due._get_percentage_proposals(self.percentage)
        return due.filtered("has_revision")._get_revision_proposals()

    # ------------------------------------------------------------------
    # Apply
    # ------------------------------------------------------------------

    def action_apply(self):
        """Revise the ticked contracts that can be revised, from proposals
        computed again now (never from what the form shows); those that
        cannot (index value missing, not due) are left as they are."""
        self.ensure_one()
        self.env["service.contract"]._check_manager(
            self.env._("Only contract managers can revise prices.")
        )
        lines = self.line_ids.filtered(lambda line: line.to_apply and not line.blocked)
        if not lines:
            raise UserError(
                self.env._(
                    "Nothing to revise: tick at least one contract that can be "
                    "revised."
                )
            )
        contracts = lines.contract_id
        proposals = self._get_proposals(contracts)
        revisions = contracts._apply_revisions(proposals)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Price Revisions"),
            "res_model": "service.contract.revision",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", revisions.ids)],
            "target": "current",
        }


class ServiceContractRevisionWizardLine(models.TransientModel):
    """One contract in the preview: what its revision would be."""

    _name = "service.contract.revision.wizard.line"
    _description = "Contract Price Revision Preview"

    wizard_id = fields.Many2one(
        "service.contract.revision.wizard", required=True, ondelete="cascade"
    )
    contract_id = fields.Many2one("service.contract", required=True, readonly=True)
    partner_id = fields.Many2one(related="contract_id.partner_id", string="Customer")
    currency_id = fields.Many2one(related="contract_id.currency_id")
    to_apply = fields.Boolean(
        string="Apply",
        default=True,
        help="Untick the contracts to leave as they are. Contracts that cannot "
        "be revised (see why) are never applied.",
    )
    revision_date = fields.Date(compute="_compute_proposal")
    index_values = fields.Char(
        compute="_compute_proposal",
        help="Each index of the clause: its base value and the value used now.",
    )
    coefficient = fields.Float(digits=(16, 6), compute="_compute_proposal")
    amount_before = fields.Monetary(
        string="Yearly Amount Before", compute="_compute_proposal"
    )
    amount_after = fields.Monetary(
        string="Yearly Amount After", compute="_compute_proposal"
    )
    blocked = fields.Boolean(compute="_compute_proposal")
    blocked_reason = fields.Char(string="Why Not", compute="_compute_proposal")

    @api.depends(
        "contract_id", "wizard_id.date", "wizard_id.kind", "wizard_id.percentage"
    )
    def _compute_proposal(self):
        """Computed for the whole wizard at once (a few queries, whatever
        the number of contracts)."""
        for wizard, lines in self.grouped("wizard_id").items():
            proposals = wizard._get_proposals(lines.contract_id._origin)
            for line in lines:
                line._set_proposal(proposals.get(line.contract_id._origin.id))

    def _set_proposal(self, proposal):
        self.ensure_one()
        if not proposal:
            self.update(
                {
                    "revision_date": self.contract_id.revision_date,
                    "index_values": False,
                    "coefficient": 0.0,
                    "amount_before": self.contract_id.amount_annual,
                    "amount_after": 0.0,
                    "blocked": True,
                    "blocked_reason": self._get_not_due_reason(),
                }
            )
            return
        missing = proposal.get("missing") or []
        self.update(
            {
                "revision_date": proposal["date"],
                "index_values": self._format_values(proposal.get("values") or []),
                "coefficient": proposal["coefficient"] if not missing else 0.0,
                "amount_before": proposal["amount_before"],
                "amount_after": proposal["amount_after"] if not missing else 0.0,
                "blocked": bool(missing),
                "blocked_reason": self._format_missing(missing) if missing else False,
            }
        )

    def _get_not_due_reason(self):
        contract = self.contract_id
        wizard = self.wizard_id
        if contract.state != "running":
            return self.env._("The contract is not running.")
        if wizard.kind == "percentage" and wizard.percentage <= -100:
            return self.env._("A negotiated percentage must be above -100%.")
        if wizard.kind == "index" and not contract.has_revision:
            return self.env._(
                "The contract has no revision clause: apply a negotiated "
                "percentage instead."
            )
        return self.env._(
            "No revision due by this date (next revision: %(date)s).",
            date=format_date(self.env, contract.revision_date),
        )

    def _format_values(self, values):
        """ING 121.2 (August 2021) → 130.5 (August 2023); ..."""
        contract = self.contract_id
        parts = []
        for value in values:
            index = self.env["service.price.index"].browse(value["index_id"])
            parts.append(
                self.env._(
                    "%(code)s %(base)s (%(base_month)s) → %(value)s (%(month)s)",
                    code=index.code,
                    base=contract._revision_number(value["base_value"]),
                    base_month=contract._revision_month(value["base_date"]),
                    value=contract._revision_number(value["value"])
                    if value.get("value")
                    else "?",
                    month=contract._revision_month(value["date"]),
                )
            )
        return "; ".join(parts)

    def _format_missing(self, missing):
        """index ING for 2026-08 missing, ..."""
        return self.contract_id._format_missing_values(missing)
