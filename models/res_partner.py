from odoo import api, fields, models
from odoo.tools.sql import column_exists, create_column


class ResPartner(models.Model):
    _inherit = "res.partner"

    type = fields.Selection(
        selection_add=[("site", "Service Site")],
        # Uninstalled, a site becomes an "Other Address": it keeps its own
        # address (a contact would take its customer's).
        ondelete={"site": "set other"},
    )
    legal_category = fields.Selection(
        [
            ("professional", "Professional"),
            ("consumer", "Consumer / Non-professional"),
        ],
        compute="_compute_legal_category",
        store=True,
        readonly=False,
        precompute=True,
        help="Consumer protection rules (Loi Chatel) apply to consumers and "
        "non-professionals only.",
    )
    site_access_instructions = fields.Text(
        string="Access Instructions",
        help="How technicians get in: opening hours, keys, codes, parking.",
    )
    site_contact_id = fields.Many2one(
        "res.partner",
        domain="[('type', '=', 'contact'), ('is_company', '=', False), "
        "('commercial_partner_id', '=', commercial_partner_id)]",
        help="Person to call about visits at this site.",
    )
    contract_role = fields.Selection(
        [
            ("signatory", "Signatory"),
            ("billing", "Billing Contact"),
            ("site", "Site Contact"),
        ],
        string="Role on Contracts",
    )
    service_site_ids = fields.One2many(
        "res.partner",
        "parent_id",
        string="Service Sites",
        domain=[("type", "=", "site"), ("active", "=", True)],
    )
    service_contract_ids = fields.One2many(
        "service.contract",
        "partner_id",
        string="Service Contracts",
        groups="service_contract.group_service_contract_user",
    )
    service_contract_count = fields.Integer(
        compute="_compute_service_contract_count",
        groups="service_contract.group_service_contract_user",
    )

    def _auto_init(self):
        """Installed into a database with partners, the module gives each
        its legal category as ``_compute_legal_category`` would (its top
        parent's: professional for a company, consumer for a person) in one
        query when it adds the column: the partners are not rewritten (their
        write date and author stay theirs) and a large base installs fast."""
        cr = self.env.cr
        if not column_exists(cr, "res_partner", "legal_category"):
            create_column(cr, "res_partner", "legal_category", "varchar")
            cr.execute(
                """
                WITH RECURSIVE chain(id, root_id) AS (
                    SELECT id, id FROM res_partner WHERE parent_id IS NULL
                    UNION ALL
                    SELECT p.id, c.root_id
                      FROM res_partner p JOIN chain c ON p.parent_id = c.id
                )
                UPDATE res_partner p
                   SET legal_category = CASE WHEN root.is_company
                       THEN 'professional' ELSE 'consumer' END
                  FROM chain c JOIN res_partner root ON root.id = c.root_id
                 WHERE p.id = c.id
                """
            )
        return super()._auto_init()

    @api.depends("is_company", "parent_id")
    def _compute_legal_category(self):
        for partner in self:
            if partner.parent_id:
                partner.legal_category = partner.parent_id.legal_category
            elif not partner.legal_category:
                partner.legal_category = (
                    "professional" if partner.is_company else "consumer"
                )

    def _compute_service_contract_count(self):
        """A site counts the contracts covering it; anyone else, the
        contracts of its commercial partner."""
        Contract = self.env["service.contract"]
        sites = self.filtered(lambda p: p.type == "site")
        by_site = dict(
            Contract._read_group(
                [("site_ids", "in", sites.ids)], ["site_ids"], ["__count"]
            )
        )
        by_customer = dict(
            Contract._read_group(
                [
                    (
                        "commercial_partner_id",
                        "in",
                        (self - sites).commercial_partner_id.ids,
                    )
                ],
                ["commercial_partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            if partner in sites:
                partner.service_contract_count = by_site.get(partner, 0)
            else:
                partner.service_contract_count = by_customer.get(
                    partner.commercial_partner_id, 0
                )

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + ["legal_category"]

    def action_view_service_contracts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_contract.service_contract_action"
        )
        if self.type == "site":
            action["domain"] = [("site_ids", "in", self.ids)]
        else:
            action["domain"] = [
                ("commercial_partner_id", "=", self.commercial_partner_id.id)
            ]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    @api.model
    def get_import_templates(self):
        """Odoo's template, and ours: customers with their service sites."""
        return [
            *super().get_import_templates(),
            {
                "label": self.env._("Import Template for Customers with Sites"),
                "template": "/service_contract/static/xls/"
                "res_partner_service_sites.csv",
            },
        ]
