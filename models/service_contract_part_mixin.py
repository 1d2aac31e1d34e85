from odoo import api, models
from odoo.exceptions import UserError


class ServiceContractPartMixin(models.AbstractModel):
    """Records that are part of what the customer signs on a contract (its
    services, its price revision clause): refused to create, change or
    delete once the contract is signed, and while it waits for the
    signature (``_check_waiting_unchanged``). The module's own flows
    (inside ``lifecycle_write()``) are not refused. The model has a
    ``contract_id``."""

    _name = "service.contract.part.mixin"
    _description = "Part of a Signed Contract"

    # The contract's field that lists these records.
    _contract_field = None

    def _get_signed_contract_message(self, names):
        """Error refusing to change these records on the signed contracts
        ``names``."""
        raise NotImplementedError

    def _check_contract_unsigned(self, contracts):
        if self.env["service.contract"]._is_lifecycle_write():
            return
        signed = contracts.filtered(lambda contract: contract._is_frozen())
        if signed:
            raise UserError(
                self._get_signed_contract_message(", ".join(signed.mapped("name")))
            )
        # Sent for signature: these records are part of what the customer signs.
        contracts._check_waiting_unchanged([self._contract_field])

    def _get_written_contracts(self, vals):
        """The contracts a write of ``vals`` changes: these records' and
        the one they would move to."""
        contracts = self.contract_id
        if vals.get("contract_id"):
            contracts |= contracts.browse(vals["contract_id"])
        return contracts

    @api.model_create_multi
    def create(self, vals_list):
        self._check_contract_unsigned(
            self.env["service.contract"].browse(
                [vals["contract_id"] for vals in vals_list if vals.get("contract_id")]
            )
        )
        return super().create(vals_list)

    def write(self, vals):
        self._check_contract_unsigned(self._get_written_contracts(vals))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_signed_contract(self):
        self._check_contract_unsigned(self.contract_id)
