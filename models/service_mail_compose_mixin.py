from odoo import models


class ServiceMailComposeMixin(models.AbstractModel):
    """Open the mail composer on a record with one of our templates."""

    _name = "service.mail.compose.mixin"
    _description = "Service Contract Mail Composer"

    def _action_compose(self, template_xmlid, **context):
        self.ensure_one()
        template = self.env.ref(template_xmlid)
        return {
            # The dialog's title (without it the web client shows "Odoo").
            "name": self.env._("Send by Email"),
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                **context,
            },
        }
