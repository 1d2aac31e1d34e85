from odoo import models
from odoo.exceptions import UserError


class ServiceStateMixin(models.AbstractModel):
    """Refuse an action on records that are not in a state allowing it."""

    _name = "service.state.mixin"
    _description = "Service Contract State Check"

    def _check_state(self, allowed, message):
        """Raise ``message`` (with ``%(names)s``) for records whose state is
        not in ``allowed``: nothing is changed."""
        wrong = self.filtered(lambda record: record.state not in allowed)
        if wrong:
            raise UserError(message % {"names": ", ".join(wrong.mapped("name"))})
