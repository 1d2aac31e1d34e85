"""A report rendered once and kept as a file: the signed contract and
amendment, the visit report, the boiler certificate. The record links the
file; printing, the portal and emails then serve that very file (see
``ir_actions_report.py``), never a new rendering."""

from odoo import models


class ServiceStoredPdfMixin(models.AbstractModel):
    _name = "service.stored.pdf.mixin"
    _description = "Report Stored as a File"

    def _prepare_file_vals(self, name, content, mimetype="application/pdf"):
        """Values of the attachment ``name`` stored on this record."""
        self.ensure_one()
        return {
            "name": name,
            "type": "binary",
            "raw": content,
            "mimetype": mimetype,
            "res_model": self._name,
            "res_id": self.id,
        }

    def _attach_pdf(self, report_xmlid, field_name, get_name, get_owner=None):
        """Render the report ``report_xmlid`` of each record (PDF, even in
        tests) and link it in ``field_name``. The file is named
        ``get_name(record)`` and stored on ``get_owner(record)`` (default:
        the record itself)."""
        report = self.env.ref(report_xmlid)
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        for record in self:
            pdf, _type = Report._render_qweb_pdf(report, record.ids)
            owner = get_owner(record) if get_owner else record
            record[field_name] = self.env["ir.attachment"].create(
                owner._prepare_file_vals(get_name(record), pdf)
            )
