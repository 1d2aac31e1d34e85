from odoo.tools import SQL


def lock_skip_locked(records, condition=None):
    """Lock ``records`` (that also meet the SQL ``condition``, if given) with
    FOR UPDATE SKIP LOCKED; return those no other transaction holds.

    The one way every scheduled action takes its batch: a second worker
    running at the same time skips the rows the first one holds.
    """
    if not records:
        return records
    query = SQL(
        "SELECT id FROM %s WHERE id IN %s",
        SQL.identifier(records._table),
        tuple(records.ids),
    )
    if condition is not None:
        query = SQL("%s AND %s", query, condition)
    records.env.cr.execute(SQL("%s FOR UPDATE SKIP LOCKED", query))
    return records.browse([row[0] for row in records.env.cr.fetchall()])
