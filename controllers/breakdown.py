from odoo import _, http
from odoo.exceptions import ValidationError
from odoo.http import request
from odoo.tools.mimetypes import guess_mimetype

from .portal import ServiceContractPortal

MAX_PHOTOS = 5
MAX_PHOTO_SIZE = 10 * 1024 * 1024  # bytes
MAX_DESCRIPTION = 5000  # characters
PHOTO_MIMETYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")


class ServiceBreakdownPortal(ServiceContractPortal):
    """The customer reports a breakdown on one of its sites or equipment
    items: it becomes a corrective intervention on the covering contract.

    Everything the form sends is checked here against the customer's own
    running contracts, sites and equipment (the records are then written as
    superuser)."""

    def _breakdown_choices(self):
        """(contracts, sites, equipment) the visitor may report on: its
        company's running contracts, their sites, its items in service
        there (or without a site)."""
        partner = self._portal_customer()
        contracts = (
            request.env["service.contract"]
            .sudo()
            .search(
                [("state", "=", "running"), ("commercial_partner_id", "=", partner.id)]
            )
        )
        sites = contracts.site_ids.filtered(
            lambda site: site.commercial_partner_id == partner
        )
        equipment = (
            request.env["service.equipment"]
            .sudo()
            .search(
                [
                    ("partner_id", "child_of", partner.id),
                    ("state", "=", "in_service"),
                    "|",
                    ("site_id", "in", sites.ids),
                    ("site_id", "=", False),
                ]
            )
        )
        return contracts, sites, equipment

    def _breakdown_values(self, choices=None, **values):
        """The form's values; ``choices``: ``_breakdown_choices()`` when the
        route has them already."""
        contracts, sites, equipment = choices or self._breakdown_choices()
        result = self._prepare_portal_layout_values()
        result.update(
            {
                "page_name": "service_breakdown",
                "contracts": contracts,
                "sites": sites,
                "equipment": equipment,
                "errors": [],
                "form": {},
            }
        )
        result.update(values)
        return result

    @http.route(["/my/breakdown"], type="http", auth="user", website=True)
    def portal_breakdown_form(self, equipment_id=None, **kw):
        """The form; ``equipment_id`` (from the item's page) preselects one
        of the visitor's items in service and its site."""
        choices = self._breakdown_choices()
        _contracts, sites, equipment = choices
        form = {}
        item = self._pick(equipment, equipment_id) if equipment_id else None
        if item:
            form["equipment_id"] = str(item.id)
            if item.site_id in sites:
                form["site_id"] = str(item.site_id.id)
        return request.render(
            "service_contract.portal_breakdown_form",
            self._breakdown_values(choices, form=form),
        )

    @http.route(
        ["/my/breakdown/submit"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_breakdown_submit(self, site_id=None, equipment_id=None, **post):
        choices = self._breakdown_choices()
        _contracts, sites, equipment = choices
        form = {
            "site_id": site_id,
            "equipment_id": equipment_id,
            "description": post.get("description", ""),
        }
        errors = []
        site = self._pick(sites, site_id)
        item = self._pick(equipment, equipment_id)
        if site is None:
            errors.append(_("Choose one of your sites."))
        if item is None:
            errors.append(_("Choose one of your equipment items in service."))
        if not site and item and item.site_id:
            site = item.site_id
        if sites and not site:
            errors.append(_("Choose the site of the breakdown."))
        if site and item and item.site_id and item.site_id != site:
            errors.append(
                _(
                    "%(equipment)s is at the site %(equipment_site)s, not at "
                    "%(site)s: choose its site, or leave the site empty.",
                    equipment=item.display_name,
                    equipment_site=item.site_id.name or item.site_id.display_name,
                    site=site.name or site.display_name,
                )
            )
        description = (form["description"] or "").strip()
        if not description:
            errors.append(_("Describe the breakdown."))
        elif len(description) > MAX_DESCRIPTION:
            errors.append(
                _(
                    "The description is too long (%(max)s characters at most).",
                    max=MAX_DESCRIPTION,
                )
            )
        photos, photo_errors = self._read_photos()
        errors += photo_errors
        contract = request.env["service.contract"]
        if not errors:
            contract = contract.sudo()._find_breakdown_contract(
                request.env.user.partner_id, site
            )
            if not contract:
                errors.append(_("None of your running contracts covers this site."))
        if errors:
            return request.render(
                "service_contract.portal_breakdown_form",
                self._breakdown_values(choices, errors=errors, form=form),
            )
        try:
            with request.env.cr.savepoint():
                intervention = (
                    request.env["service.intervention"]
                    .sudo()
                    ._report_breakdown(
                        contract,
                        description,
                        site=site or None,
                        equipment=item or None,
                        attachments=photos,
                        reported_by=request.env.user.partner_id,
                    )
                )
        except ValidationError as error:
            return request.render(
                "service_contract.portal_breakdown_form",
                self._breakdown_values(choices, errors=[error.args[0]], form=form),
            )
        values = self._prepare_portal_layout_values()
        values.update({"page_name": "service_breakdown", "intervention": intervention})
        return request.render("service_contract.portal_breakdown_done", values)

    @staticmethod
    def _pick(records, record_id):
        """The record of ``records`` whose id was sent, an empty recordset
        if none was sent, None if the id is not one of them."""
        if not record_id:
            return records.browse()
        try:
            record_id = int(record_id)
        except (TypeError, ValueError):
            return None
        record = records.filtered(lambda r: r.id == record_id)
        return record or None

    def _read_photos(self):
        """[(name, bytes)] of the images sent, and the errors."""
        photos, errors = [], []
        files = [
            file
            for file in request.httprequest.files.getlist("photos")
            if file and file.filename
        ]
        if len(files) > MAX_PHOTOS:
            errors.append(_("Send %(max)s photos at most.", max=MAX_PHOTOS))
            return [], errors
        for file in files:
            raw = file.read(MAX_PHOTO_SIZE + 1)
            if len(raw) > MAX_PHOTO_SIZE:
                errors.append(
                    _("%(name)s is too large (10 MB at most).", name=file.filename)
                )
            elif guess_mimetype(raw, default="") not in PHOTO_MIMETYPES:
                errors.append(_("%(name)s is not an image.", name=file.filename))
            else:
                photos.append((file.filename, raw))
        return photos, errors
