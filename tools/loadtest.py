"""The database of ``tools/loadtest`` and its report.

``prepare N``: N monthly contracts invoiced in advance over N/10 customers
(``tools/benchmark.py``'s ``prepare_invoicing``: last month invoiced and
posted, this month due today), a portal user for each of the first 40
customers and 10 back-office users (contract manager, billing).

``report CSV SECONDS_ALONE SECONDS_LOADED RETRIED``: the Locust figures per
page, the invoicing's duration under load against alone, and the check that
every period of the month is invoiced exactly once. Fails (exit 1) on any
failed request or a period invoiced twice or left out.
"""

import argparse
import csv
import sys
from datetime import date
from pathlib import Path

import odoo
from odoo import SUPERUSER_ID, api

sys.path.insert(0, str(Path(__file__).parent))
from benchmark import invoiced_once_counts, prepare_invoicing  # noqa: E402

PORTAL_USERS = 40
OFFICE_USERS = 10


def prepare(registry, n):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        _today, contracts = prepare_invoicing(env, n, oca=False)
        contracts.invoice_ids.filtered(lambda m: m.state == "draft").action_post()
        customers = contracts.partner_id.sorted("id")[:PORTAL_USERS]
        portal = env.ref("base.group_portal")
        Users = env["res.users"].with_context(no_reset_password=True)
        Users.create(
            [
                {
                    "name": f"Portal {customer.name}",
                    "login": f"sc_load_portal_{index}",
                    "password": f"sc_load_portal_{index}",
                    "parent_id": customer.id,
                    "groups_id": [(6, 0, portal.ids)],
                }
                for index, customer in enumerate(customers)
            ]
        )
        office = env.ref("service_contract.group_service_contract_manager") | env.ref(
            "account.group_account_invoice"
        )
        Users.create(
            [
                {
                    "name": f"Office {index}",
                    "login": f"sc_load_office_{index}",
                    "password": f"sc_load_office_{index}",
                    "email": f"office{index}@example.com",
                    "groups_id": [(6, 0, office.ids)],
                }
                for index in range(OFFICE_USERS)
            ]
        )


def report(registry, n, stats_csv, alone, loaded, retried):
    failed = False
    with open(stats_csv, newline="") as stats:
        rows = list(csv.DictReader(stats))
    print(
        f"\nLoad test: N = {n} contracts, {PORTAL_USERS} portal users, "
        f"{OFFICE_USERS} back-office users, --workers=4 --max-cron-threads=2"
    )
    print(
        f"{'page':<30}{'requests':>10}{'failed':>8}{'req/s':>8}"
        f"{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
    )
    for row in rows:
        print(
            f"{row['Name'][:29]:<30}{row['Request Count']:>10}"
            f"{row['Failure Count']:>8}{float(row['Requests/s']):>8.1f}"
            f"{row['50%']:>8}{row['95%']:>8}{row['99%']:>8}"
        )
        if row["Name"] == "Aggregated" and int(row["Failure Count"]):
            failed = True
    print(f"serialization failures retried by Odoo: {retried}")
    print(
        f"invoicing cron: {loaded:.1f} s under load, {alone:.1f} s alone "
        f"(ratio {loaded / alone:.2f})"
    )
    with registry.cursor() as cr:
        counts = invoiced_once_counts(cr, date.today())
    once = all(count == n for count in counts)
    print(
        "each period invoiced exactly once: "
        f"{'yes' if once else 'NO'} (periods, invoiced, invoices, "
        f"invoices of the month: {counts}, expected {n})"
    )
    if failed or not once:
        print("ratio: FAIL (failed requests or periods not invoiced once)")
        sys.exit(1)
    print("ratio: PASS (0 errors, each period invoiced once)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("what", choices=["prepare", "report"])
    parser.add_argument("n", type=int)
    parser.add_argument("rest", nargs="*")
    args = parser.parse_args()
    odoo.tools.config.parse_config(
        ["-c", args.config, "-d", args.database, "--log-level=warn"]
    )
    registry = odoo.modules.registry.Registry(args.database)
    if args.what == "prepare":
        prepare(registry, args.n)
    else:
        stats_csv, alone, loaded, retried = args.rest
        report(registry, args.n, stats_csv, float(alone), float(loaded), int(retried))


if __name__ == "__main__":
    main()
