"""Bad input is refused with a clear message, and the answer does not depend
on the day the check runs."""

from contextlib import suppress
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import BaseCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..models.date_utils import (
    notice_deadline,
    notice_fits_term,
    shortest_term_days,
    term_end,
)
from ..models.service_lifecycle_guard import lifecycle_write
from .common import ServiceContractCase

# Days of the year where a day-dependent rule would answer differently:
# month ends, February (common and leap), the 1st of March, mid-year.
DAYS = [
    "2026-01-31",
    "2026-02-01",
    "2026-02-28",
    "2026-03-01",
    "2026-07-31",
    "2026-12-31",
    "2028-02-29",
]

# (firm term, notice, accepted): the notice must be shorter than the term
# whatever its start; days are compared with the shortest possible term.
NOTICE_CASES = [
    ((1, "month"), (0, "day"), True),
    ((1, "month"), (27, "day"), True),
    ((1, "month"), (28, "day"), False),
    ((1, "month"), (30, "day"), False),
    ((1, "month"), (1, "month"), False),
    ((2, "month"), (58, "day"), True),
    ((2, "month"), (59, "day"), False),
    ((2, "month"), (1, "month"), True),
    ((3, "month"), (88, "day"), True),
    ((3, "month"), (89, "day"), False),
    ((12, "month"), (364, "day"), True),
    ((12, "month"), (365, "day"), False),
    ((1, "year"), (364, "day"), True),
    ((1, "year"), (365, "day"), False),
    ((1, "year"), (11, "month"), True),
    ((1, "year"), (12, "month"), False),
    ((2, "year"), (23, "month"), True),
    ((2, "year"), (24, "month"), False),
    ((2, "year"), (30, "month"), False),
]


class _Accepted(Exception):
    """Leaves the savepoint of a value that was accepted."""


class TestNoticeRule(BaseCase):
    """The notice rule itself, free of any ORM."""

    def test_shortest_terms(self):
        self.assertEqual(
            [shortest_term_days(n, "month") for n in (1, 2, 3, 6, 12, 13)],
            [28, 59, 89, 181, 365, 393],
        )
        self.assertEqual(shortest_term_days(1, "year"), 365)
        self.assertEqual(shortest_term_days(99, "year"), 99 * 365)

    def test_rule_examples(self):
        for (count, unit), (notice, notice_unit), accepted in NOTICE_CASES:
            with self.subTest(term=(count, unit), notice=(notice, notice_unit)):
                self.assertEqual(
                    notice_fits_term(notice, notice_unit, count, unit), accepted
                )

    def test_accepted_notice_deadline_is_never_before_the_term(self):
        """Whatever the start, over four years (a leap year included), an
        accepted notice has its deadline within the term."""
        starts = [date(2025, 1, 1) + timedelta(days=n) for n in range(4 * 366)]
        for (count, unit), (notice, notice_unit), accepted in NOTICE_CASES:
            if not accepted:
                continue
            for start in starts:
                deadline = notice_deadline(
                    term_end(start, count, unit), notice, notice_unit
                )
                self.assertGreaterEqual(deadline, start, (start, count, notice))

    def test_refused_day_notice_misses_some_start(self):
        """A notice in days that is refused is too long for at least one
        start: the rule refuses nothing it need not."""
        starts = [date(2025, 1, 1) + timedelta(days=n) for n in range(366)]
        for (count, unit), (notice, notice_unit), accepted in NOTICE_CASES:
            if accepted or notice_unit != "day":
                continue
            self.assertTrue(
                any(
                    notice_deadline(term_end(start, count, unit), notice, "day") < start
                    for start in starts
                ),
                (count, unit, notice),
            )


@tagged("post_install", "-at_install")
class TestTermsValidation(ServiceContractCase):
    def _terms(self, term, notice, **values):
        return {
            "duration": term[0],
            "duration_unit": term[1],
            "notice_period": notice[0],
            "notice_unit": notice[1],
            "renewal_type": "none",
            "renewal_duration": 0,
            "invoicing_frequency": "month",
            **values,
        }

    def _check_on_every_day(self, record, values, accepted, message):
        before = {name: record[name] for name in values}
        for day in DAYS:
            with self.subTest(day=day, values=values), freeze_time(day):
                if accepted:
                    with suppress(_Accepted), self.env.cr.savepoint():
                        record.write(values)
                        self.env.flush_all()
                        raise _Accepted
                    self.env.invalidate_all()
                else:
                    self.assertRefused(ValidationError, message, record.write, values)
                self.assertEqual(
                    {name: record[name] for name in values}, before, "unchanged"
                )

    def test_notice_against_firm_term_on_any_day(self):
        for term, notice, accepted in NOTICE_CASES:
            self._check_on_every_day(
                self.template,
                self._terms(term, notice),
                accepted,
                r"notice period \(.*\) is longer than the firm term",
            )

    def test_one_month_with_30_days_notice_refused_on_a_contract(self):
        for start in (date(2026, 2, 1), date(2026, 3, 1), date(2026, 1, 31)):
            contract = self._create_contract(date_start=start)
            self.assertRefused(
                ValidationError,
                r"notice period \(30 Days\) is longer than the firm term or as "
                r"long \(1 Months, 28 days",
                contract.write,
                self._terms((1, "month"), (30, "day")),
            )
            self.assertEqual((contract.duration, contract.notice_period), (2, 2))

    def test_notice_against_renewal_period(self):
        values = {
            "renewal_type": "tacit",
            "renewal_duration": 1,
            "renewal_unit": "month",
        }
        self._check_on_every_day(
            self.template,
            self._terms((2, "year"), (1, "month"), **values),
            False,
            r"notice period \(1 Months\) is longer than the renewal period",
        )
        self._check_on_every_day(
            self.template,
            self._terms((2, "year"), (27, "day"), **values),
            True,
            None,
        )
        # No renewal: the renewal period is not compared.
        self._check_on_every_day(
            self.template,
            self._terms((2, "year"), (3, "month"), renewal_unit="month"),
            True,
            None,
        )

    def test_invoicing_frequency_within_both_terms(self):
        self._check_on_every_day(
            self.template,
            self._terms((3, "month"), (0, "day"), invoicing_frequency="semester"),
            False,
            r"invoicing frequency \(Half-yearly\) is longer than the firm term",
        )
        self._check_on_every_day(
            self.template,
            self._terms(
                (1, "year"),
                (0, "day"),
                invoicing_frequency="semester",
                renewal_type="express",
                renewal_duration=3,
                renewal_unit="month",
            ),
            False,
            r"invoicing frequency \(Half-yearly\) is longer than the renewal "
            r"period \(3 Months\)",
        )
        self._check_on_every_day(
            self.template,
            self._terms((1, "year"), (0, "day"), invoicing_frequency="year"),
            True,
            None,
        )

    def test_lengths_are_bounded(self):
        for values, accepted, message in [
            (self._terms((99, "year"), (1, "month")), True, None),
            (self._terms((1188, "month"), (1, "month")), True, None),
            (self._terms((100, "year"), (1, "month")), False, r"at most 99 years"),
            (self._terms((1189, "month"), (1, "month")), False, r"at most 99 years"),
            (self._terms((0, "month"), (0, "day")), False, r"firm term \(0 Months\)"),
            (
                self._terms((1, "year"), (-1, "day")),
                False,
                r"notice period cannot be negative \(-1 Days\)",
            ),
            (
                self._terms((1, "year"), (1, "month"), renewal_duration=-1),
                False,
                r"renewal period cannot be negative \(-1 Years\)",
            ),
            (
                self._terms(
                    (1, "year"),
                    (1, "month"),
                    renewal_type="tacit",
                    renewal_duration=100,
                    renewal_unit="year",
                ),
                False,
                r"renewal period \(100 Years\) is longer than 99 years",
            ),
        ]:
            self._check_on_every_day(self.template, values, accepted, message)


@tagged("post_install", "-at_install")
class TestDateValidation(ServiceContractCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env,
            login="sc_validation_user",
            groups="base.group_user,service_contract.group_service_contract_user",
        )
        cls.manager = new_test_user(
            cls.env,
            login="sc_validation_manager",
            groups="base.group_user,service_contract.group_service_contract_manager",
        )

    def _notice(self, contract, notice_date, user):
        wizard = (
            self.env["service.contract.notice"]
            .with_user(user)
            .with_context(default_contract_id=contract.id)
            .create({"notice_date": notice_date, "reason": "Moving out"})
        )
        return wizard.action_confirm()

    @freeze_time("2025-06-10")
    def test_signature_date_not_in_future(self):
        contract = self._create_contract()
        self.assertRefused(
            ValidationError,
            r"signature date \(2025-06-11\) is in the future",
            contract.action_sign,
            date_signed=date(2025, 6, 11),
        )
        self.assertEqual(contract.state, "draft")
        self.assertFalse(contract.date_signed)
        contract.action_sign(date_signed=date(2025, 6, 10))
        # The database constraint holds for the actions too (direct writes
        # of a signed contract's dates are refused before it).
        with lifecycle_write():
            self.assertRefused(
                ValidationError,
                "is in the future",
                contract.write,
                {"date_signed": date(2026, 1, 1)},
            )
        self.assertEqual(contract.date_signed, date(2025, 6, 10))

    @freeze_time("2025-06-10")
    def test_notice_date_not_in_future(self):
        contract = self._create_running_contract()
        self.assertRefused(
            UserError,
            "Notice dated 2025-06-11, in the future",
            self._notice,
            contract,
            date(2025, 6, 11),
            self.manager,
        )
        with lifecycle_write():
            self.assertRefused(
                ValidationError,
                r"notice date \(2025-06-11\) is in the future",
                contract.write,
                {"notice_date": date(2025, 6, 11)},
            )
        self.assertFalse(contract.notice_date)

    @freeze_time("2025-06-10")
    def test_backdated_notice_needs_a_manager(self):
        contract = self._create_running_contract()
        wizard = (
            self.env["service.contract.notice"]
            .with_user(self.user)
            .with_context(default_contract_id=contract.id)
            .new({"notice_date": date(2025, 6, 9)})
        )
        self.assertTrue(wizard.is_backdated)
        self.assertFalse(wizard.is_late)
        self.assertRefused(
            AccessError,
            "only a contract manager can register a back-dated notice",
            self._notice,
            contract,
            date(2025, 6, 9),
            self.user,
        )
        self.assertFalse(contract.notice_date)
        self._notice(contract, date(2025, 6, 9), self.manager)
        self.assertEqual(contract.notice_date, date(2025, 6, 9))
        self.assertIn(
            "Back-dated, registered on 2025-06-10 by " + self.manager.name,
            "".join(self._messages(contract)),
        )

    @freeze_time("2025-06-10")
    def test_notice_of_the_day_by_a_user(self):
        contract = self._create_running_contract()
        self._notice(contract, date(2025, 6, 10), self.user)
        self.assertEqual(contract.notice_date, date(2025, 6, 10))
        self.assertNotIn("Back-dated", "".join(self._messages(contract)))

    def test_visits_from_within_the_contract(self):
        contract = self._create_contract(renewal_type="none")
        self.assertEqual(contract.date_effective_end, date(2026, 2, 28))
        for visits_from in (date(2024, 2, 29), date(2026, 3, 1)):
            self.assertRefused(
                ValidationError,
                f"visits cannot start on {visits_from}, outside the contract "
                r"\(2024-03-01 to 2026-02-28\)",
                contract.write,
                {"date_visits_from": visits_from},
            )
        self.assertFalse(contract.date_visits_from)
        contract.date_visits_from = date(2026, 2, 28)
        self.assertRefused(
            ValidationError,
            "visits cannot start",
            contract.write,
            {"date_start": date(2026, 3, 1)},
        )
        self.assertEqual(contract.date_start, date(2024, 3, 1))
        # A tacitly renewed contract has no known end.
        tacit = self._create_contract(date_visits_from=date(2030, 1, 1))
        self.assertEqual(tacit.date_visits_from, date(2030, 1, 1))

    def test_planning_horizon_bounds(self):
        for value in (-1, 732):
            self.assertRefused(
                ValidationError,
                rf"horizon must be between 0 and 731 days \({value}\)",
                self.company.write,
                {"service_planning_horizon": value},
            )
        for value in (0, 731):
            self.company.service_planning_horizon = value
            self.assertEqual(self.company.service_planning_horizon, value)

    def test_visit_plan_bounds(self):
        contract = self._create_contract(
            visit_plan_ids=[Command.create({"name": "Boiler", "count_per_year": 2})]
        )
        plan = contract.visit_plan_ids
        for values, message in [
            ({"count_per_year": 0}, r"positive and at most 365 \(0\)"),
            ({"count_per_year": 366}, r"positive and at most 365 \(366\)"),
            (
                {"frequency_type": "interval", "interval": 0},
                r"at most ten years \(0 Months\)",
            ),
            (
                {"frequency_type": "interval", "interval": 121},
                r"at most ten years \(121 Months\)",
            ),
            (
                {
                    "frequency_type": "interval",
                    "interval": 521,
                    "interval_unit": "week",
                },
                r"at most ten years \(521 Weeks\)",
            ),
            ({"days_early": -1}, r"tolerance window .* \(-1\)"),
            ({"days_late": 366}, r"tolerance window .* \(366\)"),
            ({"duration": -0.5}, r"expected duration cannot be negative"),
        ]:
            with self.subTest(values=values):
                self.assertRefused(ValidationError, message, plan.write, values)
        self.assertEqual((plan.count_per_year, plan.frequency_type), (2, "count"))
        plan.write({"frequency_type": "interval", "interval": 120})
        self.assertEqual(plan.interval, 120)

    def test_intervention_window(self):
        contract = self._create_running_contract()
        visit = self.env["service.intervention"].create(
            {
                "contract_id": contract.id,
                "description": "Leak",
                "date_due": date(2024, 6, 10),
                "date_window_start": date(2024, 6, 1),
                "date_window_end": date(2024, 6, 20),
            }
        )
        self.assertRefused(
            ValidationError,
            r"window ends \(2024-05-31\) before it starts \(2024-06-01\)",
            visit.write,
            {"date_window_end": date(2024, 5, 31)},
        )
        self.assertEqual(visit.date_window_end, date(2024, 6, 20))


@tagged("post_install", "-at_install")
class TestRequiredTerms(ServiceContractCase):
    """The scheduled actions compute with the units, the renewal type and the
    invoicing frequency and mode: every template and contract has them."""

    TERMS = (
        "duration_unit",
        "renewal_type",
        "renewal_unit",
        "notice_unit",
        "invoicing_frequency",
        "invoicing_mode",
    )

    def test_defaults_fill_the_required_terms(self):
        template = self.env["service.contract.template"].create({"name": "Bare"})
        contract = self.env["service.contract"].create({"partner_id": self.customer.id})
        for record in (template, contract):
            for name in self.TERMS:
                with self.subTest(model=record._name, field=name):
                    self.assertTrue(record._fields[name].required)
                    self.assertTrue(record[name])

    def test_a_term_cannot_be_emptied(self):
        contract = self._create_contract()
        for name in self.TERMS:
            with self.subTest(field=name), mute_logger("odoo.sql_db"):
                self.assertRefused(
                    Exception, ".", lambda n=name: contract.write({n: False})
                )
                self.assertTrue(contract[name])
