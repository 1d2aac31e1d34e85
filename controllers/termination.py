import logging

from odoo import _, fields, http
from odoo.http import request
from odoo.tools import email_normalize

from ..models.service_contract_termination_request import _normalize_address

_logger = logging.getLogger(__name__)

# Filled only by robots: the field is hidden from people.
HONEYPOT = "homepage"
FIELDS = ("name", "email", "street", "zip", "reference", "date", "reason")
MAX_LENGTHS = {
    "name": 200,
    "email": 200,
    "street": 200,
    "zip": 20,
    "reference": 64,
    "reason": 2000,
}


class ServiceContractTermination(http.Controller):
    """Online termination of a contract by a consumer (Code de la
    consommation, L215-1-1): a public form, a summary, then the same neutral
    answer whether or not a contract matches."""

    def _read_form(self, post):
        """(values, errors) of the posted form; values are stripped strings,
        but ``date`` is a date."""
        values = {
            key: post[key].strip() if isinstance(post.get(key), str) else ""
            for key in FIELDS
        }
        errors = {}
        if not values["name"]:
            errors["name"] = _("Enter your name.")
        if not values["reference"]:
            errors["reference"] = _("Enter the reference of your contract.")
        if values["email"]:
            if not email_normalize(values["email"]):
                errors["email"] = _("This email address is not valid.")
        elif not (values["street"] and values["zip"]):
            errors["email"] = _(
                "Enter your email address, or your street and zip code."
            )
        try:
            values["date"] = fields.Date.to_date(values["date"] or None)
        except ValueError:
            values["date"] = None
        if not values["date"]:
            errors["date"] = _("Enter the date you want the contract to end.")
        for key, limit in MAX_LENGTHS.items():
            if len(values[key]) > limit:
                errors[key] = _("This text is too long.")
        return values, errors

    def _render(self, template, values=None, errors=None, status=200):
        return request.render(
            f"service_contract.{template}",
            {
                "values": values or {},
                "errors": errors or {},
                "honeypot": HONEYPOT,
            },
            status=status,
        )

    @http.route(
        "/contract/terminate",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=True,
    )
    def contract_terminate_form(self, reference=None, **kw):
        values = {"reference": (reference or "")[:200]}
        user = request.env.user
        if not user._is_public():
            # The person logged in, not their company: they can change it.
            values.update(name=user.partner_id.name, email=user.partner_id.email)
        return self._render("online_termination_form", values)

    @http.route(
        "/contract/terminate/summary",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def contract_terminate_summary(self, **post):
        """The summary of the request, to confirm; nothing is recorded."""
        values, errors = self._read_form(post)
        if errors or post.get("edit"):
            return self._render("online_termination_form", values, errors)
        return self._render("online_termination_summary", values)

    @http.route(
        "/contract/terminate/confirm",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def contract_terminate_confirm(self, **post):
        """Record the request if it matches a consumer's contract; answer the
        same in every case (nothing tells whether a contract matched)."""
        values, errors = self._read_form(post)
        if errors:
            return self._render("online_termination_form", values, errors)
        if post.get(HONEYPOT):
            return self._render("online_termination_done")
        allowed = (
            request.env["service.contract.termination.attempt"]
            .sudo()
            ._register_attempt(
                request.httprequest.remote_addr,
                values["reference"],
                # Normalised as the request is matched: a variant of the
                # same address ("7, rue" / "7 rue") is the same requester.
                email_normalize(values["email"])
                or "|".join(
                    _normalize_address(values[key]) for key in ("street", "zip")
                ),
            )
        )
        if not allowed:
            # Refused silently: the same answer tells a guesser nothing.
            _logger.info("Online termination request refused: too many attempts")
            return self._render("online_termination_done")
        try:
            with request.env.cr.savepoint():
                request.env["service.contract.termination.request"].sudo()._submit(
                    values
                )
        except Exception:  # noqa: BLE001 - the requester gets the same answer
            _logger.exception("Online termination request not recorded")
        return self._render("online_termination_done")
