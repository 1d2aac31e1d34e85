"""Benchmarks of service_contract against the ORM floor and OCA `contract`
(and, for the price revision, OCA `contract_price_revision`).

Run through ``tools/benchmark``, which prepares the database. Each
measurement starts from the same data: what it creates is rolled back,
deleted, or the database is put back from a copy (``snapshot``,
``restore``) before the next one.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from contextlib import closing, contextmanager
from datetime import date

from dateutil.relativedelta import relativedelta

import odoo
import odoo.service.db
from odoo import SUPERUSER_ID, Command, api
from odoo.tools import SQL

# One year, renewed tacitly year after year, invoiced monthly.
YEARLY_TACIT_TERMS = {
    "duration": 1,
    "duration_unit": "year",
    "renewal_type": "tacit",
    "renewal_duration": 1,
    "renewal_unit": "year",
    "invoicing_frequency": "month",
}


@contextmanager
def timer(results, key):
    start = time.perf_counter()
    yield
    results[key] = time.perf_counter() - start


def environment(cr):
    return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})


def ensure_chart_of_accounts(env):
    company = env.company
    if not env["account.account"].search_count(
        [*env["account.account"]._check_company_domain(company)], limit=1
    ):
        env["account.chart.template"].try_loading("generic_coa", company)


def prepare_customers(env, n, name):
    """The chart of accounts, N/10 customers and the service they buy."""
    ensure_chart_of_accounts(env)
    customers = env["res.partner"].create(
        [{"name": f"{name} {i}"} for i in range(max(n // 10, 1))]
    )
    product = env["product.product"].create(
        {"name": "Bench maintenance", "type": "service", "list_price": 100.0}
    )
    return customers, product


def prepare_invoicing(env, n, oca=True):
    """N contracts of ours and (with ``oca``) N OCA contracts: one monthly line each,
    invoiced in advance, N/10 customers, all due today.

    Ours started last month, whose invoices are created here (not timed)
    and kept: the accounting then holds a month of history, as it does in
    production, rather than empty tables whose statistics make PostgreSQL
    plan the queries of ``account.move.create`` as if they stayed empty.
    """
    today = date.today()
    start = today.replace(day=1)
    last_month = start - relativedelta(months=1)
    customers, product = prepare_customers(env, n, "Bench customer")
    contracts = env["service.contract"].create(
        [
            {
                "partner_id": customers[i % len(customers)].id,
                "date_start": last_month,
                "invoicing_frequency": "month",
                "invoicing_mode": "advance",
                "prorata": True,
                "line_ids": [Command.create({"product_id": product.id})],
            }
            for i in range(n)
        ]
    )
    contracts.action_sign()
    history = env["service.contract"]._cron_create_invoices(
        today=start - relativedelta(days=1)
    )
    assert history == n, history
    if not oca:
        return today, contracts
    env["contract.contract"].create(
        [
            {
                "name": f"OCA bench {i}",
                "partner_id": customers[i % len(customers)].id,
                "line_recurrence": False,
                "recurring_rule_type": "monthly",
                "recurring_interval": 1,
                "recurring_invoicing_type": "pre-paid",
                "date_start": start,
                "contract_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "name": "Bench maintenance",
                            "quantity": 1,
                            "price_unit": 100.0,
                        }
                    )
                ],
            }
            for i in range(n)
        ]
    )
    return today, contracts


def analyze(registry):
    """Vacuum and refresh the planner statistics after bulk inserts and
    deletes, as autovacuum would in production, so that no measure runs on
    a stale plan or among the dead rows of the measure before."""
    with registry.cursor() as cr:
        cr._cnx.autocommit = True  # VACUUM runs outside a transaction
        try:
            cr.execute("VACUUM ANALYZE")
        finally:
            cr._cnx.autocommit = False


def bench_invoicing(registry, n):
    results = {}
    with registry.cursor() as cr:
        env = environment(cr)
        today, contracts = prepare_invoicing(env, n)
        contract_ids = contracts.ids
    analyze(registry)
    # (a) the floor: one batched create of the very same invoices.
    results["floor"] = measure_floor(registry, today, contract_ids, n)
    # (b) our scheduled action, committing its batches; then the database
    # back as it was, from a copy.
    template = f"{registry.db_name}_template"
    snapshot(registry, template)
    try:
        results["ours"] = run_ours(registry, today, contract_ids, n, grouped=False)
        registry = restore(registry, template)
    finally:
        drop_database(template)
    # (c) OCA contract's scheduled action.
    with registry.cursor() as cr:
        env = environment(cr)
        with timer(results, "oca"):
            env["contract.contract"].cron_recurring_create_invoice(today)
            env.flush_all()
        count = env["account.move"].search_count(
            [("invoice_origin", "like", "OCA bench")]
        )
        assert count == n, count
        cr.rollback()
    # (d) ours, one invoice per customer, and (e) its floor.
    with registry.cursor() as cr:
        env = environment(cr)
        env["service.contract"].browse(contract_ids).write({"group_invoices": True})
        env.flush_all()
    results["floor_grouped"] = measure_floor(registry, today, contract_ids, n // 10)
    results["ours_grouped"] = run_ours(registry, today, contract_ids, n, grouped=True)
    report_invoicing(n, results)


def measure_floor(registry, today, contract_ids, count):
    """The floor: one ``account.move.create`` of exactly the ``count``
    invoices our scheduled action makes of the periods due (one per
    invoice grouping key), with the same context; rolled back."""
    from odoo.addons.service_contract.models.service_invoicing_context import (
        InvoicingContext,
    )
    from odoo.addons.service_contract.models.service_lifecycle_guard import (
        lifecycle_write,
    )

    result = {}
    with registry.cursor() as cr:
        env = environment(cr)
        Period = env["service.contract.period"]
        periods = Period.search(
            Period._get_due_domain(today) + [("contract_id", "in", contract_ids)]
        )
        groups = defaultdict(list)
        for period in periods:
            groups[period._get_invoice_grouping_key()].append(period.id)
        context = InvoicingContext(env)
        vals_list = [
            Period.browse(ids)._prepare_invoice_vals(context) for ids in groups.values()
        ]
        assert len(vals_list) == max(count, 1), (len(vals_list), count)
        env.invalidate_all()
        Move = env["account.move"].with_context(
            default_move_type="out_invoice", tracking_disable=True
        )
        # Warm up the caches of the process (not timed). The links to the
        # contracts are written inside lifecycle_write(), as the cron does.
        with lifecycle_write():
            Move.create(vals_list[:5])
            env.flush_all()
        cr.rollback()
        env.invalidate_all()
        with timer(result, "floor"), lifecycle_write():
            Move.create(vals_list)
            env.flush_all()
        cr.rollback()
    return result["floor"]


def run_ours(registry, today, contract_ids, n, grouped):
    with registry.cursor() as cr:
        env = environment(cr)
        start = time.perf_counter()
        done = env["service.contract"]._cron_create_invoices(today=today)
        env.flush_all()
        cr.commit()
        elapsed = time.perf_counter() - start
        assert done == n, (done, n)
        periods = env["service.contract"].browse(contract_ids).period_ids
        this_month = today.replace(day=1)
        moves = periods.filtered(lambda p: p.date_from >= this_month).move_id
        expected = max(n // 10, 1) if grouped else n
        assert len(moves) == expected, (len(moves), expected)
    return elapsed


def report_invoicing(n, results):
    def rate(key):
        return n / results[key]

    print(f"\nRecurring invoicing, N = {n} contracts ({max(n // 10, 1)} customers)")
    print(f"{'measure':<42}{'seconds':>10}{'contracts/s':>14}")
    labels = {
        "floor": "(a) floor: one account.move.create",
        "ours": "(b) service_contract _cron_create_invoices",
        "oca": "(c) OCA contract cron_recurring_create_invoice",
        "ours_grouped": "(d) service_contract, grouped per customer",
        "floor_grouped": "(e) grouped floor: one account.move.create",
    }
    for key, label in labels.items():
        print(f"{label:<42}{results[key]:>10.2f}{rate(key):>14.1f}")
    print(f"ratio ours / floor (speed):          {rate('ours') / rate('floor'):.2f}")
    print(f"ratio ours / OCA (speed):            {rate('ours') / rate('oca'):.2f}")
    print(
        f"ratio ours grouped / OCA (speed):    {rate('ours_grouped') / rate('oca'):.2f}"
    )
    print(
        "ratio ours grouped / grouped floor:  "
        f"{rate('ours_grouped') / rate('floor_grouped'):.2f}"
    )


# ----------------------------------------------------------------------
# A measure starts from a copy of the database, not from a cleanup
# ----------------------------------------------------------------------


def snapshot(registry, template):
    """Copy the database of ``registry`` to ``template`` (Odoo's duplicate:
    PostgreSQL's CREATE DATABASE ... TEMPLATE, a file copy, and the
    filestore). Putting it back takes seconds where deleting what a measure
    made (``moves.unlink()``) took minutes."""
    drop_database(template)
    odoo.service.db.exp_duplicate_database(registry.db_name, template)


def restore(registry, template):
    """Put the database back as it was at ``snapshot``: its new registry."""
    db = registry.db_name
    drop_database(db)
    odoo.service.db.exp_duplicate_database(template, db)
    return odoo.modules.registry.Registry(db)


def drop_database(name):
    """Drop the database ``name`` and its filestore, if they exist (Odoo's
    ``exp_drop`` only sees the databases its ``--database`` lets through)."""
    odoo.modules.registry.Registry.delete(name)
    odoo.sql_db.close_db(name)
    with closing(odoo.sql_db.db_connect("postgres").cursor()) as cr:
        cr._cnx.autocommit = True
        cr.execute(SQL("DROP DATABASE IF EXISTS %s WITH (FORCE)", SQL.identifier(name)))
    shutil.rmtree(odoo.tools.config.filestore(name), ignore_errors=True)


# ----------------------------------------------------------------------
# Cron workers: the monthly invoicing on one worker, then on two
# ----------------------------------------------------------------------

WORKER_CRONS = [
    "service_contract.ir_cron_create_invoices",
    "service_contract.ir_cron_create_invoices_worker_2",
]


def bench_workers(registry, n, config):
    """The same month invoiced by one cron worker, then by two at once (the
    invoicing scheduled action and its copy, each in its own process as on
    an Odoo server with ``--max-cron-threads=2``), from the same copy of
    the database. Checked after each: every period invoiced exactly once."""
    with registry.cursor() as cr:
        env = environment(cr)
        today, _contracts = prepare_invoicing(env, n, oca=False)
        cron_ids = [env.ref(xmlid).id for xmlid in WORKER_CRONS]
    analyze(registry)
    template = f"{registry.db_name}_template"
    snapshot(registry, template)
    results = {}
    try:
        for workers in (1, 2):
            registry = restore(registry, template)
            results[workers] = run_workers(
                registry, config, today, n, cron_ids[:workers]
            )
    finally:
        drop_database(template)
    print(f"\nThe month's invoicing on cron workers, N = {n} contracts")
    print(
        f"{'workers':<10}{'seconds':>10}{'contracts/s':>14}{'peak RSS MB':>14}"
        f"{'retried':>10}"
    )
    for workers, (elapsed, rss, retried) in results.items():
        print(
            f"{workers:<10}{elapsed:>10.2f}{n / elapsed:>14.1f}{rss:>14.0f}"
            f"{retried:>10}"
        )
    print(f"ratio two workers / one (speed): {results[1][0] / results[2][0]:.2f}")


def run_workers(registry, config, today, n, cron_ids):
    """Start one process per scheduled action of ``cron_ids``, each running
    it as Odoo's cron runner does (its id in the context); time them from
    the moment they are all told to go until the last one ends. Return
    (seconds, the largest peak RSS of a worker in MB)."""
    odoo.sql_db.close_db(registry.db_name)
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "-c",
                config,
                "-d",
                registry.db_name,
                "cron-worker",
                "--cron-id",
                str(cron_id),
                "--today",
                today.isoformat(),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for cron_id in cron_ids
    ]
    for worker in workers:
        assert worker.stdout.readline().strip() == "ready"
    start = time.perf_counter()
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    reports = [json.loads(worker.stdout.readline()) for worker in workers]
    elapsed = time.perf_counter() - start
    for worker in workers:
        assert worker.wait() == 0
    done = sum(report["done"] for report in reports)
    with registry.cursor() as cr:
        env = environment(cr)
        # A batch a worker left to the other one's transaction (a
        # serialization failure) is retried by the next run, as its
        # scheduled action is triggered again.
        retried = env["service.contract"]._cron_create_invoices(today=today)
        done += retried
        counts = invoiced_once_counts(cr, today)
    assert done == n and counts == (n, n, n, n), (done, counts, n)
    return elapsed, max(report["rss_mb"] for report in reports), retried


def invoiced_once_counts(cr, today):
    """(periods of this month due by ``today``, those invoiced, their
    distinct invoices, the customer invoices of the month): four times N
    when each of N periods is invoiced exactly once and nothing more."""
    this_month = today.replace(day=1)
    cr.execute(
        """SELECT COUNT(*), COUNT(move_id), COUNT(DISTINCT move_id)
             FROM service_contract_period
            WHERE date_from >= %s AND invoice_date <= %s""",
        (this_month, today),
    )
    periods, invoiced, moves = cr.fetchone()
    cr.execute(
        """SELECT COUNT(*) FROM account_move
            WHERE move_type = 'out_invoice' AND invoice_date >= %s""",
        (this_month,),
    )
    return periods, invoiced, moves, cr.fetchone()[0]


def cron_worker(registry, cron_id, today):
    """A cron worker of ``run_workers``: ready, then invoice when told to."""
    print("ready", flush=True)
    sys.stdin.readline()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"cron_id": cron_id})
        done = env["service.contract"]._cron_create_invoices(today=today)
        cr.commit()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"done": done, "rss_mb": rss_mb}), flush=True)


def bench_interventions(registry, n):
    """N contracts with 4 visits a year each, a year of horizon: our
    generation against one raw batched create of the same records."""
    results = {}
    today = date.today()
    with registry.cursor() as cr:
        env = environment(cr)
        env.company.service_planning_horizon = 365
        customers = env["res.partner"].create(
            [{"name": f"Bench visits customer {i}"} for i in range(max(n // 10, 1))]
        )
        contracts = env["service.contract"].create(
            [
                {
                    "partner_id": customers[i % len(customers)].id,
                    "date_start": today,
                    "line_ids": [Command.create({"name": "Visits", "price_unit": 1})],
                    "visit_plan_ids": [
                        Command.create(
                            {"name": "Preventive visit", "count_per_year": 4}
                        )
                    ],
                }
                for i in range(n)
            ]
        )
        # Running without a billing schedule: only the visits are measured.
        from odoo.addons.service_contract.models.service_lifecycle_guard import (
            lifecycle_write,
        )

        with lifecycle_write():
            contracts.write({"state": "running", "date_signed": today})
        contract_ids = contracts.ids
    analyze(registry)
    # (a) the floor: one create of the very same interventions.
    with registry.cursor() as cr:
        env = environment(cr)
        contracts = env["service.contract"].browse(contract_ids)
        vals_by_contract = contracts._prepare_missing_interventions(today)
        vals_list = [vals for values in vals_by_contract.values() for vals in values]
        env.invalidate_all()
        Intervention = env["service.intervention"].with_context(
            tracking_disable=True, mail_create_nolog=True
        )
        Intervention.create(vals_list[:5])
        env.flush_all()
        cr.rollback()
        env.invalidate_all()
        with timer(results, "floor"):
            Intervention.create(vals_list)
            env.flush_all()
        cr.rollback()
    count = len(vals_list)
    # (b) our scheduled action, committing its batches.
    with registry.cursor() as cr:
        env = environment(cr)
        with timer(results, "ours"):
            created = env["service.contract"]._cron_generate_interventions(today=today)
            env.flush_all()
            cr.commit()
        assert created == count, (created, count)
    print(f"\nVisit generation, N = {n} contracts x 4 visits a year = {count} visits")
    print(f"{'measure':<42}{'seconds':>10}{'visits/s':>14}")
    for key, label in (
        ("floor", "(a) floor: one service.intervention.create"),
        ("ours", "(b) service_contract generation cron"),
    ):
        print(f"{label:<42}{results[key]:>10.2f}{count / results[key]:>14.1f}")
    print(
        f"ratio ours / floor (speed):          {results['floor'] / results['ours']:.2f}"
    )


@contextmanager
def profiled(enabled):
    """With ``enabled``, print the top functions of the block by cumulated
    time (cProfile)."""
    if not enabled:
        yield
        return
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def bench_terms(registry, n, profile=False):
    """N fresh contracts started over the last 24 months, yearly tacit
    terms (about half are due for renewal), monthly invoicing and two
    visits a year: the terms scheduled action (renewals), then the visit
    generation, each timed alone. With ``profile``, the top functions of
    each by cumulated time (cProfile)."""
    results = {}
    today = date.today()
    with registry.cursor() as cr:
        env = environment(cr)
        customers, product = prepare_customers(env, n, "Bench terms customer")
        contracts = env["service.contract"].create(
            [
                {
                    "partner_id": customers[i % len(customers)].id,
                    "date_start": today - relativedelta(days=730 * i // n),
                    **YEARLY_TACIT_TERMS,
                    "invoicing_mode": "advance",
                    "line_ids": [Command.create({"product_id": product.id})],
                    "visit_plan_ids": [
                        Command.create(
                            {"name": "Preventive visit", "count_per_year": 2}
                        )
                    ],
                }
                for i in range(n)
            ]
        )
        contracts.action_sign()
        due = env["service.contract"].search_count(
            env["service.contract"]._get_terms_due_domain(today)
        )
    counts = {}
    for key, method in (
        ("terms", "_cron_process_terms"),
        ("visits", "_cron_generate_interventions"),
    ):
        analyze(registry)
        with registry.cursor() as cr:
            env = environment(cr)
            with profiled(profile), timer(results, key):
                counts[key] = getattr(env["service.contract"], method)(today=today)
                env.flush_all()
                cr.commit()
    renewed, visits = counts["terms"], counts["visits"]
    assert renewed == due, (renewed, due)
    print(f"\nTerms and visits, N = {n} contracts started over 24 months")
    print(f"{'measure':<42}{'seconds':>10}{'count':>8}{'ms each':>10}")
    for key, label, count in (
        ("terms", "(a) terms cron: renewals", renewed),
        ("visits", "(b) visit generation", visits),
    ):
        each = results[key] * 1000 / count if count else 0.0
        print(f"{label:<42}{results[key]:>10.2f}{count:>8}{each:>10.2f}")
    print(
        f"ratio terms + visits seconds per contract (ms): "
        f"{(results['terms'] + results['visits']) * 1000 / n:.2f}"
    )


def prepare_dashboard(env, n):
    """N contracts (500 signed and invoiced through the scheduled action,
    their invoices posted and unpaid; the others copied from them by SQL
    with shifted dates), 4 visits each over the past and coming year (done
    ones with their costs), some notices and terminations."""
    ensure_chart_of_accounts(env)
    today = env.company._service_today()
    technician_group = env.ref("service_contract.group_service_contract_technician")
    technicians = env["res.users"].create(
        [
            {
                "name": f"Bench technician {i}",
                "login": f"bench_technician_{i}",
                "groups_id": [Command.set(technician_group.ids)],
            }
            for i in range(max(n // 1000, 5))
        ]
    )
    customers = env["res.partner"].create(
        [{"name": f"Bench dashboard customer {i}"} for i in range(max(n // 10, 1))]
    )
    product = env["product.product"].create(
        {"name": "Bench maintenance", "type": "service", "list_price": 100.0}
    )
    base = min(n, 500)
    frequencies = ("month", "quarter", "year")
    renewals = ("tacit", "tacit", "express", "none")
    last_month = today.replace(day=1) - relativedelta(months=1)
    contracts = env["service.contract"]
    for start in range(0, base, 500):
        contracts |= env["service.contract"].create(
            [
                {
                    "partner_id": customers[i % len(customers)].id,
                    "date_start": last_month - relativedelta(months=i % 4),
                    "invoicing_frequency": frequencies[i % 3],
                    "invoicing_mode": "advance",
                    "renewal_type": renewals[i % 4],
                    "renewal_duration": 1,
                    "technician_id": technicians[i % len(technicians)].id,
                    "line_ids": [
                        Command.create(
                            {"product_id": product.id, "price_unit": 50 + i % 200}
                        )
                    ],
                }
                for i in range(start, min(start + 500, base))
            ]
        )
    contracts.action_sign()
    env["service.contract"]._cron_create_invoices(today=last_month)
    # Posted and unpaid: the overdue receivables.
    invoices = contracts.period_ids.move_id
    invoices.write({"invoice_date": last_month})
    invoices.action_post()
    # Half of them past due (the terms give a month or two).
    env.flush_all()
    env.cr.execute(
        SQL(
            "UPDATE account_move SET invoice_date_due = invoice_date_due - 75 "
            "WHERE id = ANY(%s) AND mod(id, 2) = 0",
            invoices.ids,
        )
    )
    env.flush_all()
    cr = env.cr
    # The other contracts: copies of these, their dates shifted by up to
    # a year, under their own reference.
    columns = [
        SQL.identifier(name)
        for name, field in env["service.contract"]._fields.items()
        if field.store
        and field.column_type
        and name not in ("id", "name", "date_start", "date_end", "notice_deadline")
    ]
    copies = -(-(n - base) // base)
    cr.execute(
        SQL(
            """
            INSERT INTO service_contract (name, date_start, date_end,
                                          notice_deadline, %(columns)s)
            SELECT c.name || '-' || g, c.date_start + s.shift,
                   c.date_end + s.shift, c.notice_deadline + s.shift,
                   %(columns)s
              FROM service_contract c
             CROSS JOIN generate_series(1, %(copies)s) g
             CROSS JOIN LATERAL (SELECT mod(g * 37 + c.id, 365) - 180 AS shift) s
             WHERE c.id = ANY(%(ids)s)
             ORDER BY g, c.id
             LIMIT %(limit)s
            """,
            columns=SQL(", ").join(columns),
            copies=copies,
            ids=contracts.ids,
            limit=n - base,
        )
    )
    # Churn: 3% given notice, 2% terminated, 5% closed, over the past year.
    cr.execute(
        SQL(
            """
            UPDATE service_contract
               SET notice_date = %(today)s - mod(id, 360),
                   notice_by = 'customer', notice_reason = 'Bench'
             WHERE mod(id, 100) < 3;
            UPDATE service_contract
               SET date_termination = %(today)s - mod(id, 300) + 30,
                   termination_type = CASE WHEN mod(id, 2) = 0 THEN 'cause'
                                           ELSE 'agreement' END,
                   termination_reason = 'Bench'
             WHERE mod(id, 100) BETWEEN 3 AND 4;
            UPDATE service_contract
               SET state = 'closed', date_closed = date_end, close_reason = 'expired'
             WHERE mod(id, 100) BETWEEN 5 AND 9;
            """,
            today=today,
        )
    )
    # 4 visits per contract, due over the past 200 and the next 165 days:
    # done when over a month old (some left late), planned or to plan after.
    cr.execute(
        SQL(
            """
            INSERT INTO service_intervention (
                name, contract_id, company_id, partner_id, kind, is_covered,
                date_due, date_window_start, date_window_end, date_calendar,
                user_id, state, appointment_state, duration_expected,
                duration_actual, date_done,
                create_uid, create_date, write_uid, write_date)
            SELECT 'INT/B/' || c.id || '/' || g, c.id, c.company_id, c.partner_id,
                   'preventive', true, v.due, v.due - 15, v.due + 15,
                   v.due + time '08:00',
                   (%(technicians)s)[mod(c.id + g, %(tech_count)s) + 1],
                   CASE WHEN v.due < %(today)s - 30 AND mod(c.id + g, 10) != 0
                        THEN 'done'
                        WHEN v.due < %(today)s + 30 THEN 'planned'
                        ELSE 'to_plan' END,
                   'none', 1.5, 1.5, v.due + time '10:00',
                   1, now() at time zone 'UTC', 1, now() at time zone 'UTC'
              FROM service_contract c
             CROSS JOIN generate_series(0, 3) g
             CROSS JOIN LATERAL (
                 SELECT %(today)s + mod(c.id * 7 + g * 91, 365) - 200 AS due
             ) v
            """,
            technicians=technicians.ids,
            tech_count=len(technicians),
            today=today,
        )
    )
    cr.execute("UPDATE service_intervention SET date_done = NULL WHERE state != 'done'")
    # Costs of the done visits (1.5 h at 40.00, parts, travel), and the
    # contracts' stored margins that the ORM would have recomputed.
    cr.execute(
        """
        UPDATE service_intervention
           SET cost_labour = 60, cost_material = mod(id, 5) * 30,
               cost_travel = 15, cost_total = 75 + mod(id, 5) * 30
         WHERE state = 'done';
        UPDATE service_contract c
           SET cost_total = s.cost,
               margin = COALESCE(c.revenue_invoiced, 0) - s.cost
          FROM (SELECT contract_id, SUM(cost_total) AS cost
                  FROM service_intervention WHERE state = 'done'
                 GROUP BY contract_id) s
         WHERE s.contract_id = c.id;
        """
    )
    env.invalidate_all()
    env.registry.clear_cache()
    counts = {}
    for table in ("service_contract", "service_intervention", "account_move"):
        cr.execute(SQL("SELECT COUNT(*) FROM %s", SQL.identifier(table)))
        counts[table] = cr.fetchone()[0]
    return counts


class QueryLog:
    """Records the queries run through a cursor with their duration."""

    def __init__(self, cr):
        self.cr = cr
        self.queries = []

    def __enter__(self):
        execute = self.execute = self.cr.execute

        def timed(query, params=None, log_exceptions=True):
            start = time.perf_counter()
            try:
                return execute(query, params, log_exceptions)
            finally:
                self.queries.append((time.perf_counter() - start, query, params))

        self.cr.execute = timed
        return self

    def __exit__(self, *exc):
        del self.cr.execute


def open_tile(env, tile):
    """What the web client does on a click on a tile: run its action, load
    its views, read the first view's records (grouped as the action says),
    then the pivot and the graph. Returns {step: seconds}."""
    times = {}
    with timer(times, "action"):
        action = tile.action_open()
    Model = env[action["res_model"]].with_context(**action["context"])
    domain = action["domain"]
    context = action["context"]
    view_types = [view_type for _id, view_type in action["views"]]
    with timer(times, "views"):
        Model.get_views(action["views"])
    first = view_types[0]
    with timer(times, "first view"):
        if first == "list" and context.get("group_by"):
            Model.web_read_group(
                domain, ["__count"], context["group_by"][:1], limit=80, lazy=True
            )
        elif first in ("list", "kanban"):
            Model.web_search_read(domain, {"display_name": {}}, limit=80)
        else:
            groupby = context.get("graph_groupbys") or context.get("group_by") or []
            Model.read_group(domain, ["__count"], groupby[:2], lazy=False)
    if "pivot" in view_types:
        with timer(times, "pivot"):
            Model.read_group(
                domain,
                ["__count"],
                context.get("pivot_row_groupby", [])[:1],
                lazy=False,
            )
    if "graph" in view_types:
        with timer(times, "graph"):
            Model.read_group(
                domain, ["__count"], context.get("graph_groupbys", [])[:1], lazy=False
            )
    return times


def bench_dashboard(registry, n):
    """Every tile of the manager's dashboard opens in under a second on N
    contracts with 4N visits."""
    with registry.cursor() as cr:
        env = environment(cr)
        counts = prepare_dashboard(env, n)
    analyze(registry)
    rows = []
    with registry.cursor() as cr:
        env = environment(cr)
        Dashboard = env["service.contract.dashboard"]
        # Warm up the caches of the process (not timed).
        for tile in Dashboard.search([]):
            open_tile(env, tile)
        cr.rollback()
        env.invalidate_all()
        results = {}
        with timer(results, "dashboard"):
            tiles = Dashboard.search_read([], ["tile", "record_count", "description"])
        rows.append(
            ("(the dashboard's kanban)", len(tiles), {"load": results["dashboard"]})
        )
    # Each tile in its own transaction, as each click is a request of its
    # own: the tile is read first (the kanban has it), then opened.
    for values in tiles:
        with registry.cursor() as cr:
            env = environment(cr)
            tile = env["service.contract.dashboard"].browse(values["id"])
            tile.fetch(["tile", "company_id", "record_count"])
            cr.execute("SET LOCAL jit TO DEFAULT")
            rows.append((tile.tile, tile.record_count, open_tile(env, tile)))
    slowest = max(rows[1:], key=lambda row: sum(row[2].values()))
    with registry.cursor() as cr:
        env = environment(cr)
        tile = env["service.contract.dashboard"].search([("tile", "=", slowest[0])])
        tile.fetch(["tile", "company_id", "record_count"])
        cr.execute("SET LOCAL jit TO DEFAULT")
        with QueryLog(cr) as log:
            open_tile(env, tile)
        query_time, query, params = max(log.queries, key=lambda q: q[0])
        if not isinstance(query, SQL):
            query = SQL(query, *(params or ()))
        cr.execute(SQL("EXPLAIN (ANALYZE, BUFFERS) %s", query))
        plan = [line for (line,) in cr.fetchall()]
        query_text = cr.mogrify(query.code, query.params).decode()
    print(
        f"\nDashboard, N = {n} contracts: {counts['service_contract']} contracts, "
        f"{counts['service_intervention']} visits, {counts['account_move']} moves"
    )
    steps = ["action", "views", "first view", "pivot", "graph"]
    print(
        f"{'tile':<26}{'records':>9}"
        + "".join(f"{s:>12}" for s in steps)
        + f"{'total (s)':>11}"
    )
    for name, count, times in rows:
        cells = "".join(
            f"{times[s]:>12.3f}" if s in times else f"{'':>12}" for s in steps
        )
        if "load" in times:
            cells = f"{times['load']:>12.3f}" + f"{'':>12}" * (len(steps) - 1)
        print(f"{name:<26}{count:>9}{cells}{sum(times.values()):>11.3f}")
    print(
        f"\nSlowest tile: {slowest[0]} ({sum(slowest[2].values()):.3f} s); "
        f"its slowest query ({query_time * 1000:.1f} ms):"
    )
    print(query_text)
    print("\n".join(plan))


def prepare_revision(env, n):
    """N running contracts of ours and N OCA contracts, one monthly line each
    at the same price (100 to 149), started a year ago for two years, not
    invoiced yet: ours with the clause P = P0 x (0.15 + 0.85 x BENCH/BENCH0)
    on one index whose values are known, all due for revision this month.

    :return: (today, our contracts, OCA contracts, the clause's coefficient)
    """
    today = date.today()
    revision_date = today.replace(day=1)
    start = revision_date - relativedelta(years=1)
    end = start + relativedelta(years=2, days=-1)
    base_month = start - relativedelta(months=1)
    # A variation with few decimals (0.15 + 0.85 x 108 / 100 = 1.068): OCA's
    # percentage (2 decimals) gives the same new prices.
    base_value, value = 100.0, 108.0
    index = env["service.price.index"].create(
        {
            "name": "Bench index",
            "code": "BENCH",
            "value_ids": [
                Command.create({"date": base_month, "value": base_value}),
                Command.create(
                    {"date": base_month + relativedelta(years=1), "value": value}
                ),
            ],
        }
    )
    customers = env["res.partner"].create(
        [{"name": f"Bench revision customer {i}"} for i in range(max(n // 10, 1))]
    )
    product = env["product.product"].create(
        {"name": "Bench revised maintenance", "type": "service", "list_price": 100.0}
    )
    contracts = env["service.contract"].create(
        [
            {
                "partner_id": customers[i % len(customers)].id,
                "date_start": start,
                "duration": 2,
                "duration_unit": "year",
                "invoicing_frequency": "month",
                "invoicing_mode": "advance",
                "line_ids": [
                    Command.create(
                        {"product_id": product.id, "price_unit": 100.0 + i % 50}
                    )
                ],
                "revision_fixed_part": 0.15,
                "revision_term_ids": [
                    Command.create({"index_id": index.id, "weight": 0.85})
                ],
                "revision_base_date": base_month,
                "revision_index_rule": "same_month",
                "revision_date": revision_date,
            }
            for i in range(n)
        ]
    )
    contracts.action_sign(date_signed=start)
    # No price steps to write: a contract without amendment nor revision has
    # none, and the revision reads its price from the start then (the
    # amount of its lines, ``_get_price_steps``), as for these.
    oca_contracts = env["contract.contract"].create(
        [
            {
                "name": f"OCA revision bench {i}",
                "partner_id": customers[i % len(customers)].id,
                "line_recurrence": True,
                "contract_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "name": "Bench revised maintenance",
                            "quantity": 1,
                            "price_unit": 100.0 + i % 50,
                            "date_start": start,
                            "date_end": end,
                            "recurring_rule_type": "monthly",
                            "recurring_interval": 1,
                            "recurring_invoicing_type": "pre-paid",
                        }
                    )
                ],
            }
            for i in range(n)
        ]
    )
    coefficient = 0.15 + 0.85 * value / base_value
    return today, contracts, oca_contracts, coefficient


def bench_revision(registry, n):
    """Revising N contracts: (a) ours, the scheduled action (``_cron_revise_
    prices``, batches committed); (b) OCA ``contract_price_revision``'s
    wizard on the same prices and dates with the same variation, as a user
    runs it on the N contracts selected. Both as the superuser, in one run."""
    results = {}
    with registry.cursor() as cr:
        env = environment(cr)
        today, contracts, oca_contracts, coefficient = prepare_revision(env, n)
        contract_ids, oca_ids = contracts.ids, oca_contracts.ids
        revision_date = today.replace(day=1)
        batch_size = env["service.contract"]._get_cron_batch_size()
    analyze(registry)
    # (a) ours: the scheduled action, as the cron runs it.
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        with timer(results, "ours"):
            done = env["service.contract"]._cron_revise_prices(today=today)
            env.flush_all()
            cr.commit()
        assert done == n, (done, n)
        revised = env["service.contract"].browse(contract_ids)
        assert len(revised.revision_ids) == n, len(revised.revision_ids)
        prices = sorted(
            round(price, 2) for price in revised.line_ids.mapped("price_unit")
        )
    # (b) OCA: the price revision wizard on the contracts selected.
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        with timer(results, "oca"):
            wizard = env["contract.price.revision.wizard"].create(
                {
                    "date_start": revision_date,
                    "variation_type": "percentage",
                    "variation_percent": (coefficient - 1) * 100,
                }
            )
            wizard.with_context(
                active_ids=oca_ids, active_model="contract.contract"
            ).action_apply()
            env.flush_all()
            cr.commit()
        lines = env["contract.contract"].browse(oca_ids).contract_line_ids
        successors = lines.filtered("predecessor_contract_line_id")
        assert len(successors) == n, len(successors)
        oca_prices = sorted(
            round(price, 2) for price in successors.mapped("price_unit")
        )
    report_revision(n, results, batch_size, coefficient, prices == oca_prices)


def report_revision(n, results, batch_size, coefficient, same_prices):
    def rate(key):
        return n / results[key]

    print(
        f"\nPrice revision, N = {n} contracts (one monthly line each, "
        f"coefficient {coefficient:.6f}); same new prices: {same_prices}"
    )
    print(f"{'measure':<58}{'seconds':>9}{'contracts/s':>13}")
    for key, label in (
        ("ours", "(a) service_contract _cron_revise_prices (scheduled)"),
        ("oca", "(b) OCA contract_price_revision wizard action_apply"),
    ):
        print(f"{label:<58}{results[key]:>9.2f}{rate(key):>13.1f}")
    print(f"ratio ours / OCA (speed):            {rate('ours') / rate('oca'):.2f}")
    print(f"our cron's batch size (one commit a batch): {batch_size}")
    config = odoo.tools.config
    window = config["limit_time_real_cron"]
    source = "limit_time_real_cron"
    if window is None or window < 0:
        window, source = config["limit_time_real"], "limit_time_real"
    estimate = 50000 / rate("ours")
    print(
        f"estimate for 50,000 contracts at the measured rate: {estimate:.0f} s "
        f"in {-(-50000 // batch_size)} batches of {batch_size}; cron run window: "
        + (
            f"{window} s ({source}, multi-worker server)"
            if window
            else "no limit (limit_time_real_cron = 0)"
        )
        + (f"; {'within' if not window or estimate <= window else 'beyond'}" " one run")
    )


def bench_import(registry, n):
    """Import Contracts: N running contracts (the sample of
    tests/data/make_contracts_sample.py, repeated with other references),
    checked, created and taken over; then the invoicing cron on them."""
    import base64  # noqa: PLC0415
    import csv  # noqa: PLC0415
    import importlib.util  # noqa: PLC0415
    import io  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    path = Path(__file__).parent.parent / "tests/data/make_contracts_sample.py"
    spec = importlib.util.spec_from_file_location("make_contracts_sample", path)
    sample = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sample)
    rows, copy = sample.rows(), 0
    while len({row["contract_ref"] for row in rows}) < n:
        copy += 1
        rows += [
            {**row, "contract_ref": f"{row['contract_ref']}-{copy}"}
            for row in sample.rows()
        ]
    refs = list(dict.fromkeys(row["contract_ref"] for row in rows))[:n]
    rows = [row for row in rows if row["contract_ref"] in set(refs)]
    stream = io.StringIO()
    writer = csv.DictWriter(stream, sample.COLUMNS, delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    results = {}
    with registry.cursor() as cr:
        env = environment(cr)
        ensure_chart_of_accounts(env)
        env["product.product"].create(
            [
                {"name": code, "default_code": code, "type": "service"}
                for code, _price in sample.PRODUCTS
            ]
        )
        terms = {**YEARLY_TACIT_TERMS, "prorata": True}
        env["service.contract.template"].create(
            [{"name": name, **terms} for name in sample.TEMPLATES]
        )
        wizard = env["service.contract.import"].create(
            {
                "file": base64.b64encode(stream.getvalue().encode()),
                "file_name": "contracts.csv",
            }
        )
        env.flush_all()
        queries = cr.sql_log_count
        with timer(results, "import"):
            wizard.action_import()
            env.flush_all()
        queries = cr.sql_log_count - queries
        assert not wizard.error_ids, wizard.error_ids.mapped("message")[:5]
        contracts = wizard.contract_ids
        with timer(results, "cron"):
            invoiced = env["service.contract"]._cron_create_invoices()
            env.flush_all()
        cr.rollback()
    print(f"\nImport Contracts, N = {n} contracts ({len(rows)} rows)")
    print(f"{'measure':<42}{'seconds':>10}{'contracts/s':>14}")
    print(
        f"{'check, create and take over':<42}{results['import']:>10.2f}"
        f"{n / results['import']:>14.1f}"
    )
    print(f"{'invoicing cron afterwards':<42}{results['cron']:>10.2f}")
    print(
        f"queries of the import: {queries}; periods invoiced by the cron: "
        f"{invoiced} (of {len(contracts)} contracts)"
    )


def load_planning():
    """The add-on's planning/ package, without Odoo (no database needed)."""
    import importlib.util  # noqa: PLC0415
    import sys  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    root = Path(__file__).resolve().parent.parent / "planning"
    spec = importlib.util.spec_from_file_location(
        "sc_planning", root / "__init__.py", submodule_search_locations=[str(root)]
    )
    package = importlib.util.module_from_spec(spec)
    sys.modules["sc_planning"] = package
    spec.loader.exec_module(package)
    return {
        name: importlib.import_module(f"sc_planning.{name}")
        for name in ("checker", "greedy", "problem", "solomon", "solver")
    }


SOLOMON_FAMILIES = {
    "C1": [f"C10{i}" for i in range(1, 10)],
    "R1": [f"R1{i:02d}" for i in range(1, 13)],
    "RC1": [f"RC10{i}" for i in range(1, 9)],
}


def bench_solomon(planning, time_limit, names):
    """Solomon's 100-customer VRPTW instances: distance against the best
    known (distance-only) solutions."""
    import json  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    folder = Path(__file__).resolve().parent / "data" / "solomon"
    bks = json.loads((folder / "bks.json").read_text())
    solomon = planning["solomon"]
    print(f"Solomon VRPTW, 100 customers, time limit {time_limit:g} s per instance")
    print(
        f"{'instance':<10}{'distance':>10}{'vehicles':>10}{'BKS':>10}"
        f"{'gap %':>8}{'seconds':>9}  check"
    )
    gaps = {}
    for name in names:
        instance = solomon.parse_solomon((folder / f"{name}.txt").read_text())
        problem = solomon.solomon_problem(instance)
        plan = planning["solver"].solve(problem, time_limit=time_limit)
        errors = planning["checker"].check(problem, plan)
        distance, vehicles = solomon.plan_distance(instance, plan)
        best = bks[f"{name}_distance"]["best_known_cost"]
        gap = round(100 * (distance / best - 1), 2) + 0.0  # no "-0.00"
        if plan.unplaced:
            gap = float("inf")
        gaps[name] = gap
        status = "ok" if not errors else f"{len(errors)} violations"
        if plan.unplaced:
            status += f", {len(plan.unplaced)} unplaced"
        print(
            f"{name:<10}{distance:>10.2f}{vehicles:>10}{best:>10.2f}"
            f"{gap:>8.2f}{plan.stats['seconds']:>9.1f}  {status}"
        )
    for family, members in SOLOMON_FAMILIES.items():
        values = [gaps[n] for n in members if n in gaps]
        if values:
            mean = sum(values) / len(values)
            print(f"{family} average gap {mean:.2f} % ({len(values)})")
    average = sum(gaps.values()) / len(gaps)
    verdict = "PASS" if average <= 5 else "FAIL"
    print(
        f"Solomon average gap {average:.2f} % over {len(gaps)} instances: "
        f"{verdict} (goal <= 5 %)"
    )


def company_month(problem_module, seed=25):
    """A maintenance company's month as a planning Problem: 300 visits over
    120 sites (about 50 x 50 km around the agency), 8 technicians (half of
    them start from home) with 1 or 2 of 3 skills, two of them on leave 4
    days; working days 08:00-17:30 with a lunch break 12:00-13:30; visit
    windows from 1 day to 3 weeks; straight line x 1.3 at 50 km/h."""
    import math  # noqa: PLC0415
    import random  # noqa: PLC0415

    Route, Visit = problem_module.Route, problem_module.Visit
    rng = random.Random(seed)
    skills = ["gas", "lift", "electric"]
    n_sites, n_techs, n_days = 120, 8, 28
    points = [(0.0, 0.0)] + [
        (rng.uniform(-25, 25), rng.uniform(-25, 25)) for _i in range(n_sites)
    ]
    homes = []
    for tech in range(n_techs):
        if tech % 2:
            points.append((rng.uniform(-20, 20), rng.uniform(-20, 20)))
            homes.append(len(points) - 1)
        else:
            homes.append(0)
    travel = [[round(math.dist(a, b) * 1.3 / 50 * 60) for b in points] for a in points]
    tech_skills = [
        frozenset(rng.sample(skills, rng.choice((1, 2)))) for _i in range(n_techs)
    ]
    leave = {(tech, day) for tech in (0, 1) for day in rng.sample(range(n_days), 4)}
    routes = []
    for day in range(n_days):
        if day % 7 >= 5:
            continue
        base = day * 1440
        routes += [
            Route(
                key=(tech, day),
                technician=tech,
                start_location=homes[tech],
                end_location=homes[tech],
                start=base + 8 * 60,
                end=base + 17 * 60 + 30,
                breaks=[(base + 12 * 60, base + 12 * 60, 90)],
                skills=tech_skills[tech],
            )
            for tech in range(n_techs)
            if (tech, day) not in leave
        ]
    visits = []
    for i in range(300):
        site = 1 + (i if i < n_sites else rng.randrange(n_sites))
        first = rng.randrange(n_days - 1)
        last = min(n_days - 1, first + rng.randint(1, 21) - 1)
        need = frozenset() if rng.random() < 0.6 else frozenset({rng.choice(skills)})
        visits.append(
            Visit(
                key=i,
                location=site,
                duration=rng.choice((30, 45, 60, 90, 120)),
                windows=[(first * 1440, last * 1440 + 1439)],
                skills=need,
            )
        )
    return problem_module.Problem(travel=travel, visits=visits, routes=routes)


def bench_month(planning, time_limit):
    """The solver against the greedy baseline on a generated month."""
    problem = company_month(planning["problem"])
    print(
        f"Company month: {len(problem.visits)} visits, 8 technicians, "
        f"{len(problem.routes)} technician-days, time limit {time_limit:g} s"
    )
    print(
        f"{'plan':<8}{'travel (min)':>14}{'placed':>8}{'unplaced':>10}"
        f"{'violations':>12}{'seconds':>9}  result"
    )
    plans = {
        "greedy": planning["greedy"].plan_greedy(problem),
        "solver": planning["solver"].solve(problem, time_limit=time_limit),
    }
    for name, plan in plans.items():
        errors = planning["checker"].check(problem, plan)
        reasons = {}
        for reason in plan.unplaced.values():
            reasons[reason] = reasons.get(reason, 0) + 1
        print(
            f"{name:<8}{plan.travel:>14}{len(plan.assignments):>8}"
            f"{len(plan.unplaced):>10}{len(errors):>12}{plan.stats['seconds']:>9.1f}"
            f"  {plan.stats.get('status', 'greedy')} {reasons}"
        )
    greedy, solver = plans["greedy"], plans["solver"]
    saved = 100 * (1 - solver.travel / greedy.travel) if greedy.travel else 0.0
    verdict = (
        "PASS"
        if saved >= 25 and len(solver.assignments) >= len(greedy.assignments)
        else "FAIL"
    )
    print(
        f"Month: the solver saves {saved:.1f} % of the greedy plan's travel and "
        f"places {len(solver.assignments)} visits (greedy {len(greedy.assignments)}): "
        f"{verdict} (goal >= 25 %, as many placed)"
    )


def bench_planning(time_limit, instances):
    planning = load_planning()
    names = [n for members in SOLOMON_FAMILIES.values() for n in members]
    if instances:
        names = [n.strip().upper() for n in instances.split(",") if n.strip()]
    bench_solomon(planning, time_limit, names)
    print()
    bench_month(planning, time_limit)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument(
        "what",
        choices=[
            "invoicing",
            "interventions",
            "dashboard",
            "revision",
            "import",
            "planning",
            "workers",
            "cron-worker",
            "terms",
        ],
    )
    parser.add_argument("n", type=int, nargs="?", default=1000)
    parser.add_argument("--cron-id", type=int, help="cron-worker: its action")
    parser.add_argument("--today", help="cron-worker: the day it invoices")
    parser.add_argument(
        "--profile", action="store_true", help="terms: profile the renewals"
    )
    parser.add_argument(
        "--time-limit", type=float, default=30, help="planning: seconds per solve"
    )
    parser.add_argument(
        "--instances", help="planning: Solomon instances, e.g. C101,R101 (all 29)"
    )
    args = parser.parse_args()
    if args.what == "planning":
        # The planner's core is plain Python: no database.
        bench_planning(args.time_limit, args.instances)
        return
    odoo.tools.config.parse_config(
        ["-c", args.config, "-d", args.database, "--log-level=warn"]
    )
    registry = odoo.modules.registry.Registry(args.database)
    if args.what == "invoicing":
        bench_invoicing(registry, args.n)
    elif args.what == "dashboard":
        bench_dashboard(registry, args.n)
    elif args.what == "revision":
        bench_revision(registry, args.n)
    elif args.what == "import":
        bench_import(registry, args.n)
    elif args.what == "terms":
        bench_terms(
            registry, args.n, args.profile or os.environ.get("SC_BENCH_PROFILE")
        )
    elif args.what == "workers":
        bench_workers(registry, args.n, args.config)
    elif args.what == "cron-worker":
        cron_worker(registry, args.cron_id, date.fromisoformat(args.today))
    else:
        bench_interventions(registry, args.n)


if __name__ == "__main__":
    main()
