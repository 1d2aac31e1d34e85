"""Leaving OCA's ``contract`` add-on (README.md, "Leaving OCA contract"): its
customer contracts (``contract.contract``) become service contracts taken
over where OCA stopped invoicing them, and OCA's are archived.

The module does not depend on ``contract``: this wizard reads its models
only when they are in the registry (``"contract.contract" in self.env``),
and its menu is hidden otherwise (``ir.ui.menu._load_menus_blacklist``)."""

import logging
import re
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

from ..models.date_utils import FREQUENCY_MONTHS, billing_periods, term_end
from ..models.selection import selection_label
from ..models.service_contract_terms_mixin import MAX_TERM_MONTHS

_logger = logging.getLogger(__name__)

OCA_MODEL = "contract.contract"
# OCA's recurrence (rule, interval) this module's invoicing frequency
# expresses exactly; the others (days, weeks, months ending on their last
# day, other multiples) are reported and skipped.
OCA_FREQUENCIES = {
    ("monthly", 1): "month",
    ("monthly", 3): "quarter",
    ("monthly", 6): "semester",
    ("monthly", 12): "year",
    ("quarterly", 1): "quarter",
    ("quarterly", 2): "semester",
    ("quarterly", 4): "year",
    ("semesterly", 1): "semester",
    ("semesterly", 2): "year",
    ("yearly", 1): "year",
}
OCA_MODES = {"pre-paid": "advance", "post-paid": "arrears"}
OCA_MARKERS = re.compile(r"#(?:START|END|INVOICEMONTHNAME)#")


def strip_oca_markers(text):
    """A line's description without OCA's markers of the period invoiced
    (#START#, #END#, #INVOICEMONTHNAME#): this module's invoices name the
    period themselves.

    >>> strip_oca_markers("Lift maintenance #START# - #END#")
    'Lift maintenance'
    """
    if not text:
        return text
    text = OCA_MARKERS.sub("", text)
    return "\n".join(line.rstrip(" -/:") for line in text.splitlines()).strip()


class ServiceContractOcaConversion(models.TransientModel):
    """Lists OCA's running customer contracts, each with what it becomes or
    why it cannot be converted, then converts those that can."""

    _name = "service.contract.oca.conversion"
    _description = "Convert OCA Contracts"

    state = fields.Selection(
        [("preview", "Preview"), ("done", "Done")], default="preview", readonly=True
    )
    line_ids = fields.One2many(
        "service.contract.oca.conversion.line",
        "wizard_id",
        string="OCA Contracts",
        readonly=True,
    )
    convertible_count = fields.Integer(compute="_compute_counts")
    skipped_count = fields.Integer(compute="_compute_counts")

    @api.depends("line_ids.reason", "line_ids.contract_id")
    def _compute_counts(self):
        for wizard in self:
            skipped = wizard.line_ids.filtered("reason")
            wizard.skipped_count = len(skipped)
            wizard.convertible_count = len(
                (wizard.line_ids - skipped).filtered(lambda line: not line.contract_id)
            )

    @api.model
    def _check_allowed(self):
        self.env["service.contract"]._check_manager(
            self.env._("Only contract managers can convert OCA contracts.")
        )
        if OCA_MODEL not in self.env:
            raise UserError(
                self.env._(
                    "OCA's Contracts add-on (contract) is not installed: there "
                    "is nothing to convert."
                )
            )

    @api.model
    def default_get(self, fields_list):
        self._check_allowed()
        values = super().default_get(fields_list)
        if "line_ids" in fields_list:
            values["line_ids"] = [
                Command.create(line_vals)
                for line_vals in self._get_preview(self._get_oca_contracts())
            ]
        return values

    # ------------------------------------------------------------------
    # Reading OCA's contracts
    # ------------------------------------------------------------------

    @api.model
    def _get_oca_contracts(self, ids=None):
        """OCA's active customer contracts of the user's companies, read as
        superuser (a contract manager need not be an accountant); ``ids``
        restricts them."""
        domain = [
            ("contract_type", "=", "sale"),
            ("company_id", "in", self.env.companies.ids),
        ]
        if ids is not None:
            domain.append(("id", "in", list(ids)))
        return self.env[OCA_MODEL].sudo().search(domain, order="id")

    @api.model
    def _get_preview(self, oca_contracts):
        """Values of one wizard line per OCA contract."""
        invoice_counts = self._count_oca_invoices(oca_contracts)
        vals_list = []
        for oca in oca_contracts:
            plan = self._plan_conversion(oca)
            vals_list.append(
                {
                    "oca_contract_id": oca.id,
                    "name": self._get_oca_name(oca),
                    "partner_id": oca.partner_id.id,
                    "recurrence": self._format_oca_recurrence(oca),
                    "oca_invoice_count": invoice_counts.get(oca.id, 0),
                    "invoiced_until": plan.get("invoiced_until"),
                    "next_invoice_date": plan.get("next_invoice_date"),
                    "reason": plan.get("reason", False),
                }
            )
        return vals_list

    @api.model
    def _count_oca_invoices(self, oca_contracts):
        """{OCA contract id: number of invoices made from its lines}."""
        groups = (
            self.env["account.move.line"]
            .sudo()
            ._read_group(
                [("contract_line_id.contract_id", "in", oca_contracts.ids)],
                ["contract_line_id"],
                ["move_id:array_agg"],
            )
        )
        moves = {}
        for line, move_ids in groups:
            moves.setdefault(line.contract_id.id, set()).update(move_ids)
        return {oca_id: len(ids) for oca_id, ids in moves.items()}

    @api.model
    def _format_oca_recurrence(self, oca):
        """'1 Month(s), Pre-paid': OCA's recurrence, in its own words."""
        lines = self._get_lines_to_convert(oca) or oca.contract_line_ids
        line = lines[:1] or oca
        unit = selection_label(line, "recurring_rule_type", line.recurring_rule_type)
        kind = selection_label(
            line, "recurring_invoicing_type", line.recurring_invoicing_type
        )
        return f"{line.recurring_interval} {unit}, {kind}"

    @api.model
    def _get_oca_name(self, oca):
        """'[CON/7] Lift maintenance': OCA's reference and name."""
        name = oca.name or str(oca.id)
        return f"[{oca.code}] {name}" if oca.code else name

    @api.model
    def _get_lines_to_convert(self, oca):
        """The lines OCA still invoices: services (not sections or notes),
        not cancelled, with a next invoice date."""
        return oca.contract_line_ids.filtered(
            lambda line: not line.display_type
            and not line.is_canceled
            and line.recurring_next_date
        )

    @api.model
    def _plan_conversion(self, oca):
        """What ``oca`` becomes: {"reason": why it cannot be converted} or
        {"vals": values of the service contract, "invoiced_until": last day
        OCA invoiced, "next_invoice_date": first day this module invoices
        (``_take_over``'s ``invoiced_until``)}.

        OCA records what each line invoiced in ``last_date_invoiced``; its
        next period starts the day after, and is the first one this module
        invoices: on its first day in advance (pre-paid), the day after it
        ends in arrears (post-paid), as OCA would have."""
        lines = self._get_lines_to_convert(oca)
        if not lines:
            return {
                "reason": self.env._(
                    "Nothing is left to invoice: its services have ended or "
                    "are cancelled."
                )
            }
        schedules = {
            (
                line.recurring_rule_type,
                line.recurring_interval,
                line.recurring_invoicing_type,
                line.next_period_date_start,
                line.date_end,
            )
            for line in lines
        }
        if len(schedules) > 1:
            return {
                "reason": self.env._(
                    "Its services are invoiced on different schedules (recurrence, "
                    "invoicing type, next period or end date): align them in OCA "
                    "first, or convert it by hand."
                )
            }
        rule, interval, oca_mode, next_start, date_end = schedules.pop()
        frequency = OCA_FREQUENCIES.get((rule, interval))
        if not frequency:
            return {
                "reason": self.env._(
                    "OCA's recurrence (%(recurrence)s) has no equivalent here: "
                    "this module invoices monthly, quarterly, half-yearly or "
                    "yearly.",
                    recurrence=self._format_oca_recurrence(oca),
                )
            }
        date_start = min(lines.mapped("date_start"))
        if not next_start or (date_end and next_start > date_end):
            return {"reason": self.env._("Nothing is left to invoice.")}
        terms = self._get_terms(date_start, date_end, frequency)
        if "reason" in terms:
            return terms
        # This module's periods from the start, each computed from it as
        # its billing schedule makes them: OCA's next one must be one.
        months = FREQUENCY_MONTHS[frequency]
        periods = billing_periods(
            date_start, term_end(next_start, 2 * months, "month"), frequency, False
        )
        period = next((p for p in periods if p[0] == next_start), None)
        if not period:
            return {
                "reason": self.env._(
                    "OCA's next period starts on %(date)s, which is not the start "
                    "of a period counted from %(start)s (%(frequency)s): a start "
                    "on the 29th to 31st, or a date of next invoice changed by "
                    "hand. Convert it by hand.",
                    date=format_date(self.env, next_start),
                    frequency=selection_label(
                        self.env["service.contract"], "invoicing_frequency", frequency
                    ),
                    start=format_date(self.env, date_start),
                )
            }
        mode = OCA_MODES[oca_mode]
        if mode == "advance":
            next_invoice_date = next_start
        else:
            last_day = min(period[1], date_end) if date_end else period[1]
            next_invoice_date = last_day + timedelta(days=1)
        partner = oca.partner_id.commercial_partner_id
        invoice_partner = oca.invoice_partner_id
        if invoice_partner.commercial_partner_id != partner:
            invoice_partner = partner.address_get(["invoice"])["invoice"]
        vals = {
            **terms,
            "partner_id": partner.id,
            "partner_invoice_id": invoice_partner.id,
            "company_id": oca.company_id.id,
            "currency_id": oca.currency_id.id,
            "title": oca.name or self._get_oca_name(oca),
            "date_start": date_start,
            "invoicing_frequency": frequency,
            "invoicing_mode": mode,
            "prorata": False,
            "line_ids": [
                Command.create(
                    {
                        "sequence": line.sequence,
                        "product_id": line.product_id.id,
                        "name": strip_oca_markers(line.name),
                        "quantity": line.quantity,
                        "price_unit": line.price_unit,
                        "discount": line.discount,
                    }
                )
                for line in lines
            ],
        }
        if oca.user_id and not oca.user_id.share:
            vals["user_id"] = oca.user_id.id
        if oca.journal_id.type == "sale":
            vals["journal_id"] = oca.journal_id.id
        if oca.payment_term_id:
            vals["payment_term_id"] = oca.payment_term_id.id
        return {
            "vals": vals,
            "invoiced_until": next_start - timedelta(days=1),
            "next_invoice_date": next_invoice_date,
        }

    @api.model
    def _get_terms(self, date_start, date_end, frequency):
        """The terms of the service contract: OCA's contract ending on
        ``date_end`` has a firm term up to it, without renewal (it must be
        a whole number of months); an open-ended one runs a year at a time,
        renewed tacitly, with the default notice of a template."""
        defaults = self.env["service.contract.template"].default_get(
            ["notice_period", "notice_unit"]
        )
        if not date_end:
            return {
                "duration": 1,
                "duration_unit": "year",
                "renewal_type": "tacit",
                "renewal_duration": 1,
                "renewal_unit": "year",
                "notice_period": defaults.get("notice_period", 1),
                "notice_unit": defaults.get("notice_unit", "month"),
            }
        months = next(
            (
                count
                for count in range(1, MAX_TERM_MONTHS + 1)
                if term_end(date_start, count, "month") >= date_end
            ),
            None,
        )
        if not months or term_end(date_start, months, "month") != date_end:
            return {
                "reason": self.env._(
                    "It ends on %(end)s, which is not a whole number of months "
                    "after its start (%(start)s).",
                    end=format_date(self.env, date_end),
                    start=format_date(self.env, date_start),
                )
            }
        if months < FREQUENCY_MONTHS[frequency]:
            return {
                "reason": self.env._(
                    "It lasts %(months)s months, less than one invoicing period.",
                    months=months,
                )
            }
        yearly = months % 12 == 0
        return {
            "duration": months // 12 if yearly else months,
            "duration_unit": "year" if yearly else "month",
            "renewal_type": "none",
            "renewal_duration": 0,
            "renewal_unit": "year",
            "notice_period": 0,
            "notice_unit": "day",
        }

    # ------------------------------------------------------------------
    # Converting
    # ------------------------------------------------------------------

    def action_convert(self):
        """Convert the OCA contracts of the preview that can be, from their
        data read again now (never from what the form shows), each alone:
        one that fails is reported and left in OCA, the others go on."""
        self.ensure_one()
        self._check_allowed()
        oca_contracts = self._get_oca_contracts(
            self.line_ids.filtered(lambda line: not line.contract_id).mapped(
                "oca_contract_id"
            )
        )
        plans = {oca: self._plan_conversion(oca) for oca in oca_contracts}
        if all("reason" in plan for plan in plans.values()):
            raise UserError(self.env._("There is no OCA contract left to convert."))
        results = {}
        for oca, plan in plans.items():
            if "reason" in plan:
                results[oca.id] = {"reason": plan["reason"]}
                continue
            try:
                with self.env.cr.savepoint():
                    contract = self._convert(oca, plan)
            except (UserError, ValidationError) as error:
                _logger.info("OCA contract %s not converted: %s", oca.id, error)
                results[oca.id] = {
                    "reason": self.env._(
                        "The conversion failed: %(error)s", error=error.args[0]
                    )
                }
                continue
            results[oca.id] = {"contract_id": contract.id, "reason": False}
        for line in self.line_ids:
            if line.oca_contract_id in results:
                line.write(results[line.oca_contract_id])
        self.state = "done"
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Convert OCA Contracts"),
        }

    def _convert(self, oca, plan):
        """Create the service contract of ``oca``, take it over from the
        day OCA stops invoicing it, then archive ``oca`` and stop its
        invoicing (its lines cancelled: OCA's scheduled action never
        invoices them again, even if the contract is restored)."""
        contract = self.env["service.contract"].create(plan["vals"])
        reference = self.env._("OCA contract %(name)s", name=self._get_oca_name(oca))
        contract._take_over(
            {contract.id: plan["next_invoice_date"]}, reference=reference
        )
        # What it marked invoiced elsewhere ends where OCA stopped (the next
        # period may come with the next term, at its renewal).
        billed = contract.period_ids.filtered(lambda p: p.state == "elsewhere")
        last_billed = max(
            billed.mapped("date_to"), default=contract.date_start - timedelta(days=1)
        )
        if last_billed != plan["invoiced_until"]:
            raise UserError(
                self.env._(
                    "its billing schedule does not continue where OCA stopped "
                    "(%(date)s).",
                    date=format_date(self.env, plan["invoiced_until"]),
                )
            )
        invoices = self._count_oca_invoices(oca).get(oca.id, 0)
        contract.message_post(
            body=Markup(
                self.env._(
                    "Converted from OCA contract %(link)s (id %(id)s), now "
                    "archived: OCA made %(count)s invoices of it, for its "
                    "periods up to %(until)s; this contract invoices the next "
                    "ones."
                )
            )
            % {
                "link": oca._get_html_link(),
                "id": oca.id,
                "count": invoices,
                "until": format_date(self.env, plan["invoiced_until"]),
            }
        )
        oca.contract_line_ids.write({"is_canceled": True})
        oca.write({"active": False})
        oca.message_post(
            body=Markup(
                self.env._(
                    "Converted into service contract %(link)s, which invoices "
                    "it from %(date)s: archived, its lines cancelled."
                )
            )
            % {
                "link": contract._get_html_link(),
                "date": format_date(self.env, plan["next_invoice_date"]),
            }
        )
        return contract


class ServiceContractOcaConversionLine(models.TransientModel):
    """One OCA contract of the preview: what it becomes, or why not."""

    _name = "service.contract.oca.conversion.line"
    _description = "OCA Contract to Convert"
    _order = "id"

    wizard_id = fields.Many2one(
        "service.contract.oca.conversion", required=True, ondelete="cascade"
    )
    # OCA's record id: the module does not depend on OCA's add-on.
    oca_contract_id = fields.Integer(string="OCA Contract ID", readonly=True)
    name = fields.Char(string="OCA Contract", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    recurrence = fields.Char(string="OCA Recurrence", readonly=True)
    oca_invoice_count = fields.Integer(string="OCA Invoices", readonly=True)
    invoiced_until = fields.Date(string="Invoiced by OCA Until", readonly=True)
    next_invoice_date = fields.Date(string="Invoiced Here From", readonly=True)
    reason = fields.Char(string="Not Converted Because", readonly=True)
    contract_id = fields.Many2one(
        "service.contract", string="Service Contract", readonly=True
    )
