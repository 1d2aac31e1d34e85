import logging
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from .locking import lock_skip_locked
from .service_batch_runner import run_isolated
from .service_contract import RUNNING_STATES

_logger = logging.getLogger(__name__)

# Defaults of the batch sizes, also seeded as system parameters.
BATCH_SIZE_DEFAULTS = {
    "service_contract.cron_batch_size": 500,
    "service_contract.invoice_batch_size": 1000,
    "service_contract.visit_batch_size": 500,
}
# A record left to another transaction is tried again this much later.
CRON_RETRY_MINUTES = 5


class ServiceContract(models.Model):
    """What every scheduled action of the contracts shares: the size of its
    batches, the day it works for in each company, and the isolation of a
    contract that fails, so that it never stops the others. And the
    contract's own scheduled action: renewal or closing at term."""

    _inherit = "service.contract"

    @api.model
    def _get_cron_batch_size(self, key="service_contract.cron_batch_size"):
        """The batch size set in the system parameter ``key`` (Settings), or
        its default when it is missing or not a positive number."""
        default = BATCH_SIZE_DEFAULTS[key]
        value = self.env["ir.config_parameter"].sudo().get_param(key)
        try:
            size = int(value)
        except (TypeError, ValueError):
            return default
        return size if size > 0 else default

    @api.model
    def _get_cron_days(self, today=None):
        """[(domain on the company, day)]: the day a scheduled action works
        for, per company (the day in the company's time zone). Companies
        that share the day share one entry. A given ``today`` (tests, manual
        runs) applies to every company."""
        if today:
            return [([], today)]
        company_ids_by_day = defaultdict(list)
        for company in self.env["res.company"].sudo().search([]):
            company_ids_by_day[company._service_today()].append(company.id)
        return [
            ([("company_id", "in", company_ids)], day)
            for day, company_ids in sorted(company_ids_by_day.items())
        ]

    @api.model
    def _run_cron_batches(
        self,
        get_domain,
        func,
        summary,
        today=None,
        model=None,
        batch_size_key="service_contract.cron_batch_size",
        order="id",
        recheck=True,
        isolate=True,
        get_contracts=None,
        split=None,
        fresh_cache=False,
        post_filter=None,
    ):
        """The loop every scheduled action of the contracts shares.

        For the day of each company (``_get_cron_days``), search the records
        of ``get_domain(day)``, cut them in batches of the system parameter
        ``batch_size_key``; lock each batch with FOR UPDATE SKIP LOCKED (a
        second worker takes other records), read it again once locked and
        keep what still matches the domain (``recheck``: a record done by
        another worker in between is skipped), run ``func(batch, day)``
        isolated (``_run_isolated``: a failing record gets an activity, the
        others are processed), report the progress, and commit the batch
        (``_commit_batch``).

        :param get_domain: day -> domain of the records due that day
        :param func: (records, day) -> result
        :param summary: summary of the activity left on a failing contract
        :param today: the day for every company (tests, manual runs); an
            hourly action gives its moment instead (a datetime, the same for
            every company), passed on to ``get_domain`` and ``func``
        :param model: the model of the records (default: the contracts)
        :param order: order of the search (and of the batches)
        :param recheck: filter each locked batch on the domain again
        :param isolate: run through ``_run_isolated``; when False, ``func``
            handles the failures itself (the invoicing, that isolates whole
            invoices)
        :param get_contracts: record -> its contracts (for ``_run_isolated``)
        :param split: (records, batch_size) -> iterable of id lists, when a
            batch must not be cut anywhere (a grouped invoice)
        :param fresh_cache: forget the cache after each batch (long runs)
        :param post_filter: (records, day) -> those really due, for a
            condition a domain cannot express (computed in Python); applied
            to the records found and, with ``recheck``, to each locked batch
        :return: the list of the results of ``func``
        """
        Model = self.env[model] if model else self
        batch_size = self._get_cron_batch_size(batch_size_key)
        todo = [
            (day, domain, Model.search(domain, order=order))
            for company_domain, day in self._get_cron_days(today)
            for domain in [company_domain + get_domain(day)]
        ]
        if post_filter:
            todo = [
                (day, domain, post_filter(records, day))
                for day, domain, records in todo
            ]
        total = sum(len(records) for _day, _domain, records in todo)
        if total > batch_size:
            self._trigger_cron_workers()
        processed = 0
        results = []
        for day, domain, records in todo:
            if split:
                batches = [Model.browse(ids) for ids in split(records, batch_size)]
            else:
                batches = [
                    records[index : index + batch_size]
                    for index in range(0, len(records), batch_size)
                ]
            for batch in batches:
                locked = self._lock_cron_batch_or_retry(batch)
                if recheck:
                    locked.invalidate_recordset()
                    locked = locked.filtered_domain(domain)
                    if post_filter:
                        locked = post_filter(locked, day)
                if isolate:
                    results += self._run_isolated(
                        locked,
                        lambda r, d=day: func(r, d),
                        summary,
                        get_contracts=get_contracts,
                    )
                elif locked:
                    results.append(func(locked, day))
                processed += len(batch)
                self.env["ir.cron"]._notify_progress(
                    done=processed, remaining=total - processed
                )
                self._commit_batch()
                if fresh_cache:
                    # Fresh data for the next batch, a cache that does not grow.
                    self.env.invalidate_all()
        return results

    @api.model
    def _trigger_cron_workers(self):
        """In a scheduled action with more than one batch to do, start its
        copies now: the other active scheduled actions of the same model and
        code. Odoo gives each one to a free cron worker (``ir.cron`` locks a
        running action's row, so one action runs on one worker at a time);
        they take the same batches in the same order, and the lock of each
        batch (SKIP LOCKED, ``_lock_cron_batch``) gives every batch to one
        of them. A copy already triggered for now is not triggered again."""
        Cron = self.env["ir.cron"].sudo()
        cron = Cron.browse(self.env.context.get("cron_id")).exists()
        if not cron:
            return
        copies = Cron.search(
            [
                ("id", "!=", cron.id),
                ("model_id", "=", cron.model_id.id),
                ("code", "=", cron.code),
            ]
        )
        triggered = (
            self.env["ir.cron.trigger"]
            .sudo()
            .search(
                [
                    ("cron_id", "in", copies.ids),
                    ("call_at", "<=", fields.Datetime.now()),
                ]
            )
            .cron_id
        )
        for copy in copies - triggered:
            copy._trigger()

    @api.model
    def _cron_process_terms(self, today=None):
        """Daily: renew or close the contracts whose term has ended, on the
        day of each company (its time zone).

        Tacit contracts are renewed as many times as needed for their term to
        cover today, so that missed runs are caught up. Contracts are locked
        with SKIP LOCKED and read again once locked: two workers never
        process the same contract. A contract that fails gets an activity;
        the others are processed.
        """
        summary = self.env._("Renewal or closing at term failed")

        def process(contracts, day):
            contracts._process_terms(day)
            return len(contracts)

        return sum(
            self._run_cron_batches(self._get_terms_due_domain, process, summary, today)
        )

    @api.model
    def _get_terms_due_domain(self, today):
        return [
            ("state", "in", RUNNING_STATES),
            "|",
            ("date_end", "<", today),
            ("date_termination", "<", today),
        ]

    @api.model
    def _lock_cron_batch_or_retry(self, records):
        """``_lock_cron_batch``; in a scheduled action, a batch whose rows
        another transaction changed since this one began (a serialization
        failure) is left to the run triggered in ``CRON_RETRY_MINUTES``."""
        if not self._is_scheduled_run():
            return self._lock_cron_batch(records)
        try:
            with self.env.cr.savepoint():
                return self._lock_cron_batch(records)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            self.env.invalidate_all(flush=False)
            _logger.info("%s changed by another transaction, retried soon", records)
            self._retry_cron_soon()
            return records.browse()

    @api.model
    def _lock_cron_batch(self, records):
        """Lock ``records`` with SKIP LOCKED, by their model's own way when
        it has one (the periods lock only those still to invoice)."""
        if hasattr(records, "_lock_skip_locked"):
            return records._lock_skip_locked()
        records.flush_recordset()
        return lock_skip_locked(records)

    @api.model
    def _run_isolated(self, records, func, summary, get_contracts=None):
        """Run ``func(records)``; if it fails, run it again for each record
        in its own savepoint, so that a failing record does not stop the
        others: it is logged and its contract gets one activity. In a
        scheduled action, a record refused because another transaction holds
        or has changed its rows (a lock or serialization failure) gets no
        activity: it stays due, and the action is triggered again in
        ``CRON_RETRY_MINUTES``.

        The whole batch runs first in one savepoint (the fast way, when
        nothing fails); the record-by-record way costs one savepoint each
        (``run_isolated``, service_batch_runner.py).

        :param records: the records to process (contracts, interventions...)
        :param func: callable processing a recordset
        :param summary: summary of the activity left on a failing contract
        :param get_contracts: record -> its contracts (default: the record)
        :return: the results of ``func`` that succeeded, in a list
        """
        errors = {}
        retry = False
        retried = PG_CONCURRENCY_EXCEPTIONS_TO_RETRY if self._is_scheduled_run() else ()

        def on_error(record, error):
            nonlocal retry
            if isinstance(error, retried):
                # Another transaction holds or has changed its rows (an
                # invoicing run on the same periods): not the record's
                # fault. It stays due, without an activity, and the action
                # runs again soon.
                _logger.info(
                    "%s: %s changed by another transaction, retried soon",
                    summary,
                    record.display_name,
                )
                retry = True
                return
            _logger.warning(
                "%s: %s failed", summary, record.display_name, exc_info=True
            )
            contracts = get_contracts(record) if get_contracts else record
            for contract in contracts:
                errors[contract] = error

        done = run_isolated(self.env, records, func, on_error)
        for contract, error in errors.items():
            contract._notify_cron_error(summary, error)
        if retry:
            self._retry_cron_soon()
        return [result for _records, result in done]

    @api.model
    def _is_scheduled_run(self):
        """Whether a scheduled action is running (Odoo's cron runner puts its
        id in the context): it can run again for the records another
        transaction held. A button or *Run Manually* reports them instead."""
        return bool(self.env.context.get("cron_id"))

    @api.model
    def _retry_cron_soon(self):
        """Have the scheduled action that is running run again in
        ``CRON_RETRY_MINUTES``, for the records it left to another
        transaction (once: a run already planned by then will do)."""
        cron = self.env["ir.cron"].sudo().browse(self.env.context.get("cron_id"))
        if not cron:
            return
        now = fields.Datetime.now()
        at = now + timedelta(minutes=CRON_RETRY_MINUTES)
        planned = (
            self.env["ir.cron.trigger"]
            .sudo()
            .search_count(
                [
                    ("cron_id", "=", cron.id),
                    ("call_at", ">", now),
                    ("call_at", "<=", at),
                ],
                limit=1,
            )
        )
        if not planned:
            cron._trigger(at=at)

    @api.model
    def _format_cron_error(self, error):
        """The message of an error, for a user: the text of a business error,
        the kind and text of an unexpected one."""
        if isinstance(error, UserError | ValidationError):
            return str(error.args[0]) if error.args else str(error)
        if isinstance(error, str):
            return error
        return f"{type(error).__name__}: {error}"

    def _notify_cron_error(self, summary, error):
        """Leave one activity to the responsible user of these contracts,
        saying what failed; never a second one while the first is open."""
        activity_type = self.env.ref("mail.mail_activity_data_warning")
        note = self._format_cron_error(error)
        for contract in self:
            if contract.activity_ids.filtered(
                lambda a, s=summary: a.summary == s
                and a.activity_type_id == activity_type
            ):
                continue
            try:
                with self.env.cr.savepoint():
                    contract.activity_schedule(
                        activity_type_id=activity_type.id,
                        summary=summary,
                        note=note,
                        user_id=(contract.user_id or self.env.user).id,
                    )
            except Exception:  # noqa: BLE001 - the error is logged already
                self.env.invalidate_all(flush=False)
                _logger.warning(
                    "Could not leave an activity on %s",
                    contract.display_name,
                    exc_info=True,
                )
