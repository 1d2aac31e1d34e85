import logging
import re
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import SUPERUSER_ID, api, fields, models
from odoo.tools import email_normalize

from .date_utils import term_end
from .selection import selection_label
from .service_lifecycle_guard import lifecycle_action

_logger = logging.getLogger(__name__)

END_RULES = [
    ("chatel", "At any time (Loi Chatel)"),
    ("term", "End of the current term"),
    ("next_term", "End of the next term (notice deadline passed)"),
    ("already", "Notice or termination already recorded"),
]


def _normalize_address(value):
    """Lower-case letters and digits only: '7, Rue du Lac' -> '7ruedulac'."""
    return re.sub(r"[\W_]+", "", (value or "").casefold())


class ServiceContractTerminationRequest(models.Model):
    """A consumer's online request to end a contract (Code de la
    consommation, L215-1-1), recorded once it matches a contract: the form
    and its controller never tell the requester whether it did."""

    _name = "service.contract.termination.request"
    _description = "Online Termination Request"
    _order = "id desc"
    _rec_name = "contract_id"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "service.contract",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(
        related="contract_id.company_id", store=True, index=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Acknowledged To",
        readonly=True,
        help="The customer's contact the request was matched with; the "
        "acknowledgment is sent to this contact.",
    )
    requester_name = fields.Char(string="Name Given", readonly=True, required=True)
    email = fields.Char(string="Email Given", readonly=True)
    street = fields.Char(string="Street Given", readonly=True)
    zip = fields.Char(string="Zip Given", readonly=True)
    date_requested = fields.Date(string="Desired End Date", readonly=True)
    reason = fields.Text(readonly=True)
    date_received = fields.Date(readonly=True, required=True)
    date_end = fields.Date(
        string="Contract Ends On",
        readonly=True,
        help="The last day of the contract, by the contract's rules.",
    )
    end_rule = fields.Selection(END_RULES, string="Why This Date", readonly=True)
    end_explanation = fields.Text(
        compute="_compute_end_explanation",
        help="Why the contract ends on that date, as the acknowledgment says.",
    )
    state = fields.Selection(
        [
            ("pending", "Waiting for the renewal"),
            ("done", "Recorded on the contract"),
        ],
        readonly=True,
        required=True,
        default="done",
        help="A request received after the notice deadline is recorded as "
        "notice when the contract is renewed.",
    )

    # ------------------------------------------------------------------
    # Matching
    # ------------------------------------------------------------------

    @api.model
    def _match_contracts(self, values):
        """[(contract, contact)] the request designates: a running contract
        of a consumer whose reference is given, with the email (or street
        and zip) of its customer, signatory or billing contact. Business
        customers' contracts never match."""
        reference = (values.get("reference") or "").strip()
        if not reference:
            return []
        Contract = self.env["service.contract"].sudo()
        contracts = Contract.search(
            [
                ("name", "in", list({reference, reference.upper()})),
                ("state", "=", "running"),
                ("commercial_partner_id.legal_category", "=", "consumer"),
            ]
        )
        email = email_normalize(values.get("email") or "")
        street = _normalize_address(values.get("street"))
        zip_code = _normalize_address(values.get("zip"))
        matches = []
        for contract in contracts:
            contacts = (
                contract.signatory_id
                | contract.partner_id
                | contract.partner_invoice_id
                | contract.commercial_partner_id
            )
            if email:
                found = contacts.filtered(lambda p: p.email_normalized == email)
            elif street and zip_code:
                found = contacts.filtered(
                    lambda p: _normalize_address(p.zip) == zip_code
                    and _normalize_address(p.street) == street
                )
            else:
                found = contacts.browse()
            if found:
                matches.append((contract, found[0]))
        return matches

    @api.model
    def _submit(self, values):
        """Record the request on every contract it designates, acknowledge
        it, and return the requests (none when nothing matches). Runs as
        the superuser: the requester is anonymous.

        :param values: dict with name, email, street, zip, reference,
            date (the desired end date) and reason
        """
        Request = self.with_user(SUPERUSER_ID)
        requests = Request.browse()
        for contract, contact in Request._match_contracts(values):
            requests |= Request._record(
                contract.with_env(Request.env), contact.with_env(Request.env), values
            )
        return requests

    # ------------------------------------------------------------------
    # Recording on the contract
    # ------------------------------------------------------------------

    @api.model
    def _compute_end(self, contract, desired, today):
        """(rule, last day) of ``contract`` for a request received ``today``
        asking to end it on ``desired``, by the contract's rules."""
        if contract.date_termination or contract.notice_date:
            return "already", contract.date_effective_end
        desired = max(desired or today, today)
        if contract.chatel_terminable and desired <= contract.date_end:
            return "chatel", max(desired, contract.date_start)
        if contract.renewal_type == "tacit" and contract._is_notice_late(today):
            next_end = term_end(
                contract.date_end + timedelta(days=1),
                contract.renewal_duration,
                contract.renewal_unit,
            )
            return "next_term", next_end
        return "term", contract.date_end

    @api.model
    def _record(self, contract, contact, values):
        today = contract.company_id._service_today()
        rule, date_end = self._compute_end(contract, values.get("date"), today)
        reason = (values.get("reason") or "").strip()
        request = self.create(
            {
                "contract_id": contract.id,
                "partner_id": contact.id,
                "requester_name": values.get("name") or "-",
                "email": values.get("email") or False,
                "street": values.get("street") or False,
                "zip": values.get("zip") or False,
                "date_requested": values.get("date") or False,
                "reason": reason or False,
                "date_received": today,
                "date_end": date_end,
                "end_rule": rule,
                "state": "pending" if rule == "next_term" else "done",
            }
        )
        if rule == "chatel":
            contract._terminate(
                date_end,
                "online",
                reason or self.env._("Online termination request"),
            )
        elif rule == "term":
            contract._record_online_notice(today, reason)
        elif rule == "next_term":
            contract.message_post(
                body=self.env._(
                    "Online termination request received on %(date)s, after the "
                    "notice deadline (%(deadline)s): the contract is renewed once "
                    "more and the notice is recorded at the renewal; it will end "
                    "on %(end)s.",
                    date=today,
                    deadline=contract.notice_deadline,
                    end=date_end,
                )
            )
        request._schedule_review_activity()
        request._send_acknowledgment()
        return request

    def _schedule_review_activity(self):
        """An activity for the contract's responsible: check the request,
        and acknowledge it by post when the customer has no email."""
        for request in self:
            contract = request.contract_id
            lines = [
                self.env._(
                    "Online termination request from %(name)s: the contract ends "
                    "on %(end)s (%(rule)s).",
                    name=request.requester_name,
                    end=request.date_end,
                    rule=selection_label(request, "end_rule", request.end_rule),
                ),
                self.env._(
                    "Desired date: %(date)s.", date=request.date_requested or "-"
                ),
            ]
            if request.reason:
                lines.append(self.env._("Reason: %(reason)s", reason=request.reason))
            if not request.partner_id.email_normalized:
                lines.append(
                    self.env._(
                        "The customer has no email address: send the "
                        "acknowledgment by post."
                    )
                )
            note = Markup("<br/>").join(escape(line) for line in lines)
            contract.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Online termination request"),
                note=note,
                user_id=(contract.user_id or contract.create_uid).id,
            )

    def _send_acknowledgment(self):
        """Email the acknowledgment (queued), stating the end date and why."""
        template = self.env.ref(
            "service_contract.mail_template_online_termination_ack",
            raise_if_not_found=False,
        )
        for request in self:
            if not template or not request.partner_id.email_normalized:
                continue
            template.send_mail(request.id, force_send=False)
            request.contract_id.message_post(
                body=self.env._(
                    "Acknowledgment of the online termination request emailed "
                    "to %(email)s: the contract ends on %(end)s.",
                    email=request.partner_id.email_normalized,
                    end=request.date_end,
                )
            )

    @api.depends("end_rule", "contract_id.notice_deadline")
    @api.depends_context("lang")
    def _compute_end_explanation(self):
        for request in self:
            request.end_explanation = request._get_end_explanation()

    def _get_end_explanation(self):
        """Why the contract ends on ``date_end``, for the acknowledgment."""
        self.ensure_one()
        contract = self.contract_id
        if not self.end_rule:
            return False
        if self.end_rule == "chatel":
            return self.env._(
                "The renewal reminder required by the Loi Chatel (Code de la "
                "consommation, L215-1) was not sent to you in time: you may end "
                "the contract at any time, free of charge. It ends on the date "
                "you asked for (or today if that date is past)."
            )
        if self.end_rule == "next_term":
            return self.env._(
                "Your request arrived after the notice deadline of the current "
                "term (%(deadline)s): the contract is renewed once more and ends "
                "at the end of the next term.",
                deadline=contract.notice_deadline,
            )
        if self.end_rule == "already":
            return self.env._(
                "A notice or termination was already recorded on this contract."
            )
        return self.env._(
            "Your notice is taken into account for the end of the current term: "
            "the contract is not renewed and ends at the end of its current term."
        )


class ServiceContract(models.Model):
    """Online termination by consumers: the notice or termination the
    request records, and the late requests applied at the renewal."""

    _inherit = "service.contract"

    notice_by = fields.Selection(
        selection_add=[("online", "Customer, online")],
        ondelete={"online": "set null"},
    )
    termination_type = fields.Selection(
        selection_add=[("online", "Customer, online (at any time)")],
        ondelete={"online": "set null"},
    )
    termination_request_ids = fields.One2many(
        "service.contract.termination.request",
        "contract_id",
        string="Online Termination Requests",
        groups="service_contract.group_service_contract_user",
    )

    def _get_lifecycle_actions(self):
        return (*super()._get_lifecycle_actions(), "_record_online_notice")

    @lifecycle_action
    def _record_online_notice(self, notice_date, reason):
        """Record the notice of an online request: the contract ends at the
        end of its current term. Unlike ``_register_notice``, no user decides
        (the deadline was checked when the request was received)."""
        self.ensure_one()
        self.write(
            {
                "notice_date": notice_date,
                "notice_by": "online",
                "notice_reason": reason or False,
            }
        )
        body = self.env._(
            "Notice received online on %(date)s: the contract will end on %(end)s.",
            date=notice_date,
            end=self.date_end,
        )
        if reason:
            body += " " + self.env._("Reason: %(reason)s", reason=reason)
        self.message_post(body=body)

    def _on_renewed(self, renewals):
        """Requests received after the notice deadline become the notice of
        the new term."""
        res = super()._on_renewed(renewals)
        pending = (
            self.env["service.contract.termination.request"]
            .sudo()
            .search([("contract_id", "in", self.ids), ("state", "=", "pending")])
        )
        for request in pending:
            contract = request.contract_id
            if contract.state != "running" or contract.notice_date:
                request.state = "done"
                continue
            today = contract.company_id._service_today()
            term_start = renewals[contract.id][0]
            contract._record_online_notice(min(term_start, today), request.reason)
            request.state = "done"
        return res
