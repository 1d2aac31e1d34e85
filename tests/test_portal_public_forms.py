"""Every field of the public and portal forms is in the page, is sent and is
stored, over HTTP, the way a browser fills the form.

The form is read from the HTML page (lxml): the data sent is the form's own
values (hidden fields, selected options, text areas) with what the person
types into its fields; a field missing from the HTML cannot be typed into.
The portal signatures (a widget, not a form) are tested elsewhere.
"""

import re
from datetime import date, timedelta
from pathlib import Path

from lxml import etree, html

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged

from ..models.service_lifecycle_guard import lifecycle_write
from .common import create_contract, small_png

MODULE = Path(__file__).resolve().parent.parent

# Every form the module's web pages show, by the address it posts to.
FORMS = {
    "/contract/terminate/summary",
    "/contract/terminate/confirm",
    "/my/breakdown/submit",
    "/my/interventions/#{visit.id}/confirm",
    "/my/interventions/#{visit.id}/reschedule",
}
TERMINATION_FIELDS = {"name", "email", "street", "zip", "reference", "date", "reason"}


@tagged("post_install", "-at_install")
class TestPublicForms(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = cls.env.company._service_today()
        cls.today = today
        cls.env["ir.config_parameter"].sudo().set_param(
            "service_contract.termination_max_attempts", "50"
        )
        Partner = cls.env["res.partner"]
        cls.consumer = Partner.create(
            {
                "name": "SC Forms Consumer",
                "email": "sc.forms.consumer@example.com",
                "street": "4 rue des Formes",
                "zip": "73000",
                "lang": "en_US",
            }
        )
        cls.customer = Partner.create({"name": "SC Forms Company", "is_company": True})
        cls.site, cls.nameless_site = Partner.create(
            [
                {
                    "name": "SC Forms Boiler Room",
                    "type": "site",
                    "parent_id": cls.customer.id,
                },
                # A site known by its address only.
                {
                    "type": "site",
                    "parent_id": cls.customer.id,
                    "street": "9 impasse Sans Nom",
                },
            ]
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="sc_forms_portal",
            password="sc_forms_portal",
            groups="base.group_portal",
            parent_id=cls.customer.id,
        )
        responsible = new_test_user(
            cls.env,
            login="sc_forms_responsible",
            groups="base.group_user,service_contract.group_service_contract_user",
        )

        def running(partner, **values):
            return create_contract(
                cls.env,
                partner,
                sign=True,
                **{
                    "date_start": today - timedelta(days=30),
                    "duration": 1,
                    "duration_unit": "year",
                    "renewal_type": "tacit",
                    "renewal_duration": 1,
                    "renewal_unit": "year",
                    "notice_period": 1,
                    "notice_unit": "month",
                    "user_id": responsible.id,
                    "line_ids": [Command.create({"name": "Cover", "price_unit": 50})],
                    **values,
                },
            )

        cls.consumer_contract = running(cls.consumer)
        with lifecycle_write():
            cls.consumer_contract.chatel_terminable = True
        cls.site_contract = running(
            cls.customer,
            site_ids=[Command.set((cls.site | cls.nameless_site).ids)],
            response_time_hours=4,
        )
        cls.boiler = cls.env["service.equipment"].create(
            {
                "name": "SC Forms Boiler",
                "partner_id": cls.customer.id,
                "site_id": cls.site.id,
            }
        )

    # ------------------------------------------------------------------
    # Helpers: forms as a browser reads and sends them
    # ------------------------------------------------------------------

    def _form(self, response, action):
        """The one form of the page that posts to ``action``."""
        self.assertEqual(response.status_code, 200, response.text[:500])
        forms = html.fromstring(response.content).xpath(
            "//form[@action=$action]", action=action
        )
        self.assertEqual(len(forms), 1, f"one form posting to {action}")
        return forms[0]

    def _field_names(self, form):
        return {
            element.get("name")
            for element in form.xpath(".//input | .//textarea | .//select")
            if element.get("name")
        }

    def _submit(self, form, expected, typed=None, files=None):
        """Post ``form`` as a browser does, once checked that each
        ``expected`` field is in it: its own values, with ``typed`` typed
        into its fields (each of them in the form) and ``files`` chosen."""
        names = self._field_names(form)
        self.assertEqual(set(expected) - names, set(), "fields missing from the form")
        typed = typed or {}
        self.assertEqual(set(typed) - names, set(), "typed into no field")
        self.assertEqual({name for name, _file in files or ()} - names, set())
        data = dict(form.form_values())
        data.update(typed)
        self.env.flush_all()
        response = self.url_open(form.get("action"), data=data, files=files)
        self.env.invalidate_all()
        return response

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------

    def test_every_form_of_the_module_is_tested_here(self):
        actions = set()
        for path in sorted(MODULE.glob("views/*_templates.xml")):
            for form in etree.parse(str(path)).iter("form"):
                actions.add(
                    form.get("action")
                    or form.get("t-att-action")
                    or form.get("t-attf-action")
                )
        self.assertEqual(actions, FORMS)

    def test_online_termination_form(self):
        contract = self.consumer_contract
        typed = {
            "name": "SC Forms Consumer",
            "email": "sc.forms.consumer@example.com",
            "street": "4 rue des Formes",
            "zip": "73000",
            "reference": contract.name,
            "date": (self.today + timedelta(days=10)).isoformat(),
            "reason": "Moving out of the region",
        }
        # The empty form: every field, the reason's text area included.
        page = self.url_open("/contract/terminate")
        form = self._form(page, "/contract/terminate/summary")
        textarea = form.xpath(".//textarea[@name='reason']")
        self.assertEqual(len(textarea), 1, "the reason's text area is shown")
        self.assertEqual(textarea[0].get("id"), "o_termination_reason")
        self.assertEqual(
            form.xpath(".//label[@for='o_termination_reason']")[0].text, "Reason"
        )
        expected = TERMINATION_FIELDS | {"csrf_token", "homepage"}
        summary = self._submit(form, expected, typed)
        self.assertIn("Please check your request", summary.text)
        # Modify: the form again, filled in with what was typed.
        modify = self._submit(
            self._form(summary, "/contract/terminate/summary"),
            TERMINATION_FIELDS | {"csrf_token", "edit"},
        )
        form = self._form(modify, "/contract/terminate/summary")
        self.assertEqual(
            {name: value for name, value in form.form_values() if name in typed},
            typed,
        )
        # Continue, then confirm.
        summary = self._submit(form, expected)
        done = self._submit(
            self._form(summary, "/contract/terminate/confirm"),
            TERMINATION_FIELDS | {"csrf_token"},
        )
        self.assertIn("o_online_termination_done", done.text)
        request = self.env["service.contract.termination.request"].search(
            [("contract_id", "=", contract.id)]
        )
        self.assertRecordValues(
            request,
            [
                {
                    "requester_name": typed["name"],
                    "email": typed["email"],
                    "street": typed["street"],
                    "zip": typed["zip"],
                    "date_requested": date.fromisoformat(typed["date"]),
                    "reason": typed["reason"],
                    "end_rule": "chatel",
                }
            ],
        )
        self.assertEqual(contract.termination_reason, typed["reason"])

    def test_online_termination_form_keeps_its_values_on_errors(self):
        form = self._form(
            self.url_open("/contract/terminate"), "/contract/terminate/summary"
        )
        typed = {"name": "", "reason": "Deceased <b>owner</b>", "date": ""}
        again = self._submit(form, TERMINATION_FIELDS, typed)
        self.assertIn("Enter your name.", again.text)
        form = self._form(again, "/contract/terminate/summary")
        self.assertEqual(
            form.xpath(".//textarea[@name='reason']")[0].text, typed["reason"]
        )

    def test_breakdown_form(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        page = self.url_open("/my/breakdown")
        form = self._form(page, "/my/breakdown/submit")
        for name in ("site_id", "equipment_id"):
            self.assertEqual(len(form.xpath(f".//select[@name='{name}']")), 1)
        options = form.xpath(".//select[@name='site_id']/option")
        self.assertCountEqual(
            [(option.get("value"), option.text) for option in options[1:]],
            [
                (str(self.site.id), "SC Forms Boiler Room"),
                (str(self.nameless_site.id), "9 impasse Sans Nom"),
            ],
            "every site of the contract, a nameless one too",
        )
        self.assertEqual(len(form.xpath(".//textarea[@name='description']")), 1)
        typed = {
            "site_id": str(self.site.id),
            "equipment_id": str(self.boiler.id),
            "description": "Error E42 on the boiler since this morning",
        }
        response = self._submit(
            form,
            {"csrf_token", "site_id", "equipment_id", "description", "photos"},
            typed,
            files=[("photos", ("e42.png", small_png("blue"), "image/png"))],
        )
        self.assertIn('id="breakdown_done"', response.text)
        breakdown = self.env["service.intervention"].search(
            [("contract_id", "=", self.site_contract.id), ("kind", "=", "corrective")]
        )
        self.assertEqual(len(breakdown), 1)
        self.assertEqual(breakdown.site_id, self.site)
        self.assertEqual(breakdown.equipment_ids, self.boiler)
        self.assertEqual(breakdown.description, typed["description"])
        photos = self.env["ir.attachment"].search(
            [("res_model", "=", "service.intervention"), ("res_id", "=", breakdown.id)]
        )
        self.assertEqual(photos.mapped("name"), ["e42.png"])
        self.assertTrue(re.search(re.escape(breakdown.name), response.text))

    def test_visit_appointment_forms(self):
        technician = new_test_user(
            self.env,
            login="sc_forms_technician",
            groups="base.group_user,service_contract.group_service_contract_technician",
        )
        start = fields.Datetime.to_datetime(self.today + timedelta(days=7))
        visit = self.env["service.intervention"].create(
            {
                "contract_id": self.site_contract.id,
                "site_id": self.site.id,
                "date_due": start.date(),
                "user_id": technician.id,
                "date_planned_start": start.replace(hour=8),
            }
        )
        visit.action_plan()
        self.authenticate(self.portal_user.login, self.portal_user.login)
        url = f"/my/interventions/{visit.id}"
        form = self._form(self.url_open(url), f"{url}/confirm")
        response = self._submit(form, {"csrf_token"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(visit.appointment_state, "confirmed")
        # Confirmed: the page still offers another date, with a note.
        form = self._form(self.url_open(url), f"{url}/reschedule")
        typed = {"note": "Only on Thursday mornings"}
        response = self._submit(form, {"csrf_token", "note"}, typed)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(visit.state, "to_plan")
        self.assertEqual(visit.appointment_state, "reschedule_requested")
        self.assertEqual(visit.reschedule_note, typed["note"])

    def test_breakdown_form_keeps_its_values_on_errors(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        form = self._form(self.url_open("/my/breakdown"), "/my/breakdown/submit")
        typed = {"site_id": "", "description": "Leak <i>under</i> the boiler"}
        again = self._submit(form, {"site_id", "description"}, typed)
        self.assertIn('id="breakdown_errors"', again.text)
        form = self._form(again, "/my/breakdown/submit")
        self.assertEqual(
            form.xpath(".//textarea[@name='description']")[0].text,
            typed["description"],
        )
