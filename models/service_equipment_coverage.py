from odoo import api, fields, models
from odoo.exceptions import ValidationError

EQUIPMENT_DOMAIN = (
    "[('partner_id', '=', commercial_partner_id), ('state', '=', 'in_service')]"
)


def _check_covered_equipment(records, contract_of):
    """The equipment a contract line or visit plan names belongs to the
    contract's customer and, when it is on a site, to one of its sites."""
    env = records.env
    for record in records:
        contract = contract_of(record)
        if not contract or not record.equipment_ids:
            continue
        foreign = record.equipment_ids.filtered(
            lambda e, c=contract: e.partner_id != c.commercial_partner_id
        )
        if foreign:
            raise ValidationError(
                env._(
                    "Contract %(contract)s: the equipment %(equipment)s does not "
                    "belong to the customer %(customer)s.",
                    contract=contract.display_name,
                    equipment=", ".join(foreign.mapped("display_name")),
                    customer=contract.partner_id.display_name,
                )
            )
        elsewhere = record.equipment_ids.filtered(
            lambda e, c=contract: e.site_id and e.site_id not in c.site_ids
        )
        if elsewhere:
            raise ValidationError(
                env._(
                    "Contract %(contract)s: the equipment %(equipment)s is on a "
                    "site that is not one of the contract's sites.",
                    contract=contract.display_name,
                    equipment=", ".join(elsewhere.mapped("display_name")),
                )
            )


class ServiceContractLine(models.Model):
    _inherit = "service.contract.line"

    commercial_partner_id = fields.Many2one(related="contract_id.commercial_partner_id")
    equipment_ids = fields.Many2many(
        "service.equipment",
        "service_contract_line_equipment_rel",
        "line_id",
        "equipment_id",
        check_company=True,
        domain=EQUIPMENT_DOMAIN,
        help="Restrict this service to these items; leave empty for the whole "
        "contract.",
    )

    @api.constrains("equipment_ids", "contract_id")
    def _check_equipment(self):
        _check_covered_equipment(self, lambda line: line.contract_id)


class ServiceVisitPlan(models.Model):
    _inherit = "service.visit.plan"

    commercial_partner_id = fields.Many2one(related="contract_id.commercial_partner_id")
    equipment_ids = fields.Many2many(
        "service.equipment",
        "service_visit_plan_equipment_rel",
        "plan_id",
        "equipment_id",
        check_company=True,
        domain=EQUIPMENT_DOMAIN,
        help="The items these visits cover; leave empty for the items named "
        "on the contract's services.",
    )
    per_equipment = fields.Boolean(
        help="One visit for each item in service the plan covers, on its site."
    )

    @api.constrains("equipment_ids", "contract_id", "template_id")
    def _check_equipment(self):
        for plan in self:
            if plan.template_id and plan.equipment_ids:
                raise ValidationError(
                    self.env._(
                        "Visit plan %(name)s: a template names no equipment; "
                        "choose the items on each contract.",
                        name=plan.name,
                    )
                )
        _check_covered_equipment(self, lambda plan: plan.contract_id)

    @api.constrains("per_site", "per_equipment")
    def _check_per_equipment(self):
        for plan in self:
            if plan.per_site and plan.per_equipment:
                raise ValidationError(
                    self.env._(
                        "Visit plan %(name)s: choose one visit per site or one "
                        "visit per equipment, not both.",
                        name=plan.name,
                    )
                )

    def _get_copied_fields(self):
        return [*super()._get_copied_fields(), "per_equipment"]

    def _get_signed_fields(self):
        return [*super()._get_signed_fields(), "per_equipment", "equipment_ids"]

    def _get_covered_equipment(self):
        """The items in service these visits cover: the plan's own, else
        those named on the contract's services."""
        self.ensure_one()
        items = self.equipment_ids or self.contract_id.line_ids.equipment_ids
        return items.filtered(lambda e: e.active and e.state == "in_service")

    def _get_visit_targets(self):
        """``(site, equipment, covered)`` of each visit due on a date:
        ``equipment`` is the item of a visit per equipment (else an empty
        recordset), ``covered`` the items the visit covers (those of its
        site, or all of them for a visit without a site)."""
        self.ensure_one()
        contract = self.contract_id
        covered = self._get_covered_equipment()
        sites = self._get_visit_sites(contract)
        if self.per_equipment:
            # Every site of the contract, or the one the plan is limited to.
            allowed = sites or contract.site_ids
            return [
                (item.site_id, item, item)
                for item in covered
                if not item.site_id or item.site_id in allowed
            ]
        no_item = covered.browse()
        if not sites:
            return [(sites, no_item, covered)]
        return [
            (site, no_item, covered.filtered(lambda e, s=site: e.site_id == s))
            for site in sites
        ]


class ServiceContract(models.Model):
    _inherit = "service.contract"

    equipment_ids = fields.Many2many(
        "service.equipment",
        compute="_compute_equipment_ids",
        help="The items the contract's services and visit plans name.",
    )
    equipment_count = fields.Integer(compute="_compute_equipment_ids")

    @api.depends("line_ids.equipment_ids", "visit_plan_ids.equipment_ids")
    def _compute_equipment_ids(self):
        for contract in self:
            items = (
                contract.line_ids.equipment_ids | contract.visit_plan_ids.equipment_ids
            )
            contract.equipment_ids = items
            contract.equipment_count = len(items)

    def _visit_frequency(self, plan):
        """The visits per equipment, and the items a plan names."""
        text = super()._visit_frequency(plan)
        if plan.per_equipment:
            text += " " + self.env._("per equipment")
        items = plan.equipment_ids
        if items:
            text += " (" + ", ".join(items.mapped("display_name")) + ")"
        return text

    def action_view_equipment(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_contract.service_equipment_action"
        )
        action["domain"] = [("id", "in", self.equipment_ids.ids)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action


class ServiceEquipment(models.Model):
    _inherit = "service.equipment"

    contract_ids = fields.Many2many(
        "service.contract",
        string="Contracts",
        compute="_compute_contract_ids",
        search="_search_contract_ids",
        groups="service_contract.group_service_contract_user",
        help="The running contracts that cover this item: a service or a visit "
        "plan names it.",
    )
    contract_count = fields.Integer(
        compute="_compute_contract_ids",
        groups="service_contract.group_service_contract_user",
    )

    def _covering_contracts(self):
        """{equipment: running contracts naming it}, in two queries."""
        covering = {}
        for model in ("service.contract.line", "service.visit.plan"):
            groups = self.env[model]._read_group(
                [
                    ("equipment_ids", "in", self.ids),
                    ("contract_id.state", "=", "running"),
                ],
                ["equipment_ids"],
                ["contract_id:recordset"],
            )
            for equipment, contracts in groups:
                covering[equipment] = covering.get(equipment, contracts) | contracts
        return covering

    def _compute_contract_ids(self):
        covering = self.sudo()._covering_contracts()
        for equipment in self:
            contracts = covering.get(equipment, self.env["service.contract"])
            equipment.contract_ids = contracts.with_env(self.env)
            equipment.contract_count = len(contracts)

    def _search_contract_ids(self, operator, value):
        if operator in ("=", "!=") and value is False:
            contract_domain = []
            operator = "in" if operator == "!=" else "not in"
        else:
            field = "name" if isinstance(value, str) else "id"
            contract_domain = [(field, operator, value)]
            operator = "in"
        contract_domain = [("state", "=", "running"), *contract_domain]
        items = self.browse()
        for model in ("service.contract.line", "service.visit.plan"):
            items |= (
                self.env[model]
                .search(
                    [
                        ("contract_id", "any", contract_domain),
                        ("equipment_ids", "!=", False),
                    ]
                )
                .equipment_ids
            )
        return [("id", operator, items.ids)]

    def action_view_contracts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_contract.service_contract_action"
        )
        action["domain"] = [("id", "in", self.contract_ids.ids)]
        action["context"] = {"default_partner_id": self.partner_id.id}
        return action
