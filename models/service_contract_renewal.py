from odoo import api, fields, models
from odoo.tools import SQL

from .date_utils import anniversary

# How far ahead the Alerts list (and the manager's dashboard) shows the
# notice deadlines and the express renewals, in days.
RENEWAL_ALERT_DAYS = 60


class ServiceContractRenewal(models.Model):
    """One renewed term of a contract: its number and first day.

    Written by the renewal (``_on_renewed``), never changed. The renewals
    are the rows that reports join (the MRR movement counts one "renewed"
    line per term), so that PostgreSQL reads them from a table with its
    statistics rather than computing the terms recursively in each query.
    """

    _name = "service.contract.renewal"
    _description = "Contract Renewal"
    _order = "contract_id, number"
    _rec_name = "number"

    contract_id = fields.Many2one(
        "service.contract",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True)
    number = fields.Integer(
        string="Renewal", required=True, readonly=True, help="1 for the first one."
    )
    date_start = fields.Date(
        string="Term Start", required=True, index=True, readonly=True
    )

    _sql_constraints = [
        (
            "number_unique",
            "UNIQUE(contract_id, number)",
            "A contract is renewed once per term.",
        ),
    ]

    def init(self):
        res = super().init()
        self._backfill()
        return res

    @api.model
    def _backfill(self):
        """Write the renewed terms of the contracts renewed before this
        table existed (or whose rows are missing), as the renewal computed
        them: the firm term, then the renewal terms one after the other.
        Idempotent: contracts with all their rows are left alone."""
        self.env.cr.execute(
            SQL(
                """
                SELECT c.id FROM service_contract c
                 WHERE c.renewal_count > (
                       SELECT COUNT(*) FROM service_contract_renewal r
                        WHERE r.contract_id = c.id)
                """
            )
        )
        contract_ids = [row[0] for row in self.env.cr.fetchall()]
        if not contract_ids:
            return
        contracts = self.env["service.contract"].browse(contract_ids)
        self.search([("contract_id", "in", contract_ids)]).unlink()
        values = []
        for contract in contracts:
            term_start = anniversary(
                contract.date_start, contract.duration, contract.duration_unit
            )
            for number in range(1, contract.renewal_count + 1):
                values.append(
                    {
                        "contract_id": contract.id,
                        "number": number,
                        "date_start": term_start,
                    }
                )
                term_start = anniversary(
                    term_start, contract.renewal_duration, contract.renewal_unit
                )
        self.create(values)


class ServiceContract(models.Model):
    _inherit = "service.contract"

    renewal_ids = fields.One2many(
        "service.contract.renewal", "contract_id", string="Renewed Terms"
    )

    def _on_renewed(self, renewals):
        """Record the terms each contract started, from its first new one."""
        res = super()._on_renewed(renewals)
        values = []
        for contract in self:
            start, count = renewals[contract.id]
            first = contract.renewal_count - count + 1
            for number in range(first, contract.renewal_count + 1):
                values.append(
                    {"contract_id": contract.id, "number": number, "date_start": start}
                )
                start = anniversary(
                    start, contract.renewal_duration, contract.renewal_unit
                )
        self.env["service.contract.renewal"].sudo().create(values)
        return res


class ServiceContractAlert(models.Model):
    _inherit = "service.contract.alert"

    kind = fields.Selection(
        selection_add=[
            ("notice_deadline", "Notice deadline near"),
            ("express_renewal", "Express renewal due"),
        ]
    )

    def _get_alert_actions(self):
        return {
            **super()._get_alert_actions(),
            "notice_deadline": self.env._(
                "Check with the customer before the notice deadline"
            ),
            "express_renewal": self.env._("Renew the contract before its end"),
        }

    def _get_alert_queries(self):
        return [
            *super()._get_alert_queries(),
            SQL(
                """
                SELECT c.id * 10 + 3, 'notice_deadline', c.notice_deadline,
                       c.id, NULL, c.partner_id, c.user_id, c.company_id
                  FROM service_contract c
                  JOIN company_day d ON d.company_id = c.company_id
                 WHERE c.state = 'running' AND c.renewal_type != 'none'
                   AND c.notice_date IS NULL AND c.date_termination IS NULL
                   AND c.notice_deadline BETWEEN d.today AND d.today + %s
                """,
                RENEWAL_ALERT_DAYS,
            ),
            SQL(
                """
                SELECT c.id * 10 + 4, 'express_renewal', c.date_end,
                       c.id, NULL, c.partner_id, c.user_id, c.company_id
                  FROM service_contract c
                  JOIN company_day d ON d.company_id = c.company_id
                 WHERE c.state = 'running' AND c.renewal_type = 'express'
                   AND c.notice_date IS NULL AND c.date_termination IS NULL
                   AND c.date_end BETWEEN d.today AND d.today + %s
                   AND (c.renewal_count = 0 OR c.date_term_start <= d.today)
                """,
                RENEWAL_ALERT_DAYS,
            ),
        ]
