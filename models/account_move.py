from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .service_lifecycle_guard import lifecycle_write
from .service_link_guard import billed_partners


class AccountMove(models.Model):
    """Contract invoices and their billing periods.

    A period is invoiced by one live invoice at most. An invoice that is
    cancelled, or reversed in full by a credit note, gives its periods back
    to the schedule and remembers them; reset to draft (or un-reversed), it
    takes them again if they are still free. Accountants need no contract
    rights for any of this: the periods are read and written as superuser.
    """

    _name = "account.move"
    _inherit = [
        "account.move",
        "service.intervention.billed.mixin",
        "service.link.guard",
    ]
    _service_intervention_lines = "invoice_line_ids"

    # Contract fields are for contract users: an accountant reading a whole
    # invoice (read() without field names) skips them. The count is for
    # everyone (the smart button's visibility).
    service_contract_period_ids = fields.One2many(
        "service.contract.period",
        "move_id",
        string="Billing Periods",
        readonly=True,
        groups="service_contract.group_service_contract_user",
    )
    service_contract_released_period_ids = fields.Many2many(
        "service.contract.period",
        "service_contract_period_released_move_rel",
        "move_id",
        "period_id",
        string="Released Billing Periods",
        readonly=True,
        copy=False,
        groups="service_contract.group_service_contract_user",
        help="Periods this invoice gave back to the billing schedule when it "
        "was cancelled or reversed in full.",
    )
    service_contract_ids = fields.Many2many(
        "service.contract",
        string="Service Contracts",
        compute="_compute_service_contract_ids",
        groups="service_contract.group_service_contract_user",
    )
    service_contract_count = fields.Integer(compute="_compute_service_contract_ids")

    @api.depends("invoice_line_ids.service_contract_id")
    def _compute_service_contract_ids(self):
        for move in self:
            move.service_contract_ids = move.invoice_line_ids.service_contract_id
            move.service_contract_count = len(move.service_contract_ids)

    @api.constrains("partner_id", "company_id")
    def _check_service_contract_partner(self):
        self.line_ids._check_service_contract_partner()

    def _get_dunning_skipped(self):
        """The invoices of ``self`` dunning leaves aside: each concern adds
        its own (e.g. an automatic charge still being retried). Defined here,
        with the model, so that no concern depends on another's file."""
        return self.browse()

    def unlink(self):
        """A deleted draft invoice gives its periods back to the schedule
        (as superuser: an accountant needs no contract rights)."""
        with lifecycle_write():
            self.sudo().service_contract_period_ids.write({"move_id": False})
        return super().unlink()

    # ------------------------------------------------------------------
    # Cancellation and reversal: periods given back and taken again
    # ------------------------------------------------------------------

    def _reverse_moves(self, default_values_list=None, cancel=False):
        """A credit note keeps the links of the invoice it reverses."""
        with lifecycle_write():
            return super()._reverse_moves(
                default_values_list=default_values_list, cancel=cancel
            )

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # Posting a credit note reconciles it with the invoice it reverses.
        (posted | posted.reversed_entry_id)._sync_service_contract_periods()
        return posted

    def button_cancel(self):
        res = super().button_cancel()
        self._sync_service_contract_periods()
        return res

    def button_draft(self):
        self._retake_service_interventions()
        reversed_moves = self.reversed_entry_id
        res = super().button_draft()
        (self | reversed_moves)._sync_service_contract_periods()
        return res

    def _retake_service_interventions(self):
        """A cancelled invoice back in use bills its interventions again,
        unless they were invoiced or quoted since on another document (then
        it is refused: never invoiced twice). As superuser: an accountant
        needs no contract rights."""
        for move in self.sudo().filtered(
            lambda m: m.state == "cancel" and m.move_type == "out_invoice"
        ):
            interventions = move.invoice_line_ids.service_intervention_id
            elsewhere = interventions.filtered(lambda i, m=move: i.invoice_id != m)
            rebilled = elsewhere.filtered(
                lambda i: i.invoice_state in ("quoted", "invoiced")
            )
            if rebilled:
                raise UserError(
                    self.env._(
                        "Invoice %(invoice)s cannot be used again: its "
                        "interventions %(names)s have been invoiced again "
                        "since. Cancel the other invoice or quotation first, "
                        "or make a new invoice.",
                        invoice=move.name,
                        names=", ".join(rebilled.mapped("name")),
                    )
                )
            with lifecycle_write():
                elsewhere.write({"invoice_id": move.id})

    def _is_service_contract_void(self):
        """Cancelled, or reversed in full by a credit note."""
        self.ensure_one()
        return self.state == "cancel" or self.payment_state == "reversed"

    def _sync_service_contract_periods(self):
        """Give back the periods of void invoices, take again those of live
        ones. Only customer invoices hold periods."""
        moves = self.sudo().filtered(
            lambda m: m.move_type == "out_invoice"
            and (
                m.service_contract_period_ids or m.service_contract_released_period_ids
            )
        )
        void = moves.filtered(lambda m: m._is_service_contract_void())
        # The invoice's own flow is what changes its periods' invoice.
        with lifecycle_write():
            void._release_service_contract_periods()
            (moves - void)._retake_service_contract_periods()

    def _release_service_contract_periods(self):
        for move in self.filtered("service_contract_period_ids"):
            periods = move.service_contract_period_ids
            move.service_contract_released_period_ids |= periods
            periods.write({"move_id": False})
            if move.state == "cancel":
                message = self.env._(
                    "Invoice %(invoice)s was cancelled: its billing periods are "
                    "to invoice again: %(periods)s"
                )
            else:
                message = self.env._(
                    "Invoice %(invoice)s was reversed in full by a credit note: "
                    "its billing periods are to invoice again: %(periods)s"
                )
            for contract in periods.contract_id:
                contract.message_post(
                    body=message
                    % {
                        "invoice": move.name,
                        "periods": ", ".join(
                            periods.filtered(
                                lambda p, c=contract: p.contract_id == c
                            ).mapped("display_name")
                        ),
                    }
                )

    def _retake_service_contract_periods(self):
        for move in self.filtered("service_contract_released_period_ids"):
            periods = move.service_contract_released_period_ids
            free = periods._lock_skip_locked()
            taken = periods - free
            if taken:
                raise UserError(
                    self.env._(
                        "Invoice %(invoice)s cannot be used again: its billing "
                        "periods %(periods)s have been invoiced again or "
                        "cancelled since. Cancel or credit the other invoice "
                        "first, or make a new invoice.",
                        invoice=move.name,
                        periods=", ".join(taken.mapped("display_name")),
                    )
                )
            periods.write({"move_id": move.id})
            move.service_contract_released_period_ids = [Command.clear()]
            for contract in periods.contract_id:
                contract.message_post(
                    body=self.env._(
                        "Invoice %(invoice)s is back in use: these billing "
                        "periods are invoiced on it again: %(periods)s",
                        invoice=move.name,
                        periods=", ".join(
                            periods.filtered(
                                lambda p, c=contract: p.contract_id == c
                            ).mapped("display_name")
                        ),
                    )
                )

    def action_view_service_contracts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_contract.service_contract_action"
        )
        action["domain"] = [("id", "in", self.service_contract_ids.ids)]
        if len(self.service_contract_ids) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = self.service_contract_ids.id
        return action


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    def unlink(self):
        """A credit note unreconciled from its invoice: the invoice is no
        longer reversed and takes its periods back (or the unreconcile is
        refused if they were invoiced again)."""
        moves = (self.debit_move_id | self.credit_move_id).move_id
        res = super().unlink()
        (moves | moves.reversed_entry_id).exists()._sync_service_contract_periods()
        return res


class AccountMoveReversal(models.TransientModel):
    _inherit = "account.move.reversal"

    def _modify_default_reverse_values(self, origin_move):
        """ "Reverse and create a new draft": the new draft takes over the
        periods its credited original gave back, so that they are not
        invoiced a second time by the scheduled action."""
        values = super()._modify_default_reverse_values(origin_move)
        periods = origin_move.sudo().service_contract_released_period_ids
        if periods:
            values["service_contract_released_period_ids"] = [Command.set(periods.ids)]
        return values

    def reverse_moves(self, is_modify=False):
        """The credit note and the new draft replacing the invoice keep its
        links (contracts, visits, periods given back)."""
        with lifecycle_write():
            action = super().reverse_moves(is_modify=is_modify)
        if is_modify:
            self.new_move_ids._sync_service_contract_periods()
        return action


class AccountMoveLine(models.Model):
    _name = "account.move.line"
    _inherit = ["account.move.line", "service.link.guard"]

    service_contract_id = fields.Many2one(
        "service.contract",
        index="btree_not_null",
        copy=True,
        readonly=True,
    )
    service_intervention_id = fields.Many2one(
        "service.intervention",
        string="Intervention",
        index="btree_not_null",
        copy=True,
        readonly=True,
        help="The intervention whose billable work this line invoices.",
    )

    @api.constrains("service_contract_id", "service_intervention_id", "move_id")
    def _check_service_contract_partner(self):
        """A line names a contract (or a visit of one) of its invoice's
        customer and company: the invoice is shown on that contract's portal
        page and counts in its figures."""
        for line in self.sudo().filtered(
            lambda ml: ml.service_contract_id or ml.service_intervention_id
        ):
            move = line.move_id
            contracts = (
                line.service_contract_id | line.service_intervention_id.contract_id
            )
            wrong = contracts.filtered(
                lambda c, m=move: m.commercial_partner_id not in billed_partners(c)
                or c.company_id != m.company_id
            )
            if wrong:
                raise ValidationError(
                    self.env._(
                        "%(invoice)s is for %(customer)s in %(company)s: it "
                        "cannot bill contract %(contracts)s of another "
                        "customer or company.",
                        invoice=move.display_name,
                        customer=move.commercial_partner_id.display_name or "-",
                        company=move.company_id.name,
                        contracts=", ".join(wrong.mapped("name")),
                    )
                )
