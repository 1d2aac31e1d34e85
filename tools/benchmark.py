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
from odoo.tools import SQL


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


def prepare_revision(env, n):
    """N running contracts of one monthly line each, started a year ago for
    two years, with the clause P = P0 x (0.15 + 0.85 x BENCH/BENCH0) on one
    index whose values are known: all due for revision this month."""
    today = date.today()
    revision_date = today.replace(day=1)
    start = revision_date - relativedelta(years=1)
    base_month = start - relativedelta(months=1)
    index = env["service.price.index"].create(
        {
            "name": "Bench index",
            "code": "BENCH",
            "value_ids": [
                Command.create({"date": base_month, "value": 121.2}),
                Command.create(
                    {"date": base_month + relativedelta(years=1), "value": 130.5}
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
    return today, contracts


def raw_revision_write(env, proposals):
    """The floor: the same new prices and period amounts written by two
    UPDATE ... FROM (VALUES ...) statements, nothing else."""
    contracts = env["service.contract"].browse(list(proposals))
    currency_by_contract = {c.id: c.currency_id for c in contracts}
    line_values = []
    period_values = []
    lines = env["service.contract.line"].browse(
        [line["contract_line_id"] for p in proposals.values() for line in p["lines"]]
    )
    quantities = {line.id: (line.quantity, line.discount) for line in lines}
    periods = env["service.contract.period"].search_read(
        [
            ("contract_id", "in", list(proposals)),
            ("move_id", "=", False),
            ("is_cancelled", "=", False),
        ],
        ["contract_id", "date_from", "prorata_factor"],
        load=None,
    )
    periods_by_contract = {}
    for period in periods:
        periods_by_contract.setdefault(period["contract_id"], []).append(period)
    for contract_id, proposal in proposals.items():
        currency = currency_by_contract[contract_id]
        untaxed = 0.0
        for line in proposal["lines"]:
            line_values.append((line["contract_line_id"], line["price_after"]))
            quantity, discount = quantities[line["contract_line_id"]]
            untaxed += currency.round(
                line["price_after"] * quantity * (1 - discount / 100)
            )
        for period in periods_by_contract.get(contract_id, []):
            if period["date_from"] >= proposal["date"]:
                period_values.append(
                    (period["id"], currency.round(untaxed * period["prorata_factor"]))
                )

    def update(table, column, values):
        env.cr.execute(
            SQL(
                "UPDATE %(table)s t SET %(column)s = v.value"
                " FROM (VALUES %(values)s) AS v(id, value) WHERE t.id = v.id",
                table=SQL.identifier(table),
                column=SQL.identifier(column),
                values=SQL(", ").join(
                    SQL("(%s, %s::numeric)", id_, value) for id_, value in values
                ),
            )
        )

    update("service_contract_line", "price_unit", line_values)
    update("service_contract_period", "amount", period_values)
    return len(line_values), len(period_values)


def bench_revision(registry, n):
    """Revising N contracts (one line, monthly periods) with our API against
    a raw batched write of the very same new prices and period amounts."""
    results = {}
    with registry.cursor() as cr:
        env = environment(cr)
        today, contracts = prepare_revision(env, n)
        contract_ids = contracts.ids
    analyze(registry)
    # (a) the floor: the proposals are computed (not timed), then written raw.
    with registry.cursor() as cr:
        env = environment(cr)
        Contract = env["service.contract"]
        proposals = Contract.browse(contract_ids)._get_revision_proposals(today)
        assert len(proposals) == n, len(proposals)
        env.invalidate_all()
        with timer(results, "floor"):
            counts = raw_revision_write(env, proposals)
        cr.rollback()
    # (b) ours: proposals and application, as the scheduled action does.
    with registry.cursor() as cr:
        env = environment(cr)
        Contract = env["service.contract"]
        env.invalidate_all()
        with timer(results, "ours"):
            contracts = Contract.browse(contract_ids)
            revisions = contracts._apply_revisions(
                contracts._get_revision_proposals(today)
            )
            env.flush_all()
        assert len(revisions) == n, len(revisions)
        cr.rollback()
    print(
        f"\nPrice revision, N = {n} contracts ({counts[0]} lines, "
        f"{counts[1]} periods re-priced)"
    )
    print(f"{'measure':<46}{'seconds':>10}{'contracts/s':>14}")
    for key, label in (
        ("floor", "(a) floor: raw UPDATE ... FROM (VALUES ...)"),
        ("ours", "(b) _apply_revisions(_get_revision_proposals)"),
    ):
        print(f"{label:<46}{results[key]:>10.2f}{n / results[key]:>14.1f}")
    print(
        f"ratio ours / floor (speed):          {results['floor'] / results['ours']:.2f}"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("what", choices=["invoicing", "interventions", "revision"])
    parser.add_argument("n", type=int)
    args = parser.parse_args()
    odoo.tools.config.parse_config(
        ["-c", args.config, "-d", args.database, "--log-level=warn"]
    )
    registry = odoo.modules.registry.Registry(args.database)
    if args.what == "invoicing":
        bench_invoicing(registry, args.n)
    elif args.what == "revision":
        bench_revision(registry, args.n)
    else:
        bench_interventions(registry, args.n)


if __name__ == "__main__":
    main()
