from odoo.tools import SQL


def without_jit(cr):
    """Turn PostgreSQL's JIT compilation off for the rest of the transaction.

    A safety net for the reports computed on the fly: their queries are
    short (tens of milliseconds), so that compiling them never pays, while
    an estimate gone wrong (the planner's cost crossing ``jit_above_cost``)
    would make PostgreSQL spend seconds compiling them.
    """
    cr.execute(SQL("SET LOCAL jit = off"))
