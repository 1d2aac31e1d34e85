from datetime import date, datetime

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from .common import InvoicingCase, ServiceContractCase, signature_png

_PIXEL = signature_png()
REFUSED = (
    "can only be changed|no longer change|cannot change|cannot be changed|"
    "only record the execution"
)


class IntegrityMixin:
    def assertWriteRefused(self, records, vals, regex=REFUSED):
        """Writing ``vals`` on ``records`` raises a UserError and changes
        nothing."""
        names = [name for name in vals if records._fields[name].type != "one2many"]
        before = records.read(names) if names else []
        self.assertRefused(UserError, regex, records.write, vals)
        if names:
            self.assertEqual(records.read(names), before)


@tagged("post_install", "-at_install")
class TestContractIntegrity(IntegrityMixin, ServiceContractCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env,
            login="sc_integrity_user",
            groups="base.group_user,service_contract.group_service_contract_user",
        )
        cls.manager = new_test_user(
            cls.env,
            login="sc_integrity_manager",
            groups="base.group_user,service_contract.group_service_contract_manager",
        )
        cls.portal_user = new_test_user(
            cls.env, login="sc_integrity_portal", groups="base.group_portal"
        )
        cls.other_currency = cls.env.ref("base.USD")
        if cls.other_currency == cls.company.currency_id:
            cls.other_currency = cls.env.ref("base.EUR")
        cls.other_currency.active = True
        cls.other_company = cls.env["res.company"].create({"name": "Other Co"})

    def test_state_changes_only_through_the_actions(self):
        for user in (self.user, self.manager):
            contract = self._create_contract().with_user(user)
            self.assertWriteRefused(contract, {"state": "running"})
            self.assertWriteRefused(contract, {"state": "closed"})
            self.assertEqual(contract.state, "draft")
            # sudo is no way around it either.
            self.assertWriteRefused(contract.sudo(), {"state": "running"})
            # Honest path: the buttons.
            contract.action_to_sign()
            self.assertEqual(contract.state, "to_sign")
            contract.action_sign()
            self.assertEqual(contract.state, "running")
            self.assertWriteRefused(contract, {"state": "draft"})
            self.assertEqual(contract.state, "running")

    def test_contracts_are_not_created_signed(self):
        Contract = self.env["service.contract"].with_user(self.user)
        vals = {"partner_id": self.customer.id, "template_id": self.template.id}
        for extra in (
            {"state": "running"},
            {"notice_date": date(2025, 1, 1)},
            {"signed_by": "Forged", "signature": _PIXEL},
        ):
            self.assertRefused(
                UserError, "not at creation", Contract.create, vals | extra
            )
        # Not through a default of the context either.
        self.assertRefused(
            UserError,
            "not at creation",
            Contract.with_context(default_state="running").create,
            vals,
        )
        self.assertFalse(Contract.search([("partner_id", "=", self.customer.id)]))
        # Honest path: a draft, as the form sends it.
        contract = Contract.create(vals | {"state": "draft"})
        self.assertEqual(contract.state, "draft")

    def test_signed_agreement_is_frozen(self):
        other_template = self.template.copy({"name": "Other"})
        attacks = [
            {"document_body": "<p>Other text</p>"},
            {"date_start": date(2023, 1, 1)},
            {"date_signed": date(2023, 1, 1)},
            {"company_id": self.other_company.id},
            {"currency_id": self.other_currency.id},
            {"partner_id": self.site_a.id},
            {"template_id": other_template.id},
            {"duration": 5},
            {"renewal_type": "none"},
            {"notice_period": 0},
            {"invoicing_frequency": "year"},
            {"line_ids": [Command.create({"name": "Extra", "price_unit": 1.0})]},
        ]
        contract = self._create_running_contract()
        for user in (self.user, self.manager):
            signed = contract.with_user(user)
            for vals in attacks:
                with self.subTest(user=user.login, vals=vals):
                    self.assertWriteRefused(signed, vals)
        self.assertEqual(contract.date_start, date(2024, 3, 1))
        self.assertEqual(contract.duration, 2)
        self.assertEqual(len(contract.line_ids), 2)
        # The lines themselves: no change, addition nor removal.
        line = contract.line_ids[0].with_user(self.user)
        self.assertRefused(UserError, "signed contract", line.write, {"price_unit": 1})
        self.assertRefused(UserError, "signed contract", line.unlink)
        self.assertRefused(
            UserError,
            "signed contract",
            line.create,
            {"contract_id": contract.id, "name": "Extra", "price_unit": 1.0},
        )
        self.assertEqual(contract.line_ids[0].price_unit, 180.0)
        self.assertEqual(contract.amount_untaxed, 420.0)
        # Honest path: what is not part of the agreement still changes...
        contract.with_user(self.user).write(
            {
                "title": "Boilers, building A",
                "user_id": self.manager.id,
                "site_ids": [Command.set(self.site_a.ids)],
                "note": "<p>Keys at the caretaker's.</p>",
            }
        )
        self.assertEqual(contract.title, "Boilers, building A")
        # ... and a draft is freely edited.
        draft = self._create_contract().with_user(self.user)
        draft.write({"date_start": date(2025, 1, 1), "duration": 3})
        draft.line_ids[0].price_unit = 200.0
        self.assertEqual(draft.amount_untaxed, 460.0)

    def test_signature_and_document_only_through_the_actions(self):
        contract = self._create_contract()
        contract.action_to_sign()
        signed = contract.with_user(self.user)
        for vals in (
            {"signed_by": "Forged"},
            {"signature": _PIXEL},
            {"document_frozen": True},
        ):
            self.assertWriteRefused(signed, vals)
        self.assertFalse(contract.signed_by)
        # Honest path: back to draft, then signed.
        signed.action_draft()
        signed.action_sign()
        self.assertEqual(contract.state, "running")
        self.assertTrue(contract.document_frozen)

    def test_notice_termination_and_renewals_only_through_the_actions(self):
        contract = self._create_running_contract()
        for vals in (
            {"notice_date": date(2025, 1, 1), "notice_by": "customer"},
            {"date_termination": date(2025, 1, 1)},
            {"renewal_count": 3},
            {"date_term_start": date(2026, 3, 1)},
            {"date_closed": date(2025, 1, 1), "close_reason": "expired"},
            {"chatel_reminder_date": date(2025, 11, 1)},
            {"chatel_terminable": True},
        ):
            with self.subTest(vals=vals):
                self.assertWriteRefused(contract.with_user(self.manager), vals)
        self.assertFalse(contract.notice_date)
        # Honest path: the notice wizard's method.
        # (dated before today: a back-dated notice is a manager's).
        contract.with_user(self.manager)._register_notice(
            date(2025, 11, 1), "customer", "Moving out"
        )
        self.assertEqual(contract.notice_date, date(2025, 11, 1))

    def test_portal_user_writes_nothing(self):
        contract = self._create_running_contract()
        with self.assertRaises(AccessError):
            contract.with_user(self.portal_user).write({"state": "closed"})
        self.assertEqual(contract.state, "running")

    def _forged_value(self, record, name):
        """Another value than ``record``'s for the field ``name``."""
        field = record._fields[name]
        current = record[name]
        if field.type == "selection":
            values = [key for key, _ in field._description_selection(self.env)]
            return next(value for value in values if value != current)
        if field.type == "many2one":
            other = (
                self.env[field.comodel_name]
                .sudo()
                .search([("id", "!=", current.id)], limit=1)
            )
            return other.id
        if field.type in ("one2many", "many2many"):
            return [Command.clear()]
        if field.type == "boolean":
            return not current
        if field.type in ("integer", "float", "monetary"):
            return (current or 0) + 1
        return {
            "date": date(2025, 1, 1),
            "datetime": datetime(2025, 1, 1, 8, 0),
            "json": {"forged": True},
            "binary": _PIXEL,
            "image": _PIXEL,
            "html": "<p>Forged</p>",
        }.get(field.type, "Forged")

    def test_every_guarded_field_is_refused_outside_the_actions(self):
        """Each field a concern adds to the hooks, from any file, is guarded:
        a contract manager writing it directly is refused, whatever the state
        (action and create-only fields) or once signed (frozen fields)."""
        Contract = self.env["service.contract"]
        draft = self._create_contract()
        running = self._create_running_contract()
        cases = [
            (contract, name)
            for name in (
                *Contract._get_action_fields(),
                *Contract._get_create_only_fields(),
            )
            for contract in (draft, running)
        ] + [(running, name) for name in Contract._get_frozen_fields()]
        for contract, name in cases:
            with self.subTest(field=name, state=contract.state):
                vals = {name: self._forged_value(contract, name)}
                self.assertWriteRefused(contract.with_user(self.manager), vals)


@tagged("post_install", "-at_install")
class TestLifecycleActions(TransactionCase):
    """The permission to write guarded fields does not depend on the order
    of the files: every definition of an action, overrides included, in
    whichever file, is decorated ``@lifecycle_action``."""

    def test_every_definition_of_an_action_is_decorated(self):
        guarded = self.env.registry["service.lifecycle.guard"]._inherit_children
        self.assertLessEqual(
            {
                "service.contract",
                "service.contract.amendment",
                "service.contract.period",
                "service.intervention",
            },
            set(guarded),
        )
        for model_name in guarded:
            model = self.env[model_name]
            for name in model._get_lifecycle_actions():
                definitions = [cls for cls in type(model).__mro__ if name in vars(cls)]
                self.assertTrue(definitions, f"{model_name}.{name} is not defined")
                for cls in definitions:
                    with self.subTest(model=model_name, action=name):
                        self.assertTrue(
                            getattr(vars(cls)[name], "_lifecycle_action", False),
                            f"{cls.__module__}: {model_name}.{name} is not "
                            "decorated @lifecycle_action",
                        )


@tagged("post_install", "-at_install")
class TestPeriodIntegrity(IntegrityMixin, InvoicingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company_data["company"]
        cls.user = new_test_user(
            cls.env,
            login="sc_integrity_period_user",
            groups="base.group_user,service_contract.group_service_contract_user",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        cls.manager = new_test_user(
            cls.env,
            login="sc_integrity_period_manager",
            groups="base.group_user,service_contract.group_service_contract_manager",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

    def test_invoiced_periods_are_immutable(self):
        contract = self._contract()
        other = self._contract(start=date(2026, 3, 1))
        self._invoice(date(2026, 1, 20))
        invoiced, to_invoice = contract.period_ids[:2]
        self.assertEqual(invoiced.state, "invoiced")
        attacks = [
            {"amount": 1.0},
            {"invoice_date": date(2026, 6, 1)},
            {"date_from": date(2026, 1, 1)},
            {"date_to": date(2026, 12, 31)},
            {"move_id": False},
            {"move_id": self.init_invoice("out_invoice", amounts=[10.0]).id},
            {"contract_id": other.id},
            {"state": "to_invoice"},
            {"is_cancelled": True},
        ]
        for user in (self.user, self.manager):
            for vals in attacks:
                with self.subTest(user=user.login, vals=vals):
                    self.assertWriteRefused(invoiced.with_user(user), vals)
        self.assertEqual(invoiced.state, "invoiced")
        self.assertEqual(invoiced.contract_id, contract)
        # The schedule's structure is fixed on the periods still to invoice.
        for vals in ({"move_id": invoiced.move_id.id}, {"date_to": date(2027, 1, 1)}):
            self.assertWriteRefused(to_invoice.with_user(self.user), vals)
        # Honest path: a period still to invoice is adjusted...
        to_invoice.with_user(self.user).write(
            {"amount": 250.0, "invoice_date": date(2026, 2, 3)}
        )
        self.assertEqual(to_invoice.amount, 250.0)
        # ... and deleting a draft invoice gives its periods back.
        move = invoiced.move_id
        move.unlink()
        self.assertEqual(invoiced.state, "to_invoice")

    def test_periods_are_not_created_invoiced(self):
        contract = self._contract()
        move = self.init_invoice("out_invoice", amounts=[10.0])
        Period = self.env["service.contract.period"].with_user(self.manager)
        self.assertRefused(
            UserError,
            "not at creation",
            Period.create,
            {
                "contract_id": contract.id,
                "date_from": date(2030, 1, 1),
                "date_to": date(2030, 1, 31),
                "invoice_date": date(2030, 1, 1),
                "amount": 10.0,
                "move_id": move.id,
            },
        )
        self.assertFalse(move.service_contract_period_ids)


@tagged("post_install", "-at_install")
class TestInterventionIntegrity(IntegrityMixin, ServiceContractCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.technician = new_test_user(
            cls.env,
            login="sc_integrity_technician",
            groups="base.group_user,service_contract.group_service_contract_technician",
        )
        cls.user = new_test_user(
            cls.env,
            login="sc_integrity_visit_user",
            groups="base.group_user,service_contract.group_service_contract_user",
        )
        cls.contract = cls._create_running_contract(
            site_ids=[Command.set(cls.site_a.ids)]
        )
        cls.other_contract = cls._create_running_contract(
            partner_id=cls.env["res.partner"].create({"name": "Other customer"}).id
        )
        cls.visit = cls.env["service.intervention"].create(
            {
                "contract_id": cls.contract.id,
                "date_due": date(2027, 2, 1),
                "description": "Leak in the boiler room",
                "user_id": cls.technician.id,
            }
        )

    def test_technician_cannot_skip_the_visit_steps(self):
        visit = self.visit.with_user(self.technician)
        for vals in (
            {"state": "done"},
            {"date_done": datetime(2027, 2, 1, 10, 0)},
            {"contract_id": self.other_contract.id},
            {"partner_id": self.other_contract.partner_id.id},
            {"is_covered": False},
            {"site_id": self.site_a.id},
            {"user_id": self.user.id},
            {"date_due": date(2027, 6, 1)},
        ):
            with self.subTest(vals=vals):
                self.assertWriteRefused(visit, vals)
        self.assertEqual(self.visit.state, "to_plan")
        self.assertEqual(self.visit.contract_id, self.contract)

    def test_technician_carries_out_their_visit(self):
        visit = self.visit.with_user(self.technician)
        # Dropped in the calendar: planned.
        visit.write(
            {"duration_expected": 2.0, "date_calendar": datetime(2027, 2, 1, 9, 0)}
        )
        self.assertEqual(self.visit.state, "planned")
        self.assertEqual(self.visit.date_planned_end, datetime(2027, 2, 1, 11, 0))
        visit.write({"user_id": self.technician.id})
        visit.action_plan()
        visit.action_start()
        visit.write(
            {
                "report": "<p>Gasket replaced.</p>",
                "signed_by": "Anne Signer",
                "signature": _PIXEL,
            }
        )
        visit.action_done()
        self.assertEqual(self.visit.state, "done")
        self.assertTrue(self.visit.date_done)
        # What was done is kept as it was, for the technician and the office.
        for user in (self.technician, self.user):
            for vals in ({"report": "<p>Nothing</p>"}, {"signed_by": "Someone"}):
                self.assertWriteRefused(self.visit.with_user(user), vals)
        self.assertEqual(self.visit.signed_by, "Anne Signer")

    def test_visit_stays_on_its_contract(self):
        visit = self.visit.with_user(self.user)
        self.assertWriteRefused(visit, {"contract_id": self.other_contract.id})
        self.assertWriteRefused(visit, {"state": "done"})
        self.assertRefused(
            UserError,
            "not at creation",
            self.env["service.intervention"].with_user(self.user).create,
            {
                "contract_id": self.contract.id,
                "date_due": date(2027, 2, 1),
                "state": "done",
            },
        )
        # Honest path: the office reschedules and reassigns.
        visit.write({"user_id": False, "date_due": date(2027, 3, 1)})
        self.assertEqual(self.visit.date_due, date(2027, 3, 1))
        visit.action_cancel()
        self.assertEqual(self.visit.state, "cancel")
