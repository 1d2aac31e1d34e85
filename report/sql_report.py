from odoo import api, models
from odoo.tools import SQL


def without_jit(cr):
    """Turn PostgreSQL's JIT compilation off for the rest of the transaction.

    A safety net for the reports computed on the fly: their queries are
    short (tens of milliseconds), so that compiling them never pays, while
    an estimate gone wrong (the planner's cost crossing ``jit_above_cost``)
    would make PostgreSQL spend seconds compiling them.
    """
    cr.execute(SQL("SET LOCAL jit = off"))


def merge_depends(*depends):
    """One ``_depends`` of several: a report whose query reads another
    report's depends on what that one reads too."""
    merged = {}
    for depend in depends:
        for model, names in depend.items():
            merged.setdefault(model, [])
            merged[model] += [name for name in names if name not in merged[model]]
    return merged


class ServiceSqlReport(models.AbstractModel):
    """Base of the read-only reports of the module (dashboard, MRR
    movement, profitability, alerts): a query computed at each search
    (``_table_query``, defined by each report), no table, no view, read
    without PostgreSQL's JIT compilation (``without_jit``).

    Each report declares ``_auto = False`` (an ``models.Model`` would
    otherwise create its table), its fields, ``_depends`` and
    ``_table_query``; those reading "today" take each company's day from
    ``_company_day()``.
    """

    _name = "service.sql.report"
    _description = "Service Contract SQL Report"

    @property
    def _table_sql(self):
        without_jit(self.env.cr)
        return super()._table_sql

    @api.model
    def _company_day(self, companies):
        """SQL rows ``(company_id, today)`` of ``companies``, each with its
        day as ``res.company._service_today()`` computes it: a query and
        the Python code reading the same records agree on "today"."""
        return companies._service_today_sql()
