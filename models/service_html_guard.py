"""The HTML fields of the module hold sanitised HTML in every language.

Odoo sanitises an HTML field with the field's own options whenever its value
is set through the ORM: ``create`` and ``write`` (so also the form, ``load``
and ``copy``) in the language written, and a computed field's value when its
compute assigns it. The other languages of a translated field are written
without either: ``_update_field_translations`` (the form's translation
dialog, ``copy``) writes them with SQL (``translate=True``) or term by term
(``html_translate``), and the translation import (Settings > Translations >
Import) with SQL. Neither sanitises nor runs the constraints.

``service.html.guard``, inherited by every model of the module with an HTML
field, sanitises the value stored in every language after these paths, with
the field's own options, then runs the field's constraints (the documents'
placeholder checks) as a write does.
"""

from odoo import api, models


class ServiceHtmlGuard(models.AbstractModel):
    _name = "service.html.guard"
    _description = "Sanitised HTML in Every Language"

    def _html_translated_fields(self):
        """The translated HTML fields of the model that are sanitised."""
        return [
            name
            for name, field in self._fields.items()
            if field.type == "html" and field.translate and field.sanitize
        ]

    def _update_field_translations(
        self, field_name, translations, digest=None, source_lang=None
    ):
        result = super()._update_field_translations(
            field_name, translations, digest=digest, source_lang=source_lang
        )
        if result and field_name in self._html_translated_fields():
            self._sanitize_translations([field_name])
        return result

    def _sanitize_translations(self, field_names):
        """Sanitise the values of ``field_names`` stored in every language,
        as a write sanitises the language it writes, then run the fields'
        constraints."""
        for field_name in field_names:
            field = self._fields[field_name]
            for record in self:
                stored = field._get_stored_translations(record) or {}
                clean = {
                    lang: value and str(field.convert_to_cache(value, record))
                    for lang, value in stored.items()
                }
                if clean != stored:
                    # As Odoo stores the translations of every language.
                    self.env.cache.update_raw(record, field, [clean], dirty=True)
                    record.modified([field_name])
        self._validate_fields(field_names)

    @api.model
    def _sanitize_all_translations(self):
        """After a translation import: every record of the guarded models."""
        for model_name in sorted(self._inherit_children):
            model = self.env[model_name].with_context(active_test=False)
            field_names = model._html_translated_fields()
            if field_names:
                model.search([])._sanitize_translations(field_names)


class BaseLanguageImport(models.TransientModel):
    _inherit = "base.language.import"

    def import_lang(self):
        """Translations imported from a file are written with SQL: sanitise
        and check the translated HTML fields of the module afterwards."""
        result = super().import_lang()
        # Every company's records, whatever the companies selected.
        self.env["service.html.guard"].sudo()._sanitize_all_translations()
        return result


class ServiceContractTemplate(models.Model):
    _name = "service.contract.template"
    _inherit = ["service.contract.template", "service.html.guard"]


class ServiceContract(models.Model):
    _name = "service.contract"
    _inherit = ["service.contract", "service.html.guard"]


class ServiceContractAmendment(models.Model):
    _name = "service.contract.amendment"
    _inherit = ["service.contract.amendment", "service.html.guard"]


class ServiceEquipment(models.Model):
    _name = "service.equipment"
    _inherit = ["service.equipment", "service.html.guard"]


class ServiceIntervention(models.Model):
    _name = "service.intervention"
    _inherit = ["service.intervention", "service.html.guard"]
