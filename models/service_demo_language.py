from odoo import api, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _demo_speak_company_language(self):
        """Demo data only: these customers, their contacts and sites (and
        the technician) speak the language of the company and live in its
        time zone (French and Europe/Paris in a French database; the demo
        file never names a language that may not be installed)."""
        company = self.env.company.partner_id
        values = {"lang": company.lang, "tz": company.tz}
        values = {name: value for name, value in values.items() if value}
        if values:
            partners = self.with_context(active_test=False).search(
                [("id", "child_of", self.ids)]
            )
            partners.write(values)
        return True


class ServiceContract(models.Model):
    _inherit = "service.contract"

    @api.model
    def _demo_load_translations(self):
        """Demo data only: load the module's translations now, while its
        demo data loads (Odoo loads them after it), so that the contracts,
        visits and invoices the demo makes from its services, templates and
        visit plans are in their customers' language."""
        langs = [
            code
            for code, _name in self.env["res.lang"].get_installed()
            if code != "en_US"
        ]
        if langs:
            self.env["ir.module.module"]._load_module_terms(
                ["service_contract"], langs, overwrite=True
            )
        return True

    def _demo_name_visits_as(self, template_plan_id):
        """Demo data only: the visit plans of these contracts (their own,
        not copied from the template) are named as the template's plan
        ``template_plan_id``, in each customer's language."""
        plan = self.env["service.visit.plan"].browse(template_plan_id)
        for contract in self:
            contract.visit_plan_ids.name = plan.with_context(
                lang=contract.partner_id.lang
            ).name
        return True
