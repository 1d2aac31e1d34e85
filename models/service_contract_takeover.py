"""Taking over contracts already running in the customer's former tool
(README.md, "Bringing existing contracts in"): signed and started in the
past, billed there until a day, visited from today."""

from collections.abc import Mapping
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date

from .date_utils import anniversary, term_end
from .service_batch_runner import write_grouped
from .service_lifecycle_guard import lifecycle_action


class ServiceContract(models.Model):
    _inherit = "service.contract"

    takeover_ref = fields.Char(
        string="Former Reference",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Reference of the contract in the former tool it was imported "
        "from: the same contract is never imported twice.",
    )

    _sql_constraints = [
        (
            "takeover_ref_company_uniq",
            "unique(takeover_ref, company_id)",
            "A contract of the former tool is imported once per company.",
        ),
    ]

    def _get_lifecycle_actions(self):
        return (*super()._get_lifecycle_actions(), "_take_over")

    @api.model
    def get_import_templates(self):
        """New contracts with their services and terms, through Odoo's
        import (drafts); running contracts go through *Import Contracts*
        (its own file format, static/xls/service_contract_takeover.csv)."""
        return [
            {
                "label": self.env._("Import Template for Contracts"),
                "template": "/service_contract/static/xls/service_contract.csv",
            },
            {
                "label": self.env._(
                    "Import Template for Running Contracts (Import Contracts)"
                ),
                "template": "/service_contract/static/xls/"
                "service_contract_takeover.csv",
            },
        ]

    @lifecycle_action
    def _take_over(self, invoiced_until, date_signed=None, reference=None):
        """Bring in these draft contracts, running for a while in the former
        tool, as if they had been signed in Odoo:

        - signed on ``date_signed``, else their own signature date, else
          their start date (never after today), and started on their start
          date, however long ago;
        - a tacit contract whose term ended is renewed until its current term
          covers today, as the daily action would have done;
        - the billing schedule is built; every period whose planned invoice
          date is before ``invoiced_until`` (the day Odoo starts invoicing)
          is marked invoiced elsewhere with ``reference``: it is never
          invoiced here; the next ones are, by the invoicing cron;
        - preventive visits are planned from today (none in the past), and
          the next price revision is the first anniversary after today.

        :param invoiced_until: a date, or {contract id: date}
        :param date_signed: a date, or {contract id: date}, or None
        :param reference: a text, or {contract id: text}, or None
        :return: True
        """
        self._check_state(
            ("draft", "to_sign"),
            self.env._(
                "Only contracts that are not signed yet can be taken over: %(names)s"
            ),
        )
        until = self._value_by_contract(invoiced_until)
        signed = self._value_by_contract(date_signed)
        references = self._value_by_contract(reference)
        contracts = self.with_context(tracking_disable=True)
        todays = {company: company._service_today() for company in self.company_id}
        before = []
        for contract in contracts:
            today = todays[contract.company_id]
            start = contract.date_start
            vals = {
                "date_signed": min(
                    signed.get(contract.id) or contract.date_signed or start or today,
                    today,
                )
            }
            ends = contract.date_effective_end
            if start and start < today and not (ends and ends < today):
                vals["date_visits_from"] = max(
                    contract.date_visits_from or start, today
                )
            if contract.has_revision and (
                not contract.revision_date or contract.revision_date <= today
            ):
                vals["revision_date"] = self._next_anniversary(start or today, today)
            before.append((contract, vals))
        write_grouped(before)
        contracts.action_sign()
        contracts._take_over_renewals(todays)
        contracts._check_take_over_dates(until)
        periods = contracts.period_ids.filtered(
            lambda p: p.state == "to_invoice"
            and p.invoice_date < until[p.contract_id.id]
        )
        write_grouped(
            (
                period,
                {
                    "invoiced_elsewhere": True,
                    "invoiced_elsewhere_ref": references[period.contract_id.id]
                    or False,
                },
            )
            for period in periods
        )
        for company, today in todays.items():
            contracts.filtered(
                lambda c, co=company: c.company_id == co
            )._generate_interventions(today)
        counts = dict.fromkeys(self.ids, 0)
        for period in periods:
            counts[period.contract_id.id] += 1
        # The former tool's reference, in brackets when there is one.
        labels = {
            contract_id: f" ({reference})" if reference else ""
            for contract_id, reference in references.items()
        }
        self._message_log_batch(
            {
                contract.id: self.env._(
                    "Contract taken over from the former tool: signed on "
                    "%(signed)s, started on %(start)s; %(count)s billing periods "
                    "invoiced there before %(until)s%(reference)s are never "
                    "invoiced here.",
                    signed=format_date(self.env, contract.date_signed),
                    start=format_date(self.env, contract.date_start),
                    count=counts[contract.id],
                    until=format_date(self.env, until[contract.id]),
                    reference=labels[contract.id],
                )
                for contract in self
            }
        )
        return True

    def _value_by_contract(self, value):
        """{contract id: value} from one value for all or a mapping."""
        if isinstance(value, Mapping):
            return {contract.id: value.get(contract.id) for contract in self}
        return dict.fromkeys(self.ids, value)

    def _next_anniversary(self, start, today):
        """First anniversary of ``start`` after ``today``."""
        years = 1
        while anniversary(start, years, "year") <= today:
            years += 1
        return anniversary(start, years, "year")

    def _take_over_renewals(self, todays):
        """Renew the tacit contracts whose term ended until their current
        term covers the day of their company, then extend their billing
        schedule (``_catch_up_renewals`` for a batch, without the hooks of a
        renewal made here: the former tool handled those terms)."""
        renewals = []
        for contract in self:
            today = todays[contract.company_id]
            end = contract.date_end
            if contract.renewal_type != "tacit" or not end or end >= today:
                continue
            count, start, last_start = 0, end + timedelta(days=1), None
            while end < today:
                end = term_end(start, contract.renewal_duration, contract.renewal_unit)
                last_start, start = start, end + timedelta(days=1)
                count += 1
            renewals.append(
                (
                    contract,
                    {
                        "date_term_start": last_start,
                        "renewal_count": contract.renewal_count + count,
                    },
                )
            )
        if renewals:
            write_grouped(renewals)
            self._generate_periods()

    def _check_take_over_dates(self, until):
        """Refuse an invoicing taken over beyond the current term: the
        periods of the next term are not known yet."""
        wrong = self.filtered(
            lambda c: not until[c.id]
            or (c.date_end and until[c.id] > c.date_end + timedelta(days=1))
        )
        if wrong:
            raise UserError(
                self.env._(
                    "Contracts invoiced until a day after the end of their "
                    "current term, or without that day: %(names)s",
                    names=", ".join(
                        f"{c.name} ({until[c.id] or '-'} > {c.date_end})" for c in wrong
                    ),
                )
            )
