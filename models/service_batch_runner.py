"""Batch helpers. One savepoint for the batch, else one per item: how every
scheduled action, the invoice creation, posting and sending keep a failing
item from stopping the others. One ``write`` per distinct values: how a batch
writes what differs from record to record through the ORM."""

import logging
from collections import defaultdict

from odoo import models

_logger = logging.getLogger(__name__)


def run_isolated(env, items, func, on_error, isolated=Exception, batch_failed=None):
    """Run ``func(items)`` in one savepoint (the fast way, when nothing
    fails); if it raises, run it again for each item alone, each in its own
    savepoint, so that a failing item does not stop the others.

    After a rolled back savepoint, what was read or computed in it is
    forgotten (``invalidate_all``). A result counts only once its savepoint
    is released: the flush at its end may still fail (a serialization
    failure on a row another transaction changed).

    :param items: a recordset (each record passed alone) or a list (each
        item passed as a list of one)
    :param func: items -> result
    :param on_error: (item, error) -> None, called for an item that failed
        alone, inside its ``except`` clause (a log may add ``exc_info``)
    :param isolated: the exceptions that isolate the items (others
        propagate)
    :param batch_failed: a message logged (info, with the items) when the
        whole batch failed, if any
    :return: [(items, result)] for what succeeded: the whole batch, or each
        item that succeeded alone
    """
    if not items:
        return []
    try:
        with env.cr.savepoint():
            result = func(items)
        return [(items, result)]
    except isolated:
        env.invalidate_all(flush=False)
        if batch_failed:
            _logger.info(batch_failed, items)
    done = []
    # Each record of a recordset as iterating gives it (with the batch's
    # prefetch); an item of a list as a list of one.
    singles = (
        items
        if isinstance(items, models.BaseModel)
        else [items[index : index + 1] for index in range(len(items))]
    )
    for item in singles:
        try:
            with env.cr.savepoint():
                result = func(item)
            done.append((item, result))
        except isolated as error:
            env.invalidate_all(flush=False)
            on_error(item, error)
    return done


def write_grouped(records_values):
    """Write each record's values, one ``write`` per distinct values: the
    records given the same values are written together.

    :param records_values: iterable of (record, {field: value})
    """
    groups = defaultdict(list)
    for record, vals in records_values:
        groups[repr(sorted(vals.items()))].append((record, vals))
    for items in groups.values():
        records = items[0][0].browse([record.id for record, _vals in items])
        records.write(items[0][1])
