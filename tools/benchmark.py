"""Benchmarks of service_contract against the ORM floor and OCA `contract`.

Run through ``tools/benchmark``, which prepares the database. Each
measurement starts from the same data: what it creates is rolled back or
deleted before the next one.
"""

import argparse
import time
from contextlib import contextmanager
from datetime import date

from dateutil.relativedelta import relativedelta

import odoo
from odoo import SUPERUSER_ID, Command, api


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


def prepare_invoicing(env, n):
    """N contracts of ours and N OCA contracts: one monthly line each,
    invoiced in advance, N/10 customers, all due today.

    Ours started last month, whose invoices are created here (not timed)
    and kept: the accounting then holds a month of history, as it does in
    production, rather than empty tables whose statistics make PostgreSQL
    plan the queries of ``account.move.create`` as if they stayed empty.
    """
    ensure_chart_of_accounts(env)
    today = date.today()
    start = today.replace(day=1)
    last_month = start - relativedelta(months=1)
    customers = env["res.partner"].create(
        [{"name": f"Bench customer {i}"} for i in range(max(n // 10, 1))]
    )
    product = env["product.product"].create(
        {"name": "Bench maintenance", "type": "service", "list_price": 100.0}
    )
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
    with registry.cursor() as cr:
        env = environment(cr)
        Period = env["service.contract.period"]
        periods = Period.search(
            Period._get_due_domain(today) + [("contract_id", "in", contract_ids)]
        )
        from odoo.addons.service_contract.models.service_contract_period import (
            _InvoicingContext,
        )

        context = _InvoicingContext(env)
        vals_list = [period._prepare_invoice_vals(context) for period in periods]
        assert len(vals_list) == n, len(vals_list)
        env.invalidate_all()
        # The same invoices, created with the same context as the cron does.
        Move = env["account.move"].with_context(
            default_move_type="out_invoice", tracking_disable=True
        )
        # Warm up the caches of the process (not timed).
        Move.create(vals_list[:5])
        env.flush_all()
        cr.rollback()
        env.invalidate_all()
        with timer(results, "floor"):
            Move.create(vals_list)
            env.flush_all()
        cr.rollback()
    # (b) our scheduled action, committing its batches.
    results["ours"] = run_ours(registry, today, contract_ids, n, grouped=False)
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
    # (d) ours, one invoice per customer.
    with registry.cursor() as cr:
        env = environment(cr)
        env["service.contract"].browse(contract_ids).write({"group_invoices": True})
        env.flush_all()
    results["ours_grouped"] = run_ours(registry, today, contract_ids, n, grouped=True)
    report_invoicing(n, results)


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
        # Back to the initial state for the next measurement (not timed).
        moves.unlink()
        cr.commit()
    analyze(registry)
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
    }
    for key, label in labels.items():
        print(f"{label:<42}{results[key]:>10.2f}{rate(key):>14.1f}")
    print(f"ratio ours / floor (speed):          {rate('ours') / rate('floor'):.2f}")
    print(f"ratio ours / OCA (speed):            {rate('ours') / rate('oca'):.2f}")
    print(
        f"ratio ours grouped / OCA (speed):    {rate('ours_grouped') / rate('oca'):.2f}"
    )


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("what", choices=["invoicing", "interventions"])
    parser.add_argument("n", type=int)
    args = parser.parse_args()
    odoo.tools.config.parse_config(
        ["-c", args.config, "-d", args.database, "--log-level=warn"]
    )
    registry = odoo.modules.registry.Registry(args.database)
    if args.what == "invoicing":
        bench_invoicing(registry, args.n)
    else:
        bench_interventions(registry, args.n)


if __name__ == "__main__":
    main()
