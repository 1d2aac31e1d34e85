# Copyright 2026 The service_contract authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The steps of tools/existing-db-test: a company's life without the module,
snapshots of its data, a little use of the module, and its uninstallation.

Run by ``odoo-bin shell`` (``env`` is given) with the step in SC_STEP:
    company    the main company in Lyon, in euros (before account is installed)
    history    a second company with the French chart, customers, products,
               quotations, orders, invoices, a payment, a credit note, a bill
    snapshot   every row of the other apps' tables into SC_SNAPSHOT (JSON)
    use        a contract for an existing customer, signed, invoiced once
    uninstall  the module's tables and columns into SC_SNAPSHOT, then uninstall
    gone       checks that those tables and columns are gone
and by plain Python to compare two snapshots:
    python3 existing_db.py compare BEFORE.json AFTER.json LABEL [BASE INSTALLED]
(rows in the INSTALLED snapshot but not in BASE are the module's own: they
may go)
"""

import hashlib
import json
import os
import sys
from datetime import date, timedelta

# The other apps' tables: every column of every row is compared, but these.
TABLES = [
    "res_company",
    "res_users",
    "res_groups_users_rel",
    "res_groups_implied_rel",
    "res_partner",
    "product_template",
    "product_product",
    "product_taxes_rel",
    "product_pricelist",
    "sale_order",
    "sale_order_line",
    "account_tax_sale_order_line_rel",
    "account_move",
    "account_move_line",
    "account_move_line_account_tax_rel",
    "account_payment",
    "account_partial_reconcile",
    "account_full_reconcile",
    "account_account",
    "account_tax",
    "account_tax_repartition_line",
    "account_fiscal_position",
    "account_fiscal_position_tax",
    "account_fiscal_position_account",
    "account_journal",
    "account_payment_term",
    "ir_sequence",
    "ir_sequence_date_range",
    "ir_config_parameter",
    "ir_default",
    "ir_cron",
    "mail_template",
    "mail_activity_type",
    "ir_actions_report",
]
# Columns that move by themselves (the scheduler's bookkeeping, audit dates).
# The one documented change of theirs: uninstalled, the module's service sites
# become other addresses of their customers (res.partner's type selection).
ALLOWED = {("res_partner", "type"): ('"site"', '"other"')}
VOLATILE = {
    "*": {"write_date", "write_uid"},
    "ir_cron": {"nextcall", "lastcall", "failure_count", "first_failure_date"},
}


# ----------------------------------------------------------------------
# Snapshots and their comparison
# ----------------------------------------------------------------------


def _dump(value):
    """A column's value as text; binary values by their md5."""
    if isinstance(value, bytes | memoryview):
        return "md5:" + hashlib.md5(bytes(value)).hexdigest()
    return json.dumps(value, default=str, sort_keys=True)


def snapshot(cr):
    """{table: {"columns": [...], "rows": {key: [values]}}} of every table."""
    data = {}
    for table in TABLES:
        cr.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = %s ORDER BY column_name",
            [table],
        )
        columns = [r[0] for r in cr.fetchall()]
        if not columns:
            continue
        key = ["id"] if "id" in columns else list(columns)
        cr.execute(
            "SELECT {} FROM {}".format(", ".join(f'"{c}"' for c in columns), table)
        )
        rows = {}
        for row in cr.fetchall():
            values = [_dump(v) for v in row]
            rows["|".join(values[columns.index(k)] for k in key)] = values
        data[table] = {"columns": columns, "rows": rows}
    return data


def _granted_partners(before, after):
    """Keys of the partners of the users given a group between the two
    snapshots: recomputing their share flag rewrites them (the administrator,
    made Manager)."""
    old = set(before["res_groups_users_rel"]["rows"])
    new = after["res_groups_users_rel"]
    uid = new["columns"].index("uid")
    uids = {new["rows"][key][uid] for key in set(new["rows"]) - old}
    users = after["res_users"]
    partner = users["columns"].index("partner_id")
    return {users["rows"][u][partner] for u in uids if u in users["rows"]}


def _compare_table(table, old, new, ours, granted=()):
    """(ok, lines) of one table: its old rows against the new ones."""
    skip = VOLATILE["*"] | VOLATILE.get(table, set())
    common = [c for c in old["columns"] if c in new["columns"] and c not in skip]
    oi = [old["columns"].index(c) for c in common]
    ni = [new["columns"].index(c) for c in common]
    dates = "write_date" in old["columns"] and "write_date" in new["columns"]
    if dates:
        old_wd = old["columns"].index("write_date")
        new_wd = new["columns"].index("write_date")
    removed, changed, rewritten, gone_ours, allowed = [], [], [], 0, 0
    digest = hashlib.md5()
    for key in sorted(old["rows"]):
        values = [old["rows"][key][i] for i in oi]
        digest.update(repr(values).encode())
        if key not in new["rows"]:
            if key in ours:
                gone_ours += 1
            else:
                removed.append(key)
            continue
        now = [new["rows"][key][i] for i in ni]
        diff = [
            f"{c}: {a} -> {b}"
            for c, a, b in zip(common, values, now, strict=True)
            if a != b and ALLOWED.get((table, c)) != (a, b)
        ]
        expected = len(diff) < sum(a != b for a, b in zip(values, now, strict=True))
        allowed += expected
        if diff:
            changed.append((key, diff))
        elif (
            dates
            and not expected
            and old["rows"][key][old_wd] != new["rows"][key][new_wd]
        ):
            # Same values, but written (its write date and author are not).
            rewritten.append(key)
    users_rewritten = [key for key in rewritten if key in granted]
    rewritten = [key for key in rewritten if key not in granted]
    notes = [f"{len(old['rows'])} rows"]
    added = len(set(new["rows"]) - set(old["rows"]))
    extra = sorted(set(new["columns"]) - set(old["columns"]))
    dropped = sorted(set(old["columns"]) - set(new["columns"]))
    for count, text in (
        (added, f"{added} new rows"),
        (gone_ours, f"{gone_ours} rows of the module removed"),
        (allowed, f"{allowed} service sites now other addresses"),
        (rewritten, f"{len(rewritten)} rows rewritten with the same values"),
        (
            users_rewritten,
            f"{len(users_rewritten)} partners of users given a group rewritten",
        ),
        (extra, "new columns " + ", ".join(extra)),
        (dropped, "columns gone " + ", ".join(dropped)),
    ):
        if count:
            notes.append(text)
    ok = not removed and not changed and not rewritten
    notes.append("md5 " + digest.hexdigest()[:12])
    lines = [f"{'OK' if ok else 'FAIL':4} {table}: " + "; ".join(notes)]
    lines += [f"       removed {key}" for key in removed[:10]]
    if rewritten:
        lines.append("       rewritten " + ", ".join(rewritten[:20]))
    lines += [f"       changed {k}: " + "; ".join(d)[:600] for k, d in changed[:10]]
    if len(changed) > 10:
        lines.append(f"       ... and {len(changed) - 10} more changed rows")
    return ok, lines


def compare(before, after, label, ours=None):
    """Prints one line per table; True when no row of ``before`` was removed
    or changed (new rows and new columns are listed, not failures). Rows of
    ``ours`` ({table: keys}, the module's own rows) may be removed."""
    ok = True
    granted = _granted_partners(before, after)
    print(f"\n=== {label} ===")
    for table in TABLES:
        if table not in before:
            continue
        new = after.get(table, {"columns": [], "rows": {}})
        table_ok, lines = _compare_table(
            table,
            before[table],
            new,
            (ours or {}).get(table, set()),
            granted if table == "res_partner" else (),
        )
        ok = ok and table_ok
        print("\n".join(lines))
    return ok


# ----------------------------------------------------------------------
# A company's life before the module
# ----------------------------------------------------------------------


def step_company(env):
    company = env.ref("base.main_company")
    env.ref("base.EUR").active = True
    company.write(
        {
            "name": "Chauffage Rhône SARL",
            "street": "12 rue Garibaldi",
            "zip": "69006",
            "city": "Lyon",
            "country_id": env.ref("base.fr").id,
            "currency_id": env.ref("base.EUR").id,
            "vat": "FR40123456824",
        }
    )
    env.cr.commit()


def _sell(env, company, customer, lines, confirm=False):
    order = (
        env["sale.order"]
        .with_company(company)
        .create(
            {
                "partner_id": customer.id,
                "company_id": company.id,
                "order_line": [
                    (0, 0, {"product_id": p.id, "product_uom_qty": q}) for p, q in lines
                ],
            }
        )
    )
    if confirm:
        order.action_confirm()
    return order


def _company_life(env, company, tag, goods, service):
    """Customers, quotations, orders, invoices, a payment, a credit note, a
    vendor bill and fiscal positions in ``company``."""
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    Partner = env["res.partner"]
    fr, be, ch = env.ref("base.fr"), env.ref("base.be"), env.ref("base.ch")
    customers = Partner.create(
        [
            {
                "name": f"Syndic Bellecour {tag}",
                "is_company": True,
                "street": "3 place Bellecour",
                "zip": "69002",
                "city": "Lyon",
                "country_id": fr.id,
                "email": f"syndic{tag}@example.fr",
            },
            {
                "name": f"Brasserie Liégeoise {tag}",
                "is_company": True,
                "street": "Rue Léopold 8",
                "zip": "4000",
                "city": "Liège",
                "country_id": be.id,
                "vat": "BE0477472701",
            },
            {
                "name": f"Hôtel du Léman {tag}",
                "is_company": True,
                "street": "Quai du Mont-Blanc 1",
                "zip": "1201",
                "city": "Genève",
                "country_id": ch.id,
            },
            {
                "name": f"Marie Dupont {tag}",
                "street": "8 rue Victor Hugo",
                "zip": "69002",
                "city": "Lyon",
                "country_id": fr.id,
                "phone": "+33 6 12 34 56 78",
            },
        ]
    )
    Partner.create(
        [
            {
                "name": f"Jean Martin {tag}",
                "parent_id": customers[0].id,
                "type": "contact",
                "email": f"jean.martin{tag}@example.fr",
            },
            {
                "name": "Comptabilité",
                "parent_id": customers[0].id,
                "type": "invoice",
                "street": "5 rue de la République",
                "city": "Lyon",
                "zip": "69001",
                "country_id": fr.id,
            },
            {
                "name": "Livraison",
                "parent_id": customers[1].id,
                "type": "delivery",
                "street": "Quai de la Batte 2",
                "city": "Liège",
                "zip": "4000",
                "country_id": be.id,
            },
        ]
    )
    # Fiscal positions of the French chart: intra-EU and export.
    FiscalPosition = env["account.fiscal.position"]
    for customer, country in ((customers[1], be), (customers[2], ch)):
        position = FiscalPosition._get_fiscal_position(customer)
        if not position:
            raise SystemExit(f"no fiscal position for {country.code} in {company.name}")
        customer.with_company(company).property_account_position_id = position
    supplier = Partner.create(
        {
            "name": f"Grossiste Thermique {tag}",
            "is_company": True,
            "street": "ZI Nord",
            "city": "Villeurbanne",
            "zip": "69100",
            "country_id": fr.id,
        }
    )
    _sell(env, company, customers[0], [(service, 2)])
    _sell(env, company, customers[3], [(goods, 1), (service, 1)])
    orders = [
        _sell(env, company, c, [(service, 1), (goods, 3)], confirm=True)
        for c in customers
    ]
    invoices = env["account.move"]
    for order in orders[:3]:
        invoices |= order._create_invoices()
    invoices.action_post()
    # A direct invoice, a payment, a credit note.
    direct = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": customers[3].id,
            "invoice_date": date.today() - timedelta(days=10),
            "invoice_line_ids": [
                (0, 0, {"product_id": service.id, "quantity": 3}),
                (0, 0, {"name": "Déplacement", "quantity": 1, "price_unit": 45.0}),
            ],
        }
    )
    direct.action_post()
    env["account.payment.register"].with_context(
        active_model="account.move", active_ids=invoices[0].ids
    ).create({})._create_payments()
    reversal = (
        env["account.move.reversal"]
        .with_context(active_model="account.move", active_ids=invoices[1].ids)
        .create({"journal_id": invoices[1].journal_id.id, "reason": "Geste commercial"})
    )
    credit_note = env["account.move"].browse(reversal.refund_moves()["res_id"])
    credit_note.action_post()
    bill = env["account.move"].create(
        {
            "move_type": "in_invoice",
            "partner_id": supplier.id,
            "invoice_date": date.today() - timedelta(days=5),
            "ref": f"FAC-{tag}-0042",
            "invoice_line_ids": [
                (0, 0, {"product_id": goods.id, "quantity": 10, "price_unit": 12.0})
            ],
        }
    )
    bill.action_post()
    return customers


def step_history(env):
    main = env.ref("base.main_company")
    if main.chart_template != "fr":
        raise SystemExit(f"the main company's chart is {main.chart_template!r}")
    second = env["res.company"].create(
        {
            "name": "Chauffage Rhône Grenoble",
            "street": "4 cours Berriat",
            "zip": "38000",
            "city": "Grenoble",
            "country_id": env.ref("base.fr").id,
            "currency_id": env.ref("base.EUR").id,
        }
    )
    env["account.chart.template"].try_loading("fr", second, install_demo=False)
    env.user.company_ids |= second
    Product = env["product.product"]
    service = Product.create(
        {"name": "Dépannage chaudière", "type": "service", "list_price": 95.0}
    )
    goods = Product.create(
        {
            "name": "Filtre à particules",
            "type": "consu",
            "list_price": 25.0,
            "standard_price": 12.0,
            "default_code": "FIL-01",
        }
    )
    own = Product.with_company(second).create(
        {
            "name": "Ramonage",
            "type": "service",
            "list_price": 70.0,
            "company_id": second.id,
        }
    )
    _company_life(env, main, "LYO", goods, service)
    _company_life(env, second, "GRE", goods, own)
    # Users as a company has them: a salesperson, an accountant, one in both.
    Users = env["res.users"].with_context(no_reset_password=True)
    Users.create(
        [
            {
                "name": "Sophie Vendeuse",
                "login": "sophie",
                "groups_id": [(6, 0, [env.ref("sales_team.group_sale_salesman").id])],
            },
            {
                "name": "Paul Comptable",
                "login": "paul",
                "groups_id": [(6, 0, [env.ref("account.group_account_invoice").id])],
            },
            {
                "name": "Luc Deux Sociétés",
                "login": "luc",
                "company_ids": [(6, 0, [main.id, second.id])],
                "company_id": second.id,
                "groups_id": [(6, 0, [env.ref("base.group_user").id])],
            },
        ]
    )
    env.cr.commit()
    counts = {
        m: env[m].sudo().search_count([])
        for m in ("res.partner", "sale.order", "account.move", "account.payment")
    }
    print("History:", counts)


# ----------------------------------------------------------------------
# The module in use, and its uninstallation
# ----------------------------------------------------------------------


def _root(partner):
    while partner.parent_id:
        partner = partner.parent_id
    return partner


def step_use(env):
    # The legal category given at install, without the compute, is the one
    # the compute gives: the top parent's.
    partners = env["res.partner"].with_context(active_test=False).search([])
    wrong = partners.filtered(
        lambda p: p.legal_category
        != ("professional" if _root(p).is_company else "consumer")
    )
    if wrong or not partners:
        raise SystemExit(f"wrong legal category: {wrong.mapped('display_name')}")
    print(f"OK   legal category of the {len(partners)} partners")
    customer = env["res.partner"].search(
        [("name", "=", "Syndic Bellecour LYO")], limit=1
    )
    service = env["product.product"].search(
        [("name", "=", "Dépannage chaudière")], limit=1
    )
    # A site of theirs (a partner type of the module: back to a contact when
    # the module goes).
    site = env["res.partner"].create(
        {
            "name": "Résidence Les Tilleuls",
            "parent_id": customer.id,
            "type": "site",
            "street": "14 rue des Tilleuls",
            "zip": "69003",
            "city": "Lyon",
        }
    )
    contract = env["service.contract"].create(
        {
            "partner_id": customer.id,
            "site_ids": [(6, 0, site.ids)],
            "date_start": date.today(),
            "duration": 1,
            "duration_unit": "year",
            "renewal_type": "tacit",
            "renewal_duration": 1,
            "renewal_unit": "year",
            "notice_period": 2,
            "notice_unit": "month",
            "line_ids": [
                (0, 0, {"product_id": service.id, "quantity": 1, "price_unit": 240.0})
            ],
        }
    )
    contract.action_sign()
    contract.action_create_invoices()
    invoice = contract.period_ids.move_id
    if len(invoice) != 1:
        raise SystemExit(f"the contract made {len(invoice)} invoices, not one")
    if invoice.state == "draft":
        invoice.action_post()
    print(f"Contract {contract.name} invoiced: {invoice.name} {invoice.amount_total}")
    env.cr.commit()


def step_uninstall(env):
    """Writes the module's tables and columns, then uninstalls it."""
    cr = env.cr
    # A model or a field is the module's when no other module declares it.
    cr.execute(
        """
        SELECT d.model, d.res_id FROM ir_model_data d
         WHERE d.model IN ('ir.model', 'ir.model.fields')
         GROUP BY d.model, d.res_id
        HAVING array_agg(DISTINCT d.module) = ARRAY['service_contract']::varchar[]
        """
    )
    ids = {"ir.model": [], "ir.model.fields": []}
    for model, res_id in cr.fetchall():
        ids[model].append(res_id)
    tables, columns = set(), set()
    for name in env["ir.model"].browse(ids["ir.model"]).mapped("model"):
        model = env.registry.get(name)
        if model is not None and model._auto and not model._abstract:
            tables.add(model._table)
    for field in env["ir.model.fields"].browse(ids["ir.model.fields"]):
        model = env.registry.get(field.model)
        if model is None or not model._auto or model._abstract or not field.store:
            continue
        if field.ttype == "many2many":
            tables.add(field.relation_table)
        elif field.ttype != "one2many" and model._table not in tables:
            columns.add(f"{model._table}.{field.name}")
    with open(os.environ["SC_SNAPSHOT"], "w") as out:
        json.dump({"tables": sorted(tables), "columns": sorted(columns)}, out)
    print(f"The module has {len(tables)} tables and {len(columns)} columns elsewhere")
    module = env["ir.module.module"].search([("name", "=", "service_contract")])
    cr.commit()
    module.button_immediate_uninstall()


def step_gone(env):
    with open(os.environ["SC_SNAPSHOT"]) as f:
        ours = json.load(f)
    cr = env.cr
    state = env["ir.module.module"].search([("name", "=", "service_contract")]).state
    left = []
    for table in ours["tables"]:
        cr.execute("SELECT to_regclass(%s)", [table])
        if cr.fetchone()[0]:
            left.append(table)
    for column in ours["columns"]:
        table, name = column.split(".")
        cr.execute(
            "SELECT 1 FROM information_schema.columns "
            "WHERE table_name = %s AND column_name = %s",
            [table, name],
        )
        if cr.fetchone():
            left.append(column)
    cr.execute("SELECT count(*) FROM ir_model_data WHERE module = 'service_contract'")
    xmlids = cr.fetchone()[0]
    print(f"\n=== After uninstalling: module {state} ===")
    print(
        f"{'OK' if not left else 'FAIL':4} the module's {len(ours['tables'])} tables "
        f"and {len(ours['columns'])} columns on other tables are gone"
        + (": left " + ", ".join(left) if left else "")
    )
    print(f"{'OK' if not xmlids else 'FAIL':4} no record named service_contract.* left")
    if left or xmlids or state != "uninstalled":
        raise SystemExit(1)


def main_shell(env):
    step = os.environ["SC_STEP"]
    if step == "snapshot":
        with open(os.environ["SC_SNAPSHOT"], "w") as out:
            json.dump(snapshot(env.cr), out)
        return
    {
        "company": step_company,
        "history": step_history,
        "use": step_use,
        "uninstall": step_uninstall,
        "gone": step_gone,
    }[step](env)


if __name__ == "__main__" and "env" in globals():
    main_shell(globals()["env"])
elif __name__ == "__main__":
    _snaps = []
    for _path in sys.argv[2:4] + sys.argv[5:7]:
        with open(_path) as _file:
            _snaps.append(json.load(_file))
    _ours = {}
    if len(_snaps) == 4:
        _base, _installed = _snaps[2:]
        _ours = {
            t: set(_installed[t]["rows"]) - set(_base.get(t, {"rows": {}})["rows"])
            for t in _installed
        }
    sys.exit(0 if compare(_snaps[0], _snaps[1], sys.argv[4], _ours) else 1)
