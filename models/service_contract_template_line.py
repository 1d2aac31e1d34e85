from odoo import fields, models


class ServiceContractTemplateLine(models.Model):
    _name = "service.contract.template.line"
    _description = "Service Contract Template Line"
    _inherit = ["service.contract.line.mixin"]
    _order = "template_id, sequence, id"
    _check_company_auto = True

    template_id = fields.Many2one(
        "service.contract.template",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        related="template_id.company_id", store=True, index=True, precompute=True
    )

    def _prepare_contract_line_vals(self):
        """Values of the contract line created from this template line."""
        self.ensure_one()
        vals = {name: self[name] for name in self._get_copied_line_fields()}
        if self.product_id and self.name in self._get_product_descriptions():
            # The product's own description, in the contract's language.
            vals["name"] = self.product_id.get_product_multiline_description_sale()
        return vals | {"product_id": self.product_id.id}

    def _get_product_descriptions(self):
        """The sale description of the line's product in every installed
        language and in English (the source, even when English is not
        installed): a line that keeps it gets it in the customer's
        language."""
        self.ensure_one()
        langs = {
            "en_US",
            *(code for code, _name in self.env["res.lang"].get_installed()),
        }
        return {
            self.product_id.with_context(
                lang=lang
            ).get_product_multiline_description_sale()
            for lang in langs
        }
