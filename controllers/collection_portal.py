"""Portal: the customer chooses how a contract's invoices are paid, with
Odoo's payment form in validation mode: one of their saved payment methods,
or a new one (card, SEPA Direct Debit...) saved through a provider that
supports tokenization."""

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request

from odoo.addons.payment import utils as payment_utils
from odoo.addons.payment.controllers.portal import PaymentPortal

from .portal import ServiceContractPortal


class ServiceContractCollectionPortal(ServiceContractPortal, PaymentPortal):
    def _collection_contract(self, contract_id):
        """The contract as sudo, if the logged-in visitor may choose how it
        is paid: they see it on the portal (record rules, no link token),
        it is running, and its invoicing customer is their own company.
        AccessError or MissingError otherwise."""
        contract_sudo = self._contract_check_access(contract_id)
        user = request.env.user
        if (
            user._is_public()
            or contract_sudo.state != "running"
            or user.partner_id.commercial_partner_id != contract_sudo.payment_partner_id
        ):
            raise AccessError(_("You cannot choose how this contract is paid."))
        return contract_sudo

    def _collection_tokens(self, contract_sudo):
        """The visitor's own saved payment methods (and their company's)
        that may pay the contract, as sudo."""
        partner = request.env.user.partner_id
        tokens_sudo = (
            request.env["payment.token"]
            .sudo()
            ._get_available_tokens(None, partner.id, is_validation=True)
        )
        return tokens_sudo.filtered(contract_sudo._is_payment_token_allowed)

    @http.route(
        ["/my/contracts/<int:contract_id>/payment_method"],
        type="http",
        methods=["GET"],
        auth="user",
        website=True,
    )
    def portal_contract_payment_method(self, contract_id, **kwargs):
        try:
            contract_sudo = self._collection_contract(contract_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        partner_sudo = request.env.user.partner_id
        report = {}
        providers_sudo = (
            request.env["payment.provider"]
            .sudo()
            ._get_compatible_providers(
                contract_sudo.company_id.id,
                partner_sudo.id,
                0.0,
                force_tokenization=True,
                is_validation=True,
                report=report,
            )
        )
        methods_sudo = (
            request.env["payment.method"]
            .sudo()
            ._get_compatible_payment_methods(
                providers_sudo.ids,
                partner_sudo.id,
                force_tokenization=True,
                report=report,
            )
        )
        url = f"/my/contracts/{contract_sudo.id}/payment_method"
        values = {
            **self._prepare_portal_layout_values(),
            "service_contract": contract_sudo,
            "page_name": "service_contract",
            "mode": "validation",
            "allow_token_selection": True,
            "allow_token_deletion": False,
            "default_token_id": contract_sudo.payment_token_id.id,
            "reference_prefix": payment_utils.singularize_reference_prefix(prefix="V"),
            "partner_id": partner_sudo.id,
            "providers_sudo": providers_sudo,
            "payment_methods_sudo": methods_sudo,
            "tokens_sudo": self._collection_tokens(contract_sudo),
            "availability_report": report,
            "transaction_route": f"{url}/transaction",
            "assign_token_route": f"{url}/assign",
            "landing_route": f"/my/contracts/{contract_sudo.id}",
            "access_token": payment_utils.generate_access_token(
                partner_sudo.id, None, None
            ),
        }
        return request.render("service_contract.portal_contract_payment_method", values)

    @http.route(
        ["/my/contracts/<int:contract_id>/payment_method/transaction"],
        type="json",
        auth="user",
    )
    def portal_contract_payment_method_transaction(self, contract_id, **kwargs):
        """Save a new payment method for the contract: a validation
        transaction of the visitor, marked with the contract; once the
        provider confirms it, its token becomes the contract's
        (``payment.transaction._post_process``)."""
        contract_sudo = self._collection_contract(contract_id)
        for key in ("amount", "access_token", "landing_route", "is_validation"):
            kwargs.pop(key, None)
        if kwargs.get("flow") not in ("direct", "redirect"):
            raise ValidationError(_("Choose a new payment method to save."))
        self._validate_transaction_kwargs(kwargs)
        kwargs["tokenization_requested"] = True
        tx_sudo = self._create_transaction(
            amount=None,
            currency_id=None,
            partner_id=request.env.user.partner_id.id,
            landing_route=f"/my/contracts/{contract_sudo.id}",
            reference_prefix=payment_utils.singularize_reference_prefix(prefix="V"),
            is_validation=True,
            custom_create_values={"service_contract_id": contract_sudo.id},
            **kwargs,
        )
        return tx_sudo._get_processing_values()

    @http.route(
        ["/my/contracts/<int:contract_id>/payment_method/assign"],
        type="json",
        auth="user",
    )
    def portal_contract_payment_method_assign(self, contract_id, token_id, **kwargs):
        """Pay the contract with one of the visitor's saved payment methods."""
        contract_sudo = self._collection_contract(contract_id)
        token_sudo = self._collection_tokens(contract_sudo).filtered(
            lambda token: str(token.id) == str(token_id)
        )
        if not token_sudo:
            raise AccessError(_("You cannot use this payment method."))
        contract_sudo._set_payment_token(token_sudo)
        return True
