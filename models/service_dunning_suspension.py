"""Suspension of a contract's service at the last dunning level, and its
resumption when the customer pays.

A suspended contract's visits are held: none is generated
(``_prepare_missing_interventions``), the open ones stay, marked held, and
cannot be planned or started until the contract resumes. A breakdown is
still recorded, with a warning to the customer and the office. A payment or
credit note that leaves the customer with no overdue contract invoice
resumes its contracts and generates what was held.
"""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .service_lifecycle_guard import lifecycle_action, lifecycle_write


class ServiceContract(models.Model):
    _inherit = "service.contract"

    dunning_suspended = fields.Boolean(
        string="Suspended for Non-Payment",
        readonly=True,
        copy=False,
        tracking=True,
        help="The last dunning level held the service: no visit is generated "
        "or planned until the overdue invoices are paid.",
    )
    dunning_level_id = fields.Many2one(
        "service.dunning.level",
        compute="_compute_dunning_level_id",
        compute_sudo=True,
        help="The highest dunning level reached by the contract's overdue " "invoices.",
    )

    def _get_action_fields(self):
        return (*super()._get_action_fields(), "dunning_suspended")

    def _compute_dunning_level_id(self):
        lines = (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("service_contract_id", "in", self.ids),
                    ("move_id.dunning_level_id", "!=", False),
                    ("move_id.payment_state", "in", ("not_paid", "partial")),
                    ("parent_state", "=", "posted"),
                ]
            )
        )
        for contract in self:
            levels = lines.filtered(
                lambda ln, c=contract: ln.service_contract_id == c
            ).move_id.dunning_level_id
            contract.dunning_level_id = (
                levels.sorted(lambda lv: (lv.delay, lv.sequence))[-1:]
                if levels
                else False
            )

    def _prepare_missing_interventions(self, today):
        """No visit is generated for a suspended contract."""
        return super(
            ServiceContract, self.filtered(lambda c: not c.dunning_suspended)
        )._prepare_missing_interventions(today)

    def _dunning_suspend(self, letter):
        contracts = self.sudo().filtered(
            lambda c: c.state == "running" and not c.dunning_suspended
        )
        if not contracts:
            return
        with lifecycle_write():
            contracts.write({"dunning_suspended": True})
            contracts.intervention_ids.filtered(
                lambda i: i.state in ("to_plan", "planned")
            ).write({"dunning_held": True})
        body = Markup("<p>%s</p>") % self.env._(
            "Service suspended for non-payment: the visits are held until the "
            "overdue invoices are paid."
        )
        contracts._message_log_batch(dict.fromkeys(contracts.ids, body))

    def _dunning_resume(self):
        contracts = self.sudo().filtered("dunning_suspended")
        if not contracts:
            return
        with lifecycle_write():
            contracts.write({"dunning_suspended": False})
            contracts.intervention_ids.filtered("dunning_held").write(
                {"dunning_held": False}
            )
        contracts._generate_interventions(
            min(c.company_id._service_today() for c in contracts)
        )
        body = Markup("<p>%s</p>") % self.env._(
            "Service resumed: the overdue invoices are paid; the held visits "
            "are to plan again."
        )
        contracts._message_log_batch(dict.fromkeys(contracts.ids, body))


class ServiceIntervention(models.Model):
    _inherit = "service.intervention"

    dunning_held = fields.Boolean(
        string="Held (Non-Payment)",
        readonly=True,
        copy=False,
        help="The contract is suspended for non-payment: this visit waits "
        "until the overdue invoices are paid.",
    )

    def _get_action_fields(self):
        return (*super()._get_action_fields(), "dunning_held")

    def _check_dunning_held(self):
        held = self.filtered("dunning_held")
        if held:
            raise UserError(
                self.env._(
                    "%(names)s: the contract is suspended for non-payment; the "
                    "visit is planned again once the overdue invoices are paid.",
                    names=", ".join(held.mapped("name")),
                )
            )

    @lifecycle_action
    def action_plan(self):
        self._check_dunning_held()
        return super().action_plan()

    @lifecycle_action
    def action_start(self):
        self._check_dunning_held()
        return super().action_start()

    @api.model
    def _report_breakdown(self, contract, description, **kwargs):
        """Accepted, but the customer and the office are warned."""
        intervention = super()._report_breakdown(contract, description, **kwargs)
        if contract.dunning_suspended:
            warning = self.env._(
                "The service of contract %(contract)s is suspended for "
                "non-payment: the breakdown is recorded, but a technician is "
                "sent once the overdue invoices are paid.",
                contract=contract.name,
            )
            reported_by = kwargs.get("reported_by")
            intervention.message_post(
                body=warning,
                partner_ids=reported_by.ids if reported_by else [],
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            intervention.activity_schedule(
                "mail.mail_activity_data_warning",
                summary=self.env._("Breakdown on a suspended contract"),
                note=warning,
                user_id=(contract.user_id or self.env.user).id,
            )
        return intervention


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def reconcile(self):
        """A payment or credit note that clears the customer's overdue
        contract invoices resumes its suspended contracts."""
        result = super().reconcile()
        self.move_id._dunning_resume_paid()
        return result


class AccountMove(models.Model):
    _inherit = "account.move"

    def button_cancel(self):
        """A cancelled invoice is no longer overdue: its suspended contracts
        resume if nothing else is."""
        result = super().button_cancel()
        self._dunning_resume_paid()
        return result

    def _dunning_resume_paid(self):
        moves = self.sudo().filtered(lambda m: m.is_invoice())
        if not moves:
            return
        contracts = (
            self.env["service.contract"]
            .sudo()
            .search(
                [
                    ("dunning_suspended", "=", True),
                    "|",
                    (
                        "partner_id.commercial_partner_id",
                        "in",
                        moves.commercial_partner_id.ids,
                    ),
                    (
                        "partner_invoice_id.commercial_partner_id",
                        "in",
                        moves.commercial_partner_id.ids,
                    ),
                ]
            )
        )
        for contract in contracts:
            day = contract.company_id._service_today()
            if not self.sudo().search_count(
                [
                    *self._get_dunning_domain(day),
                    ("invoice_line_ids.service_contract_id", "=", contract.id),
                ],
                limit=1,
            ):
                contract._dunning_resume()


class ServiceContractAlert(models.Model):
    _inherit = "service.contract.alert"
    # Flushed before a search (merged with the other concerns' by Odoo).
    _depends = {
        "account.move": ["dunning_level_id", "dunning_date", "payment_state", "state"],
        "service.contract": ["dunning_suspended"],
    }

    kind = fields.Selection(
        selection_add=[
            ("dunning_letter", "Dunning letter sent"),
            ("dunning_suspended", "Suspended for non-payment"),
        ]
    )

    def _get_alert_actions(self):
        return {
            **super()._get_alert_actions(),
            "dunning_letter": self.env._(
                "Follow up the dunning letter: the invoices are still unpaid"
            ),
            "dunning_suspended": self.env._(
                "Get the overdue invoices paid: the visits are held"
            ),
        }

    def _get_alert_queries(self):
        """One row per contract in dunning: suspended, or with unpaid
        invoices that received a letter (dated by the last one)."""
        return [
            *super()._get_alert_queries(),
            SQL(
                """
                SELECT c.id * 10,
                       CASE WHEN c.dunning_suspended THEN 'dunning_suspended'
                            ELSE 'dunning_letter' END,
                       COALESCE(dun.day, d.today),
                       c.id, NULL, c.partner_id, c.user_id, c.company_id
                  FROM service_contract c
                  JOIN company_day d ON d.company_id = c.company_id
             LEFT JOIN (
                        SELECT l.service_contract_id, MAX(m.dunning_date) AS day
                          FROM account_move m
                          JOIN account_move_line l ON l.move_id = m.id
                         WHERE m.dunning_level_id IS NOT NULL
                           AND m.state = 'posted'
                           AND m.payment_state IN ('not_paid', 'partial')
                           AND l.service_contract_id IS NOT NULL
                         GROUP BY l.service_contract_id
                       ) dun ON dun.service_contract_id = c.id
                 WHERE c.dunning_suspended OR dun.day IS NOT NULL
                """
            ),
        ]
