import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

REVISION_KINDS = [
    ("index", "Index clause"),
    ("percentage", "Negotiated percentage"),
]


class ServiceContractRevision(models.Model):
    """One price revision of a contract: what was applied, from which index
    values, to which prices. Written once by the revision, never changed."""

    _name = "service.contract.revision"
    _description = "Price Revision"
    _order = "date desc, id desc"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "service.contract",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
        readonly=True,
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    partner_id = fields.Many2one(related="contract_id.partner_id")
    date = fields.Date(string="Revision Date", required=True, readonly=True)
    kind = fields.Selection(
        REVISION_KINDS, required=True, default="index", readonly=True
    )
    coefficient = fields.Float(digits=(16, 6), readonly=True)
    percentage = fields.Float(
        digits=(16, 4),
        readonly=True,
        help="Negotiated change of the prices, in percent.",
    )
    amount_before = fields.Monetary(
        string="Yearly Amount Before",
        readonly=True,
        help="Untaxed amount of a year of the services at the former prices.",
    )
    amount_after = fields.Monetary(
        string="Yearly Amount After",
        readonly=True,
        help="Untaxed amount of a year of the services at the revised prices.",
    )
    formula = fields.Text(
        readonly=True, help="The clause with the values used: a worked example."
    )
    line_ids = fields.One2many(
        "service.contract.revision.line", "revision_id", string="Prices"
    )
    value_ids = fields.One2many(
        "service.contract.revision.value", "revision_id", string="Index Values"
    )
    catch_up_amount = fields.Monetary(
        readonly=True,
        help="Difference owed on billing periods already invoiced at the "
        "former price after the revision date; added to the next invoice.",
    )
    move_id = fields.Many2one(
        "account.move",
        string="Mentioned on Invoice",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="First invoice at the revised prices: it states the revision "
        "(and carries the catch-up, if any).",
    )
    user_id = fields.Many2one(
        "res.users", string="Applied By", readonly=True, default=lambda s: s.env.user
    )

    @api.depends("contract_id", "date")
    def _compute_display_name(self):
        for revision in self:
            revision.display_name = self.env._(
                "%(contract)s: revision of %(date)s",
                contract=revision.contract_id.name or "",
                date=fields.Date.to_string(revision.date) if revision.date else "",
            )

    def _get_writable_fields(self):
        """The fields a revision may still change: its bookkeeping."""
        return {"move_id"}

    def write(self, vals):
        if set(vals) - self._get_writable_fields():
            raise UserError(
                self.env._("A price revision is history: it cannot be changed.")
            )
        return super().write(vals)

    def action_print_letter(self):
        """The letter sent to the customer, with the worked calculation."""
        return self.env.ref(
            "service_contract.action_report_contract_revision"
        ).report_action(self)

    def _get_letter_body(self):
        """The body of the letter (the email), rendered for this revision in
        the customer's language."""
        self.ensure_one()
        template = self.env.ref("service_contract.mail_template_contract_revision")
        return template._render_field("body_html", self.ids, compute_lang=True)[self.id]

    def _render_letters(self):
        """{revision_id: (file name, PDF)}: the letters of these revisions,
        rendered together (one run of the PDF engine, split per revision).
        Without a PDF engine, or when it fails, none: the email carries the
        letter alone."""
        Report = self.env["ir.actions.report"]
        report = self.env.ref("service_contract.action_report_contract_revision")
        names = {
            revision.id: self.env._(
                "Price revision - %(contract)s - %(date)s.pdf",
                contract=revision.contract_id.name.replace("/", "-"),
                date=fields.Date.to_string(revision.date),
            )
            for revision in self
        }
        try:
            streams, report_type = Report._pre_render_qweb_pdf(report, self.ids)
            if report_type == "pdf":
                return {
                    res_id: (names[res_id], value["stream"].getvalue())
                    for res_id, value in streams.items()
                    if value.get("stream")
                }
            # Tests render HTML, one document per revision.
            return {
                revision.id: (
                    names[revision.id],
                    Report._render_qweb_pdf(report, revision.ids)[0],
                )
                for revision in self
            }
        except Exception:  # noqa: BLE001 - the email still carries the letter
            _logger.warning(
                "Price revision letters %s not rendered to PDF", self.ids, exc_info=True
            )
            return {}


class ServiceContractRevisionLine(models.Model):
    _name = "service.contract.revision.line"
    _description = "Price Revision Line"
    _order = "revision_id, id"

    revision_id = fields.Many2one(
        "service.contract.revision", required=True, ondelete="cascade", index=True
    )
    currency_id = fields.Many2one(related="revision_id.currency_id")
    contract_line_id = fields.Many2one(
        "service.contract.line", string="Service", ondelete="set null"
    )
    name = fields.Text(string="Description")
    price_before = fields.Float(string="Former Price", digits="Product Price")
    price_after = fields.Float(string="Revised Price", digits="Product Price")
    amount_before = fields.Monetary(string="Yearly Amount Before")
    amount_after = fields.Monetary(string="Yearly Amount After")


class ServiceContractRevisionValue(models.Model):
    _name = "service.contract.revision.value"
    _description = "Price Revision Index Value"
    _order = "revision_id, id"

    revision_id = fields.Many2one(
        "service.contract.revision", required=True, ondelete="cascade", index=True
    )
    index_id = fields.Many2one(
        "service.price.index", required=True, ondelete="restrict"
    )
    weight = fields.Float(string="Weight (b)", digits=(16, 6))
    base_date = fields.Date(string="Base Month")
    base_value = fields.Float(string="Base Value (I0)", digits=(16, 4))
    date = fields.Date(string="Month Used")
    value = fields.Float(string="Value Used (I)", digits=(16, 4))
