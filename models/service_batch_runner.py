"""One savepoint for the batch, else one per item: how every scheduled
action, the invoice creation, posting and sending keep a failing item from
stopping the others."""

import logging

_logger = logging.getLogger(__name__)


def run_isolated(env, items, func, on_error, isolated=Exception, batch_failed=None):
    """Run ``func(items)`` in one savepoint (the fast way, when nothing
    fails); if it raises, run it again for each item alone, each in its own
    savepoint, so that a failing item does not stop the others.

    After a rolled back savepoint, what was read or computed in it is
    forgotten (``invalidate_all``).

    :param items: a recordset or a list; each item is passed as
        ``items[i:i + 1]`` (a record, or a list of one item)
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
            return [(items, func(items))]
    except isolated:
        env.invalidate_all(flush=False)
        if batch_failed:
            _logger.info(batch_failed, items)
    done = []
    for index in range(len(items)):
        item = items[index : index + 1]
        try:
            with env.cr.savepoint():
                done.append((item, func(item)))
        except isolated as error:
            env.invalidate_all(flush=False)
            on_error(item, error)
    return done
