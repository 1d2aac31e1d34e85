"""Set-based writes for the batches of thousands of records one step of a
scheduled action changes at once (the price revision of a whole portfolio).

The ORM's ``create`` and ``write`` work record by record around the SQL
(defaults, conversions, cache, inverses, constraints): about half a
millisecond a row, most of the time of a revision of 5,000 contracts. These
helpers write the same rows with one statement per table and then tell the
ORM what changed, so that the cache and the fields computed from them stay
right:

- the values are given as the columns take them (numbers, dates, strings,
  ``None``), already checked and rounded by the caller: no conversion, no
  constraint, no access check is done here;
- the magic columns (``create_uid``, ``write_date``...) are filled;
- the fields written are dropped from the cache and the ORM marks what
  depends on them (``modified``), except the fields written in the same
  call: they are up to date;
- stored computed fields left out of an insert are computed by the ORM.

Only for the caller's own results on records it has the right to change
(the caller checks the access); ``write`` and ``create`` overrides of the
models are not called, so these helpers are for plain history rows and for
values that overrides do not watch.
"""

import json

from odoo.tools import SQL, clean_context, float_round

# Rows per INSERT statement: the size of the ORM's own batches.
INSERT_BATCH_SIZE = 1000


# The columns every table has, filled here.
LOG_ACCESS_TYPES = {
    "create_uid": "int4",
    "create_date": "timestamp",
    "write_uid": "int4",
    "write_date": "timestamp",
}


def _array(field, env, values):
    """The values of one column as an SQL array of its column type, as the
    ORM writes them: no value is 0 in a number column and NULL in the
    others but a boolean one, a float is rounded to its field's digits,
    markup is its text, a JSON value its JSON text."""
    if field.type in ("integer", "float", "monetary"):
        values = [value or 0 for value in values]
        digits = field.type == "float" and field.get_digits(env)
        if digits:
            values = [
                float_round(value, precision_digits=digits[1]) for value in values
            ]
    elif field.type == "json":
        values = [json.dumps(value) if value else None for value in values]
    elif field.type != "boolean":
        values = [None if value is False else value for value in values]
    if field.type == "html":
        values = [None if value is None else str(value) for value in values]
    return SQL("%s::%s[]", list(values), SQL(field.column_type[0]))


def update_rows(model, fnames, rows):
    """Write ``rows`` [(id, value of fnames[0], value of fnames[1], ...)]
    on the records of ``model`` in one UPDATE ... FROM unnest(...).

    :return: the records written
    """
    records = model.browse([row[0] for row in rows])
    if not records:
        return records
    env = model.env
    fields = [model._fields[fname] for fname in fnames]
    # What was still to compute or to write of these fields is overwritten.
    for field in fields:
        env.remove_to_compute(field, records)
    records.flush_recordset(fnames)
    columns = list(zip(*rows, strict=True))
    assignments = [
        SQL("%s = v.%s", SQL.identifier(fname), SQL.identifier(fname))
        for fname in fnames
    ]
    if model._log_access:
        assignments += [
            SQL("write_uid = %s", env.uid),
            SQL("write_date = %s", env.cr.now()),
        ]
    env.cr.execute(
        SQL(
            "UPDATE %(table)s AS t SET %(assignments)s"
            " FROM unnest(%(ids)s, %(arrays)s)"
            " AS v(id, %(names)s) WHERE t.id = v.id",
            table=SQL.identifier(model._table),
            assignments=SQL(", ").join(assignments),
            ids=SQL("%s::int4[]", list(columns[0])),
            arrays=SQL(", ").join(
                _array(field, env, values)
                for field, values in zip(fields, columns[1:], strict=True)
            ),
            names=SQL(", ").join(SQL.identifier(fname) for fname in fnames),
        )
    )
    return notify_written(records, fnames)


def notify_written(records, fnames):
    """Tell the ORM that the fields ``fnames`` of ``records`` were written
    in SQL (with the access columns): their cache is dropped, what depends
    on them is marked to compute, but these fields themselves.

    :return: records
    """
    if not records:
        return records
    env = records.env
    fields = [records._fields[fname] for fname in fnames]
    # Not flushed: what the ORM still had to compute or write of these
    # fields is overwritten by the SQL.
    for field in fields:
        env.remove_to_compute(field, records)
    records.invalidate_recordset(
        [*fnames, "write_uid", "write_date"] if records._log_access else fnames,
        flush=False,
    )
    records.modified(fnames)
    for field in fields:
        env.remove_to_compute(field, records)
    return records


def insert_rows(model, vals_list):
    """Insert ``vals_list`` (dicts of stored column fields of ``model``) with
    one INSERT ... SELECT FROM unnest(...) per 1,000 rows; the defaults of
    the fields left out are read once for the whole batch.

    :return: the new records, in the order of ``vals_list``
    """
    if not vals_list:
        return model.browse()
    env = model.env
    cr = env.cr
    fnames = list(vals_list[0])
    if any(vals.keys() != vals_list[0].keys() for vals in vals_list):
        raise ValueError("insert_rows: every row must give the same fields")
    fields = [model._fields[fname] for fname in fnames]
    for field in fields:
        if field.translate or field.company_dependent or not field.column_type:
            raise ValueError(f"insert_rows: {field} is not a plain column")
    # The defaults of the fields themselves, not the caller's context ones
    # (a list's default_* keys are for what its user creates, not for
    # history rows a batch writes).
    defaults = model.with_context(clean_context(env.context)).default_get(
        [
            fname
            for fname, field in model._fields.items()
            if field.store
            and field.column_type
            and fname not in fnames
            and fname not in LOG_ACCESS_TYPES
            and fname != "id"
        ]
    )
    log_access = {}
    if model._log_access:
        log_access = dict.fromkeys(("create_uid", "write_uid"), env.uid)
        log_access |= dict.fromkeys(("create_date", "write_date"), cr.now())
    constants = [
        SQL("%s::%s", value, SQL(LOG_ACCESS_TYPES[fname]))
        for fname, value in log_access.items()
    ] + [
        SQL(
            "%s::%s",
            model._fields[fname].convert_to_column_insert(value, model),
            SQL(model._fields[fname].column_type[0]),
        )
        for fname, value in defaults.items()
    ]
    names = [*fnames, *log_access, *defaults]
    ids = []
    for start in range(0, len(vals_list), INSERT_BATCH_SIZE):
        chunk = vals_list[start : start + INSERT_BATCH_SIZE]
        cr.execute(
            SQL(
                "INSERT INTO %(table)s (%(names)s) SELECT %(values)s"
                " FROM unnest(%(arrays)s) AS v RETURNING id",
                table=SQL.identifier(model._table),
                names=SQL(", ").join(SQL.identifier(fname) for fname in names),
                values=SQL(", ").join([SQL("v.*"), *constants]),
                arrays=SQL(", ").join(
                    _array(field, env, [vals[field.name] for vals in chunk])
                    for field in fields
                ),
            )
        )
        rows = cr.fetchall()
        if len(rows) != len(chunk):
            raise ValueError("insert_rows: not every row was inserted")
        ids += [row[0] for row in rows]
    records = model.browse(ids)
    computed = [
        fname
        for fname, field in model._fields.items()
        if field.store and field.compute and fname not in fnames
    ]
    for fname in computed:
        env.add_to_compute(model._fields[fname], records)
    written = [*fnames, *defaults]
    for fname in written:
        for inverse in model.pool.field_inverses[model._fields[fname]]:
            env[inverse.model_name].invalidate_model([inverse.name])
    records.modified([*written, *computed], create=True)
    for fname in written:
        env.remove_to_compute(model._fields[fname], records)
    return records
