from odoo import api, fields, models


class ReportLiftLogbook(models.AbstractModel):
    _name = "report.service_contract.report_lift_logbook"
    _description = "Lift Maintenance Logbook"

    @api.model
    def _get_report_values(self, docids, data=None):
        docs = self.env["service.equipment"].browse(docids)
        docs.check_access("read")
        year = int((data or {}).get("year") or fields.Date.context_today(self).year)
        return {
            "doc_ids": docids,
            "doc_model": "service.equipment",
            "docs": docs,
            "year": year,
        }
