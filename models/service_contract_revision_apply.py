"""Application of price revisions to a batch of contracts: revised prices,
billing schedule re-priced from the revision date, history, chatter, next
revision date. A whole portfolio is revised at once by the scheduled action,
so every model is written through the ORM in batches: one ``create`` of the
batch's rows per model, one ``write`` per distinct set of values (records
given the same values are written together), the chatter notes by
``_message_log_batch``."""

from collections import defaultdict
from datetime import date as date_type

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import Command, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, clean_context, format_date

from .price_revision import full_period_days, price_from
from .service_batch_runner import write_grouped
from .service_contract_period import BILLED_STATES
from .service_contract_price_revision import _format_money
from .service_lifecycle_guard import lifecycle_write
from .service_revision_clause_mixin import _format_number


class ServiceContract(models.Model):
    _inherit = "service.contract"

    def _apply_revisions(
        self, proposals, kind="index", percentage=0.0, send_letters=True
    ):
        """Apply ``proposals`` ({contract_id: proposal}, as given by
        ``_get_revision_proposals`` or ``_get_percentage_proposals``) to
        these contracts: revised prices of the service lines, billing
        periods not invoiced re-priced from the revision date, catch-up of
        the periods invoiced meanwhile, history, chatter, letter to the
        customer, next revision date one year on.

        The new prices are computed again from the current ones with the
        proposal's date and coefficient (a preview may be stale).

        :param send_letters: the letters to the customers are queued (the
            revisions' ``letter_state`` is "to_send"), sent in a separate
            batched step (``_cron_send_revision_letters``, triggered now, or
            *Send Letters*): rendering their PDF is most of the cost of a
            large batch. False: no letter ("none").
        :return: the ``service.contract.revision`` records created
        """
        if not self.env.su:
            self._check_manager()
            self.check_access("write")
        letter_state = "to_send" if send_letters else "none"
        with lifecycle_write():
            revisions = self._apply_revisions_guarded(
                proposals, kind, percentage, letter_state
            )
        if revisions and send_letters:
            self._queue_revision_letters()
        return revisions

    def _apply_revisions_guarded(
        self, proposals, kind, percentage, letter_state="to_send"
    ):
        Revision = self.env["service.contract.revision"]
        own_ids = set(self.ids)
        contracts = self.browse([cid for cid in proposals if cid in own_ids])
        if not contracts:
            return Revision
        contracts._prefetch_revision_data()
        fresh, memo = {}, {}
        for contract in contracts:
            proposal = proposals[contract.id]
            contract._check_revision_applicable(proposal)
            if contract._is_revision_proposal_current(proposal):
                fresh[contract] = proposal
                continue
            fresh[contract] = contract._prepare_revision_proposal(
                fields.Date.to_date(proposal["date"]),
                proposal["coefficient"],
                proposal.get("values") or [],
                [],
                kind=proposal.get("kind") or kind,
                percentage=proposal.get("percentage") or percentage,
                memo=memo,
            )
        old_amounts = {contract: contract.amount_untaxed for contract in contracts}
        blocked = contracts.filtered("revision_blocked")
        new_amounts = contracts._write_revised_prices(fresh)
        catch_ups = contracts._reprice_periods(
            {contract: proposal["date"] for contract, proposal in fresh.items()},
            old_amounts,
            new_amounts,
        )
        revisions = contracts._create_revisions(fresh, catch_ups, letter_state)
        blocked._close_revision_blocked_activities()
        contracts._log_revisions(fresh, catch_ups)
        return revisions

    def _write_revised_prices(self, proposals):
        """The revised prices of the service lines, and what follows on the
        contracts: untaxed amount and monthly revenue (computed by the ORM
        from the lines), next revision one year on (the revision's own date
        for a contract without clause), the blocked flag gone. The chatter
        note states the revision: no tracking message.

        :param proposals: {contract: proposal}
        :return: {contract: new untaxed amount}
        """
        Line = self.env["service.contract.line"].with_context(mail_notrack=True)
        line_values, amounts = [], {}
        for contract, proposal in proposals.items():
            currency = contract.currency_id
            subtotals = []
            for line in proposal["lines"]:
                subtotals.append(
                    Line._get_price_subtotal(
                        line["quantity"],
                        line["price_after"],
                        line["discount"],
                        currency,
                    )
                )
                if line["price_after"] != line["price_before"]:
                    line_values.append(
                        (
                            Line.browse(line["contract_line_id"]),
                            {"price_unit": line["price_after"]},
                        )
                    )
            amounts[contract] = currency.round(sum(subtotals))
        write_grouped(line_values)
        write_grouped(
            (
                contract.with_context(mail_notrack=True),
                {
                    "revision_date": proposal["date"] + relativedelta(years=1)
                    if contract.has_revision
                    else contract.revision_date,
                    "revision_blocked": False,
                    "revision_blocked_reason": False,
                },
            )
            for contract, proposal in proposals.items()
        )
        return amounts

    def _create_revisions(self, proposals, catch_ups, letter_state):
        """The history: the revisions, their lines and index values, in one
        ``create`` per model."""
        vals_list = []
        for contract, proposal in proposals.items():
            vals = contract._prepare_revision_vals(
                proposal, catch_ups.get(contract, 0.0)
            )
            vals["letter_state"] = letter_state
            vals_list.append(vals)
        # The fields' own defaults, not those of the caller's context (a
        # list's default_* keys are for what its user creates, not for the
        # history a batch writes).
        Revision = self.env["service.contract.revision"].with_context(
            clean_context(self.env.context)
        )
        return Revision.create(vals_list)

    def _is_revision_proposal_current(self, proposal):
        """Whether ``proposal`` was computed from the contract as it is now
        (same service lines, prices, quantities and discounts): then it is
        applied as it is, else computed again (a preview may be stale)."""
        self.ensure_one()
        lines = proposal.get("lines")
        if (
            lines is None
            or not proposal.get("formula")
            or not proposal.get("kind")
            or "percentage" not in proposal
            or not isinstance(proposal.get("date"), date_type)
        ):
            return False
        current = {
            line.id: (line.price_unit, line.quantity, line.discount)
            for line in self.line_ids
        }
        return len(lines) == len(current) and all(
            current.get(line["contract_line_id"])
            == (line["price_before"], line.get("quantity"), line.get("discount"))
            for line in lines
        )

    def _check_revision_applicable(self, proposal):
        self.ensure_one()
        if self.state != "running":
            raise UserError(
                self.env._(
                    "Only running contracts have their prices revised: %(name)s.",
                    name=self.name,
                )
            )
        if proposal.get("missing") or not proposal.get("coefficient"):
            raise UserError(
                self.env._(
                    "Contract %(name)s cannot be revised: %(reason)s",
                    name=self.name,
                    reason=self._format_missing_values(proposal.get("missing") or [])
                    or self.env._("no coefficient."),
                )
            )

    def _format_missing_values(self, missing):
        """'index SYNTEC for 2026-08 missing, ...'"""
        return ", ".join(
            self.env._(
                "index %(index)s for %(month)s missing",
                index=index.code or index.display_name,
                month=month.strftime("%Y-%m") if month else "?",
            )
            for index, month in dict.fromkeys(missing)
        )

    def _reprice_periods(self, dates, old_amounts, new_amounts=None):
        """Billing periods from the revision date carry the new price.

        The contract's price steps take the new amount from the date on.
        Every period touching those days is then worth its days at their
        prices (``_get_period_worth``, by days of its full period) and
        bears that worth: the amount of a period not invoiced; for an
        invoiced one (whose amount never changes), its amount plus the
        adjustments already decided on it, pending or invoiced
        (``adjustment_amount``). What changes of that worth is the
        catch-up, added to the next invoice; a period not invoiced whose
        adjustments exceed its new worth is billed 0 and credited the rest.
        The period containing the date is prorated or split in two, as the
        clause says.

        :param dates: {contract: revision date}
        :param old_amounts: {contract: untaxed amount of a period before}
        :param new_amounts: {contract: untaxed amount of a period after}
            (default: the contract's amount now)
        :return: {contract: catch-up amount}
        """
        if not dates:
            return {}
        Period = self.env["service.contract.period"]
        currencies = {contract: contract.currency_id for contract in dates}
        new_amounts = {
            contract: currencies[contract].round(
                new_amounts[contract] if new_amounts else contract.amount_untaxed
            )
            for contract in dates
        }
        steps = {
            contract: price_from(
                contract._get_price_steps(old_amounts[contract]),
                dates[contract],
                new_amounts[contract],
            )
            for contract in dates
        }
        write_grouped(
            (
                contract,
                {"price_steps": [[str(day), value] for day, value in steps[contract]]},
            )
            for contract in dates
        )
        fnames = ["contract_id", "date_from", "date_to", "amount", "adjustment_amount"]
        Period.flush_model([*fnames, "prorata_factor", "state"])
        batch = SQL(
            "unnest(%s::int4[], %s::date[], %s::numeric[])"
            " AS v(contract_id, date, amount)",
            [contract.id for contract in dates],
            list(dates.values()),
            [new_amounts[contract] for contract in dates],
        )
        # Whole periods not invoiced from the revision date, without
        # adjustments (most of them): the new amount, one write per amount.
        whole = SQL(
            "p.contract_id = v.contract_id AND p.date_from >= v.date"
            " AND p.state = 'to_invoice' AND p.prorata_factor IS NOT DISTINCT FROM 1"
            " AND COALESCE(p.adjustment_amount, 0) = 0"
        )
        rows = self.env.execute_query(
            SQL(
                "SELECT p.id, v.amount FROM service_contract_period p, %(batch)s"
                " WHERE %(whole)s AND p.amount IS DISTINCT FROM v.amount",
                batch=batch,
                whole=whole,
            )
        )
        write_grouped(
            (Period.browse(period_id), {"amount": float(amount)})
            for period_id, amount in rows
        )
        # The others, read as rows (the ORM's record-by-record access would
        # be most of the cost): prorated, split, invoiced or adjusted.
        rows = self.env.execute_query(
            SQL(
                "SELECT p.id, p.contract_id, p.date_from, p.date_to, p.amount,"
                " p.adjustment_amount, p.prorata_factor, p.state"
                " FROM service_contract_period p"
                " JOIN %(batch)s ON p.contract_id = v.contract_id"
                " WHERE p.date_to >= v.date AND p.state != 'cancel'"
                " AND NOT (%(whole)s) ORDER BY p.contract_id, p.date_from",
                batch=batch,
                whole=whole,
            )
        )
        rows_by_contract = defaultdict(list)
        for row in rows:
            rows_by_contract[row[1]].append(row)
        amounts, splits, catch_ups = [], [], {}
        for contract, revision_date in dates.items():
            currency = currencies[contract]
            catch_up = 0.0
            for row in rows_by_contract[contract.id]:
                period_id, _cid, date_from, date_to, amount, adjusted, factor = row[:7]
                amount, adjusted, state = amount or 0.0, adjusted or 0.0, row[7]
                full_days = full_period_days(date_from, date_to, factor)
                split = (
                    state not in BILLED_STATES
                    and date_from < revision_date
                    and contract.revision_split == "split"
                )
                # What the period (its part before the date, when split)
                # is worth now.
                worth = contract._get_period_worth(
                    date_from,
                    revision_date - relativedelta(days=1) if split else date_to,
                    full_days,
                    steps[contract],
                )
                new_amount = amount
                if state not in BILLED_STATES:
                    new_amount = max(0.0, currency.round(worth - adjusted))
                new_adjusted = currency.round(worth - new_amount)
                catch_up += new_adjusted - adjusted
                if split:
                    splits.append(
                        (
                            contract,
                            Period.browse(period_id),
                            revision_date,
                            new_amount,
                            new_adjusted,
                            contract._get_period_worth(
                                revision_date, date_to, full_days, steps[contract]
                            ),
                        )
                    )
                elif (new_amount, new_adjusted) != (amount, adjusted):
                    amounts.append(
                        (
                            Period.browse(period_id),
                            {"amount": new_amount, "adjustment_amount": new_adjusted},
                        )
                    )
            catch_ups[contract] = currency.round(catch_up)
        write_grouped(amounts)
        for contract, period, revision_date, *values in splits:
            contract._split_period(period, revision_date, *values)
        return catch_ups

    def _split_period(
        self, period, revision_date, amount_before, adjusted_before, amount_after
    ):
        """Cut ``period`` at ``revision_date``: the days before keep it with
        ``amount_before`` and ``adjusted_before`` (its adjustments), a new
        period from the revision date has ``amount_after``."""
        self.ensure_one()
        total = (period.date_to - period.date_from).days + 1
        days_before = (revision_date - period.date_from).days
        factor = period.prorata_factor
        factor_before = factor * days_before / total
        factor_after = factor - factor_before
        date_to = period.date_to
        vals = self._prepare_period_vals(
            period.date_from, revision_date - relativedelta(days=1), factor_before
        )
        vals.update(amount=amount_before, adjustment_amount=adjusted_before)
        del vals["contract_id"], vals["date_from"]
        period.write(vals)
        vals = self._prepare_period_vals(revision_date, date_to, factor_after)
        vals["amount"] = amount_after
        return self.env["service.contract.period"].create(vals)

    def _prepare_revision_vals(self, proposal, catch_up):
        self.ensure_one()
        return {
            "contract_id": self.id,
            "date": proposal["date"],
            "kind": proposal["kind"],
            "coefficient": proposal["coefficient"],
            "percentage": proposal["percentage"],
            "amount_before": proposal["amount_before"],
            "amount_after": proposal["amount_after"],
            "formula": proposal["formula"],
            "catch_up_amount": catch_up,
            "line_ids": [
                Command.create(
                    {
                        key: line[key]
                        for key in (
                            "contract_line_id",
                            "name",
                            "price_before",
                            "price_after",
                            "amount_before",
                            "amount_after",
                        )
                    }
                )
                for line in proposal["lines"]
            ],
            "value_ids": [Command.create(dict(value)) for value in proposal["values"]],
        }

    def _log_revisions(self, proposals, catch_ups):
        """One internal note per contract in its chatter, created in one batch
        by ``_message_log_batch`` (no notification to the followers)."""
        dates = {
            day: format_date(self.env, day)
            for day in {proposal["date"] for proposal in proposals.values()}
        }
        bodies, memo = {}, {}
        for contract, proposal in proposals.items():
            currency = contract.currency_id
            catch_up = catch_ups.get(contract, 0.0)
            body = self.env._(
                "Prices revised on %(date)s: coefficient %(coefficient)s; yearly "
                "amount %(before)s, now %(after)s.",
                date=dates[proposal["date"]],
                coefficient=_format_number(proposal["coefficient"]),
                before=_format_money(proposal["amount_before"], currency, memo),
                after=_format_money(proposal["amount_after"], currency, memo),
            )
            if not currency.is_zero(catch_up):
                body += " " + self.env._(
                    "Periods already invoiced at the former price: a catch-up of "
                    "%(amount)s goes on the next invoice.",
                    amount=_format_money(catch_up, currency, memo),
                )
            bodies[contract.id] = Markup("<p>%s</p>") % body
        self.browse(list(bodies))._message_log_batch(bodies)
