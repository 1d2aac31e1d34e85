import io
from collections import OrderedDict

from odoo import models

# Reports whose PDF, once stored, is served from the record's link to it
# (never looked up by name): {report_name: field linking the attachment}.
STORED_REPORTS = {
    "service_contract.report_service_contract": "signed_document_id",
    "service_contract.report_intervention": "report_document_id",
    "service_contract.report_boiler_certificate": "certificate_document_id",
}


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _pre_render_qweb_pdf(self, report_ref, res_ids=None, data=None):
        """The signed contract and the visit reports: serve the PDF linked
        to the record, so that printing, downloading and emailing give the
        very document that was signed."""
        report = self._get_report(report_ref)
        field = STORED_REPORTS.get(report.report_name)
        if isinstance(res_ids, int):
            res_ids = [res_ids]
        if not field or not res_ids or len(res_ids) != len(set(res_ids)):
            return super()._pre_render_qweb_pdf(report_ref, res_ids=res_ids, data=data)
        records = self.env[report.model].browse(res_ids)
        records.check_access("read")
        stored = {
            record.id: record.sudo()[field]
            for record in records
            if record.sudo()[field]
        }
        if not stored:
            return super()._pre_render_qweb_pdf(report_ref, res_ids=res_ids, data=data)
        streams = OrderedDict()
        missing = [res_id for res_id in res_ids if res_id not in stored]
        if missing:
            rendered, report_type = super()._pre_render_qweb_pdf(
                report_ref, res_ids=missing, data=data
            )
            if report_type != "pdf":
                return super()._pre_render_qweb_pdf(
                    report_ref, res_ids=res_ids, data=data
                )
            streams.update(rendered)
        for res_id, attachment in stored.items():
            streams[res_id] = {
                "stream": io.BytesIO(attachment.raw),
                "attachment": attachment,
            }
        return OrderedDict((res_id, streams[res_id]) for res_id in res_ids), "pdf"
