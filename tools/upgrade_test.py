"""The steps of ``tools/upgrade-test`` that need Python (see that script).

    history   -c CONF -d DB         a short history made with the code CONF
                                    points to (the previous version): a
                                    contract signed four months ago, invoiced
                                    month by month until last month, a visit
                                    planned and done, an amendment
    snapshot  -d DB FILE            counts and checksums of the business rows
    compare   BEFORE AFTER          nothing lost or changed; exits 1 otherwise
    invoice   -c CONF -d DB         the invoicing cron once, today, with the
                                    code CONF points to: no period invoiced
                                    before is invoiced again

The snapshot reads the database with SQL only (no module code), so that the
same function reads it before and after the upgrade. For each table it keeps
the number of rows and, per column, the md5 of its values in the order of the
rows' ids (the rows of a relation table sorted as a whole). Columns an
upgrade may touch without changing any business value (``write_date``,
``write_uid``) are left out; a column the new version adds is ignored; a
value a migration script changes on purpose must be listed in
``DOCUMENTED_CHANGES`` with the migration that explains it.
"""

import argparse
import base64
import json
import sys
from datetime import date
from pathlib import Path

import psycopg2
from dateutil.relativedelta import relativedelta

# The rows compared: table -> the WHERE clause that selects the module's
# business rows in it (partners: the customers' sites and the contracts'
# partners; accounting: the invoices of contracts, periods and visits).
CONTRACT_MOVES = (
    "SELECT move_id FROM service_contract_period WHERE move_id IS NOT NULL"
    " UNION SELECT move_id FROM account_move_line"
    " WHERE service_contract_id IS NOT NULL"
    " OR service_intervention_id IS NOT NULL"
)
TABLES = {
    "service_contract": "TRUE",
    "service_contract_line": "TRUE",
    "service_contract_period": "TRUE",
    "service_contract_site_rel": "TRUE",
    "account_move": f"id IN ({CONTRACT_MOVES})",
    "account_move_line": f"move_id IN ({CONTRACT_MOVES})",
    "service_contract_period_released_move_rel": "TRUE",
    "service_intervention": "TRUE",
    "service_intervention_material": "TRUE",
    "service_visit_plan": "TRUE",
    "service_contract_amendment": "TRUE",
    "service_contract_amendment_line": "TRUE",
    "service_contract_renewal": "TRUE",
    "service_contract_revision": "TRUE",
    # The contracts' documents: signed PDFs, visit reports, signatures.
    "ir_attachment": "res_model LIKE 'service.%'",
    "res_partner": (
        "type = 'site' OR id IN (SELECT partner_id FROM service_contract)"
        " OR id IN (SELECT partner_invoice_id FROM service_contract)"
    ),
    "service_equipment": "TRUE",
}
# Columns an upgrade rewrites without changing a business value.
IGNORED_COLUMNS = {"write_date", "write_uid"}
# The md5 of a column's values in the order of the rows' ids.
COLUMN_CHECKSUM = (
    "md5(string_agg(COALESCE(\"{column}\"::text, '<null>'), '|' ORDER BY id))"
)
# "table.column" whose values a migration script changes on purpose, each
# with the migration that documents why, e.g.
#   "service_contract.state": "migrations/18.0.1.2.0/post-migration.py",
DOCUMENTED_CHANGES = {}


def connect(db):
    # PGHOST, PGPORT and PGUSER come from tools/lib.sh.
    return psycopg2.connect(dbname=db)


def table_columns(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = 'public' AND table_name = %s"
        " ORDER BY column_name",
        [table],
    )
    return [name for (name,) in cr.fetchall() if name not in IGNORED_COLUMNS]


def snapshot(db, out):
    result = {}
    with connect(db) as conn, conn.cursor() as cr:
        for table, where in TABLES.items():
            columns = table_columns(cr, table)
            if not columns:
                result[table] = None  # not in this version
                continue
            if "id" in columns:
                parts = [COLUMN_CHECKSUM.format(column=c) for c in columns]
            else:  # a relation table: its rows, sorted
                columns = ["<rows>"]
                parts = ["md5(string_agg(t::text, '|' ORDER BY t::text))"]
            # The table and column names come from the catalogue above.
            cr.execute(
                f"SELECT count(*), {', '.join(parts)} FROM {table} t WHERE {where}"
            )
            row = cr.fetchone()
            result[table] = {
                "count": row[0],
                "columns": dict(zip(columns, row[1:], strict=True)),
            }
    Path(out).write_text(json.dumps(result, indent=1, sort_keys=True))
    return result


def compare(before_file, after_file):
    before = json.loads(Path(before_file).read_text())
    after = json.loads(Path(after_file).read_text())
    failed = False
    print(f"{'table':45} {'before':>7} {'after':>7}  result")
    for table, old in before.items():
        new = after.get(table)
        if old is None:
            print(f"{table:45} {'-':>7} {'-':>7}  (not in the previous version)")
            continue
        problems = []
        if new is None:
            problems.append("table lost")
            new = {"count": 0, "columns": {}}
        elif new["count"] != old["count"]:
            problems.append(f"{old['count']} rows before, {new['count']} after")
        for column, checksum in old["columns"].items():
            if column not in new["columns"]:
                problems.append(f"column {column} lost")
            elif new["columns"][column] != checksum:
                key = f"{table}.{column}"
                if key in DOCUMENTED_CHANGES:
                    print(f"  {key} changed, as {DOCUMENTED_CHANGES[key]} documents")
                else:
                    problems.append(f"{column} changed")
        added = sorted(set(new["columns"]) - set(old["columns"]))
        result = "FAIL: " + "; ".join(problems) if problems else "OK"
        if added and not problems:
            result += f" (new columns: {', '.join(added)})"
        print(f"{table:45} {old['count']:>7} {new['count']:>7}  {result}")
        failed = failed or bool(problems)
    return not failed


def odoo_env(conf, db):
    import odoo
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config(["-c", conf, "-d", db, "--log-level=error"])
    registry = odoo.modules.registry.Registry(db)
    cr = registry.cursor()
    return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})


def history(conf, db):
    """What a company does in a few months, with the previous version's
    code: only actions its users and scheduled actions take."""
    from odoo import Command

    env = odoo_env(conf, db)
    Contract = env["service.contract"]
    today = date.today()
    start = today.replace(day=1) - relativedelta(months=4)
    customer = env["res.partner"].create(
        {
            "name": "Upgrade Test SARL",
            "is_company": True,
            "street": "12 rue des Tanneurs",
            "zip": "69007",
            "city": "Lyon",
            "country_id": env.ref("base.fr").id,
        }
    )
    site = env["res.partner"].create(
        {
            "name": "Upgrade Test, workshop",
            "type": "site",
            "parent_id": customer.id,
            "street": "14 rue des Tanneurs",
            "zip": "69007",
            "city": "Lyon",
        }
    )
    technician = env.ref("service_contract.user_technician")
    contract = Contract.create(
        {
            "partner_id": customer.id,
            "template_id": env.ref("service_contract.template_it").id,
            "site_ids": [Command.set(site.ids)],
            "technician_id": technician.id,
            "user_id": env.ref("base.user_admin").id,
            "date_start": start,
        }
    )
    contract.action_to_sign()
    contract.action_sign(date_signed=start - relativedelta(days=6))
    # The daily scheduled actions, run on the first of each month since,
    # but this month's (left to the new version's code, see invoice()).
    day = start
    while day < today.replace(day=1):
        Contract._cron_generate_interventions(today=day)
        Contract._cron_create_invoices(today=day)
        day += relativedelta(months=1)
    drafts = contract.invoice_ids.filtered(lambda m: m.state == "draft")
    for move in drafts.sorted(lambda m: (m.invoice_date, m.id)):
        move.action_post()
    # The first preventive visit: planned, then done with its report.
    visit = contract.intervention_ids.filtered(lambda v: v.state == "to_plan")[:1]
    if visit:
        visit.write(
            {
                "user_id": technician.id,
                "date_planned_start": f"{visit.date_due} 08:00:00",
            }
        )
        visit.action_plan()
        signature = Path(__file__).parent.parent / "demo" / "signature.png"
        visit.write(
            {
                "report": "<p>Backups restored on a test machine.</p>",
                "signed_by": "Upgrade Test",
                "signature": base64.b64encode(signature.read_bytes()),
            }
        )
        visit.action_done()
    # An amendment from the first of this month, signed on paper: one more
    # of its first service.
    if "service.contract.amendment" in env:
        amendment = env["service.contract.amendment"].browse(
            contract.action_amend()["res_id"]
        )
        amendment.date_effective = today.replace(day=1)
        amendment.line_ids[:1].quantity += 1
        amendment.action_to_sign()
        amendment.action_sign(date_signed=today.replace(day=1) - relativedelta(days=3))
    env.cr.commit()
    print(
        f"history: contract {contract.name}, {len(contract.period_ids)} periods, "
        f"{len(contract.invoice_ids)} invoices, "
        f"{len(contract.intervention_ids)} visits, "
        f"{len(contract.amendment_ids)} amendment(s)"
    )
    env.cr.close()


def invoice(conf, db):
    """The invoicing cron once, today, on the upgraded database: the
    periods invoiced before keep their invoice, and every new invoice is
    that of a period not invoiced before."""
    env = odoo_env(conf, db)
    Period = env["service.contract.period"]
    invoiced = {p.id: p.move_id.id for p in Period.search([("move_id", "!=", False)])}
    moves_before = set(env["account.move"].search([]).ids)
    env["service.contract"]._cron_create_invoices()
    env.cr.commit()
    env.invalidate_all()
    now = {p.id: p.move_id.id for p in Period.search([("move_id", "!=", False)])}
    changed = sorted(pid for pid, move in invoiced.items() if now.get(pid) != move)
    new_moves = set(env["account.move"].search([]).ids) - moves_before
    newly_invoiced = {pid: move for pid, move in now.items() if pid not in invoiced}
    stray = sorted(new_moves - set(newly_invoiced.values()))
    print(
        f"invoicing cron today: {len(invoiced)} periods invoiced before, "
        f"{len(newly_invoiced)} invoiced now, {len(new_moves)} new invoices"
    )
    env.cr.close()
    if changed:
        print(f"FAIL: periods invoiced before changed invoice: {changed}")
    if stray:
        print(f"FAIL: new invoices not of a period to invoice: {stray}")
    return not changed and not stray


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("history", "invoice"):
        command = sub.add_parser(name)
        command.add_argument("-c", "--config", required=True)
        command.add_argument("-d", "--database", required=True)
    command = sub.add_parser("snapshot")
    command.add_argument("-d", "--database", required=True)
    command.add_argument("file")
    command = sub.add_parser("compare")
    command.add_argument("before")
    command.add_argument("after")
    args = parser.parse_args()
    ok = True
    if args.command == "history":
        history(args.config, args.database)
    elif args.command == "invoice":
        ok = invoice(args.config, args.database)
    elif args.command == "snapshot":
        snapshot(args.database, args.file)
    else:
        ok = compare(args.before, args.after)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
