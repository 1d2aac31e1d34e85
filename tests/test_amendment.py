from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import RefusalMixin, create_contract

TODAY = "2026-06-10"
EFFECTIVE = date(2026, 6, 16)


class AmendmentCase(RefusalMixin, AccountTestInvoicingCommon):
    """A monthly contract at 300.00 billed in advance, from 2026-01-01 for a
    year, at a site with a monthly visit plan per site."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id += cls.env.ref(
            "service_contract.group_service_contract_manager"
        )
        cls.env.user.tz = "UTC"
        cls.company.partner_id.tz = "UTC"
        cls.service = cls._create_product(
            name="Boiler maintenance", type="service", lst_price=300.0
        )
        cls.cover = cls._create_product(
            name="Breakdown cover", type="service", lst_price=100.0
        )
        cls.customer = cls.partner_a
        cls.site_a, cls.site_b = cls.env["res.partner"].create(
            [
                {"name": "AV Site A", "type": "site", "parent_id": cls.customer.id},
                {"name": "AV Site B", "type": "site", "parent_id": cls.customer.id},
            ]
        )
        cls.template = cls.env["service.contract.template"].create(
            {
                "name": "Amendable maintenance",
                "duration": 1,
                "duration_unit": "year",
                "renewal_type": "tacit",
                "renewal_duration": 1,
                "renewal_unit": "year",
                "notice_period": 1,
                "notice_unit": "month",
                "invoicing_frequency": "month",
                "invoicing_mode": "advance",
                "line_ids": [Command.create({"product_id": cls.service.id})],
            }
        )

    def _contract(self, lines=None, sign=True, **values):
        return create_contract(
            self.env,
            self.customer,
            template=self.template,
            lines=lines,
            sign=sign,
            sign_date=date(2026, 1, 1),
            **{
                "date_start": date(2026, 1, 1),
                "site_ids": [Command.set(self.site_a.ids)],
                **values,
            },
        )

    def _invoice(self, today):
        return self.env["service.contract"]._cron_create_invoices(today=today)

    def _period(self, contract, date_from):
        return contract.period_ids.filtered(lambda p: p.date_from == date_from)

    def _amend(self, contract, price=None, date_effective=EFFECTIVE, **values):
        action = contract.action_amend()
        amendment = self.env["service.contract.amendment"].browse(action["res_id"])
        vals = {"date_effective": date_effective, **values}
        amendment.write(vals)
        if price is not None:
            amendment.line_ids[:1].price_unit = price
        return amendment


@tagged("post_install", "-at_install")
class TestAmendmentFigures(AmendmentCase):
    """The acceptance figures: 300.00 a month, 400.00 from 2026-06-16."""

    @freeze_time(TODAY)
    def test_june_not_invoiced_is_prorated(self):
        contract = self._contract()
        self._invoice(date(2026, 5, 1))
        amendment = self._amend(contract, price=400.0)
        self.assertEqual(amendment.state, "draft")
        self.assertEqual(amendment.line_ids.contract_line_id, contract.line_ids)
        amendment.action_sign()
        self.assertEqual(amendment.state, "done")
        self.assertEqual(contract.line_ids.price_unit, 400.0)
        # 15 days at 300.00 and 15 at 400.00 out of 30.
        self.assertEqual(self._period(contract, date(2026, 6, 1)).amount, 350.0)
        self.assertEqual(self._period(contract, date(2026, 5, 1)).amount, 300.0)
        later = contract.period_ids.filtered(lambda p: p.date_from > EFFECTIVE)
        self.assertEqual(set(later.mapped("amount")), {400.0})
        self.assertEqual(amendment.catch_up_amount, 0.0)
        self._invoice(date(2026, 6, 1))
        june = self._period(contract, date(2026, 6, 1)).move_id
        self.assertEqual(june.amount_untaxed, 350.0)

    @freeze_time(TODAY)
    def test_june_invoiced_adjustment_on_july_invoice(self):
        contract = self._contract()
        self._invoice(date(2026, 6, 1))
        self.assertEqual(self._period(contract, date(2026, 6, 1)).state, "invoiced")
        amendment = self._amend(contract, price=400.0)
        amendment.action_sign()
        self.assertEqual(self._period(contract, date(2026, 6, 1)).amount, 300.0)
        self.assertEqual(amendment.catch_up_amount, 50.0)
        self._invoice(date(2026, 7, 1))
        july = self._period(contract, date(2026, 7, 1)).move_id
        adjustment = july.invoice_line_ids.filtered(
            lambda ln: ln.service_amendment_id == amendment
        )
        self.assertEqual(len(adjustment), 1)
        self.assertEqual(adjustment.price_unit, 50.0)
        self.assertIn(amendment.name, adjustment.name)
        self.assertEqual(july.amount_untaxed, 450.0)
        self.assertEqual(amendment.move_id, july)
        # Once only.
        self._invoice(date(2026, 8, 1))
        august = self._period(contract, date(2026, 8, 1)).move_id
        self.assertEqual(august.amount_untaxed, 400.0)
        self.assertFalse(
            august.invoice_line_ids.filtered("service_amendment_id"),
        )

    @freeze_time(TODAY)
    def test_negative_amendment_gives_a_credit_line(self):
        contract = self._contract()
        self._invoice(date(2026, 6, 1))
        amendment = self._amend(contract, price=200.0)
        amendment.action_sign()
        self.assertEqual(amendment.catch_up_amount, -50.0)
        self._invoice(date(2026, 7, 1))
        july = self._period(contract, date(2026, 7, 1)).move_id
        credit = july.invoice_line_ids.filtered(
            lambda ln: ln.service_amendment_id == amendment
        )
        self.assertEqual(credit.price_unit, -50.0)
        self.assertIn(amendment.name, credit.name)
        self.assertEqual(july.amount_untaxed, 150.0)

    @freeze_time(TODAY)
    def test_added_site_with_its_own_plan_visits_from_the_effective_date(self):
        contract = self._contract(
            visit_plan_ids=[
                Command.create(
                    {"name": "Monthly check", "count_per_year": 12, "per_site": True}
                )
            ]
        )
        contract._generate_interventions(date(2026, 6, 10))
        self.assertFalse(
            contract.intervention_ids.filtered(lambda i: i.site_id == self.site_b)
        )
        amendment = self._amend(contract, site_add_ids=[Command.link(self.site_b.id)])
        amendment.write(
            {
                "plan_ids": [
                    Command.create(
                        {
                            "name": "Site B boiler check",
                            "count_per_year": 4,
                            "site_id": self.site_b.id,
                        }
                    )
                ]
            }
        )
        new_plan = amendment.plan_ids
        self.assertEqual(new_plan.contract_id, contract)
        self.assertNotIn(new_plan, contract.visit_plan_ids, "not signed yet")
        amendment.action_sign()
        self.assertIn(self.site_b, contract.site_ids)
        self.assertIn(new_plan, contract.visit_plan_ids)
        visits_b = contract.intervention_ids.filtered(
            lambda i: i.site_id == self.site_b
        )
        own = visits_b.filtered(lambda i: i.plan_id == new_plan)
        self.assertEqual(own.mapped("date_due"), [EFFECTIVE])
        self.assertTrue(visits_b)
        self.assertGreaterEqual(min(visits_b.mapped("date_due")), EFFECTIVE)
        # Site A keeps its visits; the new plan never visits it.
        self.assertFalse(
            contract.intervention_ids.filtered(
                lambda i: i.plan_id == new_plan and i.site_id == self.site_a
            )
        )

    @freeze_time(TODAY)
    def test_removed_site_and_ended_plan_cancel_open_visits_only(self):
        plan_vals = {"name": "Monthly check", "count_per_year": 12, "per_site": True}
        contract = self._contract(
            site_ids=[Command.set((self.site_a | self.site_b).ids)],
            visit_plan_ids=[Command.create(plan_vals)],
        )
        contract._generate_interventions(date(2026, 6, 10))
        done = contract.intervention_ids.filtered(
            lambda i: i.site_id == self.site_b and i.date_due == date(2026, 7, 1)
        )
        done.report = "<p>Burner cleaned.</p>"
        done.action_done()
        amendment = self._amend(
            contract, site_remove_ids=[Command.link(self.site_b.id)]
        )
        amendment.action_sign()
        self.assertNotIn(self.site_b, contract.site_ids)
        visits_b = contract.intervention_ids.filtered(
            lambda i: i.site_id == self.site_b and i.date_due >= EFFECTIVE
        )
        self.assertEqual(done.state, "done")
        self.assertEqual(set((visits_b - done).mapped("state")), {"cancel"})

    @freeze_time(TODAY)
    def test_ended_plan_stops_its_visits_from_the_date(self):
        contract = self._contract(
            visit_plan_ids=[
                Command.create({"name": "Monthly check", "count_per_year": 12}),
                Command.create({"name": "Yearly audit", "count_per_year": 1}),
            ]
        )
        monthly = contract.visit_plan_ids.filtered(lambda p: p.count_per_year == 12)
        contract._generate_interventions(date(2026, 6, 10))
        june = contract.intervention_ids.filtered(
            lambda i: i.plan_id == monthly and i.date_due == date(2026, 6, 1)
        )
        june.report = "<p>Checked.</p>"
        june.action_done()
        amendment = self._amend(contract, plan_end_ids=[Command.link(monthly.id)])
        amendment.action_sign()
        self.assertEqual(monthly.date_to, date(2026, 6, 15))
        later = contract.intervention_ids.filtered(
            lambda i: i.plan_id == monthly and i.date_due >= EFFECTIVE
        )
        self.assertTrue(later)
        self.assertEqual(set(later.mapped("state")), {"cancel"})
        self.assertEqual(june.state, "done")
        # Regenerating does not bring them back.
        self.assertFalse(
            contract._generate_interventions(date(2026, 9, 1)).filtered(
                lambda i: i.plan_id == monthly
            )
        )

    @freeze_time(TODAY)
    def test_template_text_with_contract_placeholders(self):
        self.template.amendment_body = (
            '<p>Amendment to <t t-out="object.name"/> for '
            '<t t-out="object.partner_id.name"/>.</p>'
        )
        contract = self._contract()
        amendment = self._amend(contract, price=400.0)
        amendment.action_to_sign()
        body = str(amendment.document_body)
        self.assertIn(f"Amendment to {contract.name} for {self.customer.name}.", body)
        self.assertIn("400.00", body)
        with self.assertRaises(ValidationError):
            self.template.amendment_body = '<p t-out="object.env.user.password"/>'

    @freeze_time(TODAY)
    def test_removed_service_stops_billing_from_the_date(self):
        contract = self._contract(
            lines=[
                Command.create({"product_id": self.service.id}),
                Command.create({"product_id": self.cover.id}),
            ]
        )
        self.assertEqual(contract.amount_untaxed, 400.0)
        self._invoice(date(2026, 6, 1))
        amendment = self._amend(contract, date_effective=date(2026, 7, 1))
        amendment.line_ids.filtered(
            lambda ln: ln.product_id == self.cover
        ).remove = True
        amendment.action_sign()
        self.assertEqual(contract.line_ids.product_id, self.service)
        self.assertEqual(self._period(contract, date(2026, 6, 1)).amount, 400.0)
        self.assertEqual(self._period(contract, date(2026, 7, 1)).amount, 300.0)
        self.assertEqual(amendment.catch_up_amount, 0.0)
        self._invoice(date(2026, 7, 1))
        july = self._period(contract, date(2026, 7, 1)).move_id
        self.assertEqual(july.amount_untaxed, 300.0)
        self.assertNotIn(self.cover, july.invoice_line_ids.product_id)

    @freeze_time(TODAY)
    def test_new_service_and_document(self):
        contract = self._contract()
        amendment = self._amend(contract)
        amendment.write(
            {
                "line_ids": [
                    Command.create({"product_id": self.cover.id, "price_unit": 90.0})
                ]
            }
        )
        self.assertEqual(amendment.amount_before, 300.0)
        self.assertEqual(amendment.amount_after, 390.0)
        amendment.action_to_sign()
        body = str(amendment.document_body)
        self.assertIn(amendment.name, body)
        self.assertIn("Breakdown cover", body)
        self.assertIn(contract.name, body)
        # Sent: frozen.
        self.assertRefused(
            UserError,
            "cannot change",
            amendment.write,
            {"date_effective": date(2026, 7, 1)},
        )
        amendment.action_sign()
        self.assertEqual(sorted(contract.line_ids.mapped("price_unit")), [90.0, 300.0])
        self.assertEqual(contract.amendment_count, 1)
        html = self.env["ir.actions.report"]._render_qweb_html(
            "service_contract.action_report_contract_amendment", amendment.ids
        )[0]
        self.assertIn(b"Breakdown cover", html)

    @freeze_time("2026-03-01")
    def test_amendment_undone_leaves_nothing_to_bill(self):
        """January to March invoiced at 300.00; 420.00 from 1 February
        signed on 10 March, then 300.00 again from 1 February signed on
        20 March: the second adjustment takes back the first one (still
        pending), April is invoiced 300.00."""
        contract = self._contract()
        self._invoice(date(2026, 3, 1))
        self.assertEqual(
            contract.period_ids.filtered(lambda p: p.state == "invoiced").mapped(
                "amount"
            ),
            [300.0, 300.0, 300.0],
        )
        february = date(2026, 2, 1)
        with freeze_time("2026-03-10"):
            rise = self._amend(contract, price=420.0, date_effective=february)
            rise.action_sign()
        self.assertEqual(rise.catch_up_amount, 240.0)
        with freeze_time("2026-03-20"):
            undo = self._amend(contract, price=300.0, date_effective=february)
            undo.action_sign()
        self.assertEqual(undo.catch_up_amount, -240.0)
        self._invoice(date(2026, 4, 1))
        april = self._period(contract, date(2026, 4, 1)).move_id
        self.assertEqual(april.amount_untaxed, 300.0)
        self.assertEqual(
            sorted(
                april.invoice_line_ids.filtered("service_amendment_id").mapped(
                    "price_unit"
                )
            ),
            [-240.0, 240.0],
        )

    @freeze_time(TODAY)
    def test_termination_in_an_amended_period_keeps_each_days_price(self):
        """June at 300.00, 400.00 from 16 June, terminated on 20 June: 15
        days at 300.00 and 5 at 400.00 out of 30, not 20 days at 400.00."""
        contract = self._contract()
        self._invoice(date(2026, 5, 1))
        self._amend(contract, price=400.0).action_sign()
        self.assertEqual(self._period(contract, date(2026, 6, 1)).amount, 350.0)
        contract._terminate(date(2026, 6, 20), "agreement", "Sold")
        june = self._period(contract, date(2026, 6, 1))
        self.assertEqual(june.date_to, date(2026, 6, 20))
        self.assertEqual(june.amount, 216.67)

    def _july_with_adjustment(self):
        """June invoiced at 300.00, 400.00 from 16 June signed, July invoiced
        and posted: 400.00 and the +50.00 adjustment."""
        contract = self._contract()
        self._invoice(date(2026, 6, 1))
        amendment = self._amend(contract, price=400.0)
        amendment.action_sign()
        self._invoice(date(2026, 7, 1))
        july = self._period(contract, date(2026, 7, 1)).move_id
        july.action_post()
        self.assertEqual(july.amount_untaxed, 450.0)
        self.assertEqual(amendment.move_id, july)
        return contract, amendment, july

    def _reversal_wizard(self, move):
        return (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"journal_id": move.journal_id.id, "date": date(2026, 7, 5)})
        )

    @freeze_time("2026-07-05")
    def test_credited_invoice_gives_its_adjustment_back(self):
        """An invoice reversed in full by a credit note gives back its
        periods and its adjustment: both go on the next invoice."""
        contract, amendment, july = self._july_with_adjustment()
        action = self._reversal_wizard(july).refund_moves()
        self.env["account.move"].browse(action["res_id"]).action_post()
        self.assertEqual(july.payment_state, "reversed")
        self._invoice(date(2026, 7, 5))
        again = self._period(contract, date(2026, 7, 1)).move_id
        self.assertNotEqual(again, july)
        self.assertEqual(again.amount_untaxed, 450.0)
        self.assertEqual(amendment.move_id, again)

    @freeze_time("2026-07-05")
    def test_new_draft_replacing_a_credited_invoice_keeps_its_adjustment(self):
        """Reverse and create a new draft: the draft carries the periods and
        the adjustment; the next invoices carry neither again."""
        contract, amendment, july = self._july_with_adjustment()
        action = self._reversal_wizard(july).modify_moves()
        draft = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(draft.amount_untaxed, 450.0)
        self.assertEqual(amendment.move_id, draft)
        self.assertEqual(
            draft.invoice_line_ids.filtered("service_amendment_id").price_unit, 50.0
        )
        self._invoice(date(2026, 8, 1))
        august = self._period(contract, date(2026, 8, 1)).move_id
        self.assertEqual(august.amount_untaxed, 400.0)


@tagged("post_install", "-at_install")
class TestAmendmentRefusals(AmendmentCase):
    @freeze_time(TODAY)
    def test_signing_twice_refused(self):
        contract = self._contract()
        amendment = self._amend(contract, price=400.0)
        amendment.action_sign()
        self.assertRefused(
            UserError, "already signed and applied", amendment.action_sign
        )
        self.assertEqual(contract.line_ids.price_unit, 400.0)
        self.assertEqual(self._period(contract, date(2026, 6, 1)).amount, 350.0)

    @freeze_time(TODAY)
    def test_cancelled_amendment_refused(self):
        contract = self._contract()
        amendment = self._amend(contract, price=400.0)
        amendment.action_cancel()
        self.assertRefused(UserError, "is cancelled", amendment.action_sign)
        self.assertEqual(contract.line_ids.price_unit, 300.0)
        self.assertEqual(amendment.state, "cancel")

    @freeze_time(TODAY)
    def test_effective_date_outside_the_term_refused(self):
        contract = self._contract()
        for day in (date(2027, 3, 1), date(2025, 12, 31)):
            amendment = self._amend(contract, price=400.0, date_effective=day)
            self.assertRefused(
                UserError, "outside the current term", amendment.action_sign
            )
            self.assertEqual(amendment.state, "draft")
            self.assertEqual(contract.line_ids.price_unit, 300.0)
            self.assertEqual(set(contract.period_ids.mapped("amount")), {300.0})
            amendment.unlink()

    @freeze_time(TODAY)
    def test_draft_and_ended_contracts_cannot_be_amended(self):
        draft = self._contract(sign=False)
        self.assertRefused(UserError, "Only running contracts", draft.action_amend)
        self.assertFalse(draft.amendment_ids)
        ended = self._contract()
        ended._terminate(date(2026, 3, 31), "agreement", "Moved out")
        self.assertEqual(ended.state, "closed")
        self.assertRefused(UserError, "Only running contracts", ended.action_amend)
        # Nor by creating the record directly.
        self.assertRefused(
            UserError,
            "Only running contracts",
            self.env["service.contract.amendment"].create,
            {"contract_id": draft.id},
        )

    @freeze_time(TODAY)
    def test_contract_amended_after_it_ended_refused(self):
        contract = self._contract()
        amendment = self._amend(contract, price=400.0)
        contract._terminate(date(2026, 5, 31), "agreement", "Sold")
        self.assertRefused(UserError, "Only running contracts", amendment.action_sign)
        self.assertEqual(amendment.state, "draft")


@tagged("post_install", "-at_install")
class TestAmendmentAccess(AmendmentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract_user = new_test_user(
            cls.env,
            login="av_user",
            groups="service_contract.group_service_contract_user",
        )
        cls.salesman = new_test_user(
            cls.env, login="av_salesman", groups="sales_team.group_sale_salesman"
        )
        cls.other_company = cls.env["res.company"].create({"name": "AV Other Co"})
        cls.other_user = new_test_user(
            cls.env,
            login="av_other",
            groups="service_contract.group_service_contract_manager",
            company_id=cls.other_company.id,
            company_ids=[Command.set(cls.other_company.ids)],
        )

    @freeze_time(TODAY)
    def test_contract_user_amends_and_records_the_signature(self):
        contract = self._contract().with_user(self.contract_user)
        contract.action_amend()
        amendment = contract.amendment_ids
        amendment.line_ids.price_unit = 400.0
        amendment.date_effective = EFFECTIVE
        amendment.action_to_sign()
        amendment.action_sign()
        self.assertEqual(amendment.state, "done")
        self.assertEqual(contract.line_ids.price_unit, 400.0)
        # A contract user cannot delete a signed amendment, nor rewrite it.
        with mute_logger("odoo.addons.base.models.ir_model"):
            with self.assertRaises(AccessError):
                amendment.unlink()
        self.assertRefused(
            UserError, "can only be changed", amendment.write, {"state": "draft"}
        )

    @freeze_time(TODAY)
    def test_salesman_without_contract_rights_cannot_amend(self):
        contract = self._contract()
        self._amend(contract, price=400.0)
        with mute_logger("odoo.addons.base.models.ir_model"):
            with self.assertRaises(AccessError):
                contract.with_user(self.salesman).action_amend()
            with self.assertRaises(AccessError):
                self.env["service.contract.amendment"].with_user(self.salesman).search(
                    []
                )

    @freeze_time(TODAY)
    def test_other_company_sees_nothing(self):
        contract = self._contract()
        amendment = self._amend(contract, price=400.0)
        Amendment = self.env["service.contract.amendment"].with_user(self.other_user)
        self.assertFalse(Amendment.search([]))
        with mute_logger("odoo.addons.base.models.ir_rule"):
            with self.assertRaises(AccessError):
                amendment.with_user(self.other_user).read(["name"])
            with self.assertRaises(AccessError):
                amendment.line_ids.with_user(self.other_user).read(["name"])
