"""The HTML of the module holds no script, in any language, whatever the
path it came in by, and what is rendered from it (previews, reports, portal
pages) holds none either."""

import base64
import re
from collections import defaultdict

import polib

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from .common import RpcMixin, create_contract, new_tour_user

# A script, event handlers and javascript: URLs, each with a marker that no
# stored or rendered HTML may contain once sanitised.
PAYLOAD = (
    '<p style="background:url(javascript:sc_xss_style())">Safe text'
    '<img src="x" onerror="sc_xss_onerror()"/>'
    '<a href="javascript:sc_xss_href()">link</a></p>'
    "<script>sc_xss_script()</script>"
    '<iframe src="javascript:sc_xss_iframe()"></iframe>'
    # Rendered on a template, the placeholder shows the document was issued.
    '<p>Ref. <t t-out="object.name"/></p>'
)
MARKER = "sc_xss_"
# What sanitised HTML never holds: a script, an event handler, a javascript: URL.
ACTIVE_HTML = re.compile(r"<script|\son[a-z]+\s*=|javascript:", re.IGNORECASE)
LANGS = ("en_US", "fr_FR")


class HtmlSecurityCase(RpcMixin, HttpCase):
    """A contract manager, an administrator, a French-speaking customer with
    a site, a template and a running contract of that customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.manager = new_tour_user(
            cls.env,
            "sc_html_manager",
            "base.group_user,service_contract.group_service_contract_manager",
            name="Mona Manager",
        )
        cls.admin = new_tour_user(
            cls.env,
            "sc_html_admin",
            "base.group_system,service_contract.group_service_contract_manager",
            name="Ada Admin",
        )
        Partner = cls.env["res.partner"]
        cls.customer = Partner.create(
            {"name": "Copropriété Les Tilleuls", "is_company": True, "lang": "fr_FR"}
        )
        cls.site = Partner.create(
            {
                "name": "Bâtiment A",
                "type": "site",
                "parent_id": cls.customer.id,
                "street": "2 rue des Tilleuls",
                "city": "Lyon",
            }
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Entretien chaudière", "type": "service", "list_price": 200.0}
        )
        cls.template = cls.env["service.contract.template"].create(
            {
                "name": "SC HTML maintenance",
                "document_body": '<p>Contract <t t-out="object.name"/></p>',
                "amendment_body": '<p>Amendment to <t t-out="object.name"/></p>',
                "line_ids": [Command.create({"product_id": cls.product.id})],
            }
        )
        today = cls.env.company._service_today()
        cls.running = cls._contract(date_start=today.replace(day=1))
        cls.running.action_sign()

    @classmethod
    def _contract(cls, **values):
        return create_contract(
            cls.env,
            cls.customer,
            template=cls.template,
            **{
                "user_id": cls.manager.id,
                "site_ids": [Command.set(cls.site.ids)],
                **values,
            },
        )

    def assertInert(self, html, where):
        """``html`` holds no script, event handler or javascript: URL."""
        html = str(html or "")
        self.assertNotRegex(html, ACTIVE_HTML, where)
        self.assertNotIn(MARKER, html, where)

    def _page(self, url):
        """The page at ``url`` for the user logged in last, read as text."""
        self.env.flush_all()
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return response.text

    def _import_translation(self, record, name, value):
        """Import a French translation of ``record.name`` from a .po file,
        as an administrator does in Settings > Translations > Import."""
        xmlid = self.env["ir.model.data"].search(
            [("model", "=", record._name), ("res_id", "=", record.id)], limit=1
        )
        if not xmlid:
            xmlid = self.env["ir.model.data"].create(
                {
                    "module": "__export__",
                    "name": f"sc_html_{record._table}_{record.id}",
                    "model": record._name,
                    "res_id": record.id,
                }
            )
        po = polib.POFile()
        po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
        po.append(
            polib.POEntry(
                msgid=str(record.with_context(lang="en_US")[name] or "x"),
                msgstr=value,
                comment="module: service_contract",
                occurrences=[
                    (f"model:{record._name},{name}:{xmlid.complete_name}", "")
                ],
            )
        )
        self.env.flush_all()
        self.env["base.language.import"].with_user(self.admin).create(
            {
                "name": "French",
                "code": "fr_FR",
                "filename": "fr_FR.po",
                "data": base64.b64encode(str(po).encode()),
                "overwrite": True,
            }
        ).import_lang()
        self.env.invalidate_all()


@tagged("post_install", "-at_install")
class TestTranslatedAmendmentText(HtmlSecurityCase):
    """Issue 20: a script written into the French amendment text of a
    template, through the translation dialog's call, reached the amendment
    preview (unsanitised) of French customers and the printed amendment."""

    def test_french_amendment_text_carries_no_script(self):
        attack = (
            '<p><img src=x onerror=alert(document.domain)><t t-out="object.name"/></p>'
        )
        self.env.flush_all()
        self.rpc(
            self.manager,
            "service.contract.template",
            "update_field_translations",
            self.template.ids,
            "amendment_body",
            {"fr_FR": attack},
        )
        action = self.rpc(
            self.manager, "service.contract", "action_amend", self.running.ids
        )

        # The administrator opens the amendment (Document tab) and prints it.
        [amendment] = self.rpc(
            self.admin,
            "service.contract.amendment",
            "read",
            [action["res_id"]],
            ["document_preview"],
        )
        preview = amendment["document_preview"]
        self.assertIn(self.running.name, preview, "the French text is rendered")
        self.assertInert(preview, "preview")
        page = self._page(
            f"/report/html/service_contract.report_contract_amendment/{action['res_id']}"
        )
        document = page[page.index("o_amendment_document") :]
        self.assertIn(self.running.name, document)
        self.assertNotIn("onerror", document)
        self.assertNotIn("alert(document.domain)", page)
        # Stored sanitised, the placeholder kept.
        self.env.invalidate_all()
        french = self.template.with_context(lang="fr_FR").amendment_body
        self.assertInert(french, "French amendment text stored")
        self.assertIn('t-out="object.name"', str(french))

    def test_template_code_is_refused_in_translations(self):
        """The placeholder check runs on translations as on a write."""
        code = '<p><t t-if="object.env.su"/>Texte</p>'
        for name in ("document_body", "amendment_body"):
            with self.subTest(field=name):
                before = self.template.with_context(lang="fr_FR")[name]
                self.env.flush_all()
                error = self.assertRpcRefused(
                    self.manager,
                    "service.contract.template",
                    "update_field_translations",
                    self.template.ids,
                    name,
                    {"fr_FR": code},
                )
                self.assertIn("ValidationError", str(error))
                with self.assertRaisesRegex(ValidationError, "t-if"):
                    with self.env.cr.savepoint():
                        self._import_translation(self.template, name, code)
                self.env.invalidate_all()
                self.assertEqual(self.template.with_context(lang="fr_FR")[name], before)


@tagged("post_install", "-at_install")
class TestHtmlFieldsEveryPath(HtmlSecurityCase):
    """Every HTML field the module defines, through every entry path, in
    English and French: what is stored and what is rendered holds no
    script. A model of the module with an HTML field needs a record below."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.draft = cls._contract(
            date_start=cls.running.date_start, title="SC HTML draft"
        )
        cls.amendment = cls.env["service.contract.amendment"].create(
            cls.running._prepare_amendment_vals()
        )
        # Not written below: its preview renders the template's text.
        cls.fresh_amendment = cls.env["service.contract.amendment"].create(
            cls.running._prepare_amendment_vals()
        )
        cls.equipment = cls.env["service.equipment"].create(
            {
                "name": "SC HTML boiler",
                "partner_id": cls.customer.id,
                "site_id": cls.site.id,
            }
        )
        cls.visit = cls.env["service.intervention"].create(
            {
                "contract_id": cls.running.id,
                "site_id": cls.site.id,
                "date_due": cls.running.date_start,
                "description": "SC HTML visit",
            }
        )
        # The record of each model whose HTML fields are written.
        cls.records = {
            "service.contract.template": cls.template,
            "service.contract": cls.draft,
            "service.contract.amendment": cls.amendment,
            "service.equipment": cls.equipment,
            "service.intervention": cls.visit,
        }

    def _html_fields(self):
        """{model: [field]}: the HTML fields this module defines, found in
        the fields' external ids (on its own models and on others')."""
        field_ids = (
            self.env["ir.model.data"]
            .search(
                [("model", "=", "ir.model.fields"), ("module", "=", "service_contract")]
            )
            .mapped("res_id")
        )
        fields_ = self.env["ir.model.fields"].browse(field_ids)
        result = defaultdict(list)
        for field in fields_.filtered(lambda f: f.ttype == "html"):
            result[field.model].append(field.name)
        return result

    def _writable(self, model, name):
        field = self.env[model]._fields[name]
        return field.store and not (field.compute and field.readonly)

    def _assertStoredInert(self, record, name, path):
        record.invalidate_recordset()
        for lang in LANGS:
            self.assertInert(
                record.with_context(lang=lang)[name],
                f"{record._name}.{name} ({lang}) after {path}",
            )

    def test_every_html_field_is_guarded_and_sanitised(self):
        html_fields = self._html_fields()
        self.assertIn("service.contract.amendment", html_fields)
        for model, names in html_fields.items():
            self.assertIn(model, self.records, f"a record of {model} to test")
            for name in names:
                field = self.env[model]._fields[name]
                # Sanitised whenever set: written, or assigned by a compute.
                self.assertTrue(field.sanitize, f"{model}.{name} is sanitised")
            # Sanitised in every language (translations).
            self.assertIn(
                model,
                self.env.registry["service.html.guard"]._inherit_children,
                f"{model} inherits service.html.guard",
            )

    def test_no_path_stores_a_script(self):
        for model, names in self._html_fields().items():
            record = self.records[model].with_user(self.manager)
            Model = self.env[model].with_user(self.manager)
            for name in filter(lambda n, m=model: self._writable(m, n), names):
                field = Model._fields[name]
                with self.subTest(field=f"{model}.{name}"):
                    for lang in LANGS:
                        record.with_context(lang=lang).write({name: PAYLOAD})
                        self._assertStoredInert(record, name, f"write ({lang})")
                        result = Model.with_context(lang=lang).load(
                            [".id", name], [[str(record.id), PAYLOAD]]
                        )
                        self.assertEqual(result["ids"], record.ids, result["messages"])
                        self._assertStoredInert(record, name, f"load ({lang})")
                    created = Model.create(
                        dict(record.copy_data()[0], **{name: PAYLOAD})
                    )
                    self._assertStoredInert(created, name, "create")
                    copied = record.copy({name: PAYLOAD})
                    self._assertStoredInert(copied, name, "copy")
                    if not field.translate:
                        continue
                    record.update_field_translations(
                        name, {"fr_FR": PAYLOAD, "en_US": PAYLOAD}
                    )
                    self._assertStoredInert(record, name, "update_field_translations")
                    self._import_translation(record, name, PAYLOAD)
                    self._assertStoredInert(record, name, "translation import")
                    self._assertStoredInert(record.copy(), name, "copy")

    def test_nothing_rendered_holds_a_script(self):
        html_fields = self._html_fields()
        for model, names in html_fields.items():
            record = self.records[model].with_user(self.manager)
            for name in filter(lambda n, m=model: self._writable(m, n), names):
                record.write({name: PAYLOAD})
                if record._fields[name].translate:
                    record.update_field_translations(name, {"fr_FR": PAYLOAD})
                    self._import_translation(record, name, PAYLOAD)
                else:
                    record.with_context(lang="fr_FR").write({name: PAYLOAD})
        self.draft.with_user(self.manager).action_render_document()
        self.assertIn(self.draft.name, str(self.draft.document_body))

        rendered = [*self.records.values(), self.running, self.fresh_amendment]
        self.env.flush_all()
        for record in rendered:
            names = html_fields[record._name]
            # The form: every HTML field, computed previews included.
            for lang in LANGS:
                values = self.rpc(
                    self.admin,
                    record._name,
                    "read",
                    record.ids,
                    names,
                    context={"lang": lang},
                )[0]
                for name in names:
                    self.assertInert(values[name], f"{record._name}.{name} ({lang})")
            reports = self.env["ir.actions.report"].search(
                [("model", "=", record._name), ("report_type", "like", "qweb")]
            )
            for report in reports:
                url = f"/report/html/{report.report_name}/{record.id}"
                with self.subTest(url=url):
                    self.assertNotIn(MARKER, self._page(url))
            if "access_url" in record._fields:
                url = record.access_url
                with self.subTest(url=url):
                    self.assertNotIn(MARKER, self._page(url))
        # The French text imported last, sanitised, opens the preview.
        preview = str(self.fresh_amendment.document_preview)
        self.assertIn("Safe text", preview)
        self.assertIn(self.running.name, preview)
