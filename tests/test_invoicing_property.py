"""The money rule of a contract's term, as a property.

Whatever amendments (prices up or down, effective ahead or retroactive,
several signed the same day, some undoing others) and price revisions are
signed while the invoicing runs, once the term is invoiced its invoices less
its credit notes equal the price integrated over the term: each day at the
price in force that day (set by the last change signed whose date is not
after it), a full billing period's price spread over the days of that full
period (a month by the days of that month, a quarter by the days of that
quarter...), each billing period rounded half-up to the cent.

The expected amount is computed here, from the scenario alone: the price
timeline, the calendar of the periods and the rounding are written again in
this file, not taken from the module. Only the cuts of the split clause
(a period not invoiced cut at a change date) are read from the billing
schedule, and checked to be such cuts.
"""

from contextlib import closing
from datetime import date, timedelta
from fractions import Fraction
from itertools import pairwise

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from odoo import Command
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import create_contract

MONTHS = {"month": 1, "quarter": 3, "semester": 6, "year": 12}
# Terms of a few periods (invoices are what takes time), two for the yearly
# and half-yearly ones.
TERM_MONTHS = {"month": 5, "quarter": 12, "semester": 12, "year": 24}
INITIAL_CENTS = 30000

# A few examples per frequency and mode, the same ones at every run.
PROPERTY_SETTINGS = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking in CI: the failing scenario is printed as it is.
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=(HealthCheck.too_slow, HealthCheck.data_too_large),
)


# ----------------------------------------------------------------------
# The rule, written independently of the module
# ----------------------------------------------------------------------


def half_up_cents(value):
    """A Fraction of currency units in cents, rounded half-up."""
    cents = value * 100
    return int(cents + Fraction(1, 2)) if cents >= 0 else -int(-cents + Fraction(1, 2))


def full_period(day, start, months, aligned):
    """The full billing period (first, last day) that ``day`` belongs to."""
    if aligned:
        first = date(day.year, (day.month - 1) // months * months + 1, 1)
    else:
        # start is at most the 28th: every month has that day.
        index = 0
        while start + relativedelta(months=(index + 1) * months) <= day:
            index += 1
        first = start + relativedelta(months=index * months)
    return first, first + relativedelta(months=months) - timedelta(days=1)


def term_periods(start, end, months, aligned):
    """The billing periods (first, last day) of the term, in order."""
    periods, day = [], start
    while day <= end:
        full_first, full_last = full_period(day, start, months, aligned)
        last = min(full_last, end)
        periods.append((day, last))
        day = last + timedelta(days=1)
    return periods


def price_on(day, changes):
    """Cents in force on ``day``: the last change signed whose date is not
    after it, else the initial price."""
    for change_date, cents in reversed(changes):
        if change_date <= day:
            return cents
    return INITIAL_CENTS


def period_cents(first, last, changes, start, months, aligned):
    """What a billing period is worth, in cents: its days at their prices,
    a full period's price spread over the days of the full period."""
    full_first, full_last = full_period(first, start, months, aligned)
    full_days = (full_last - full_first).days + 1
    total = sum(
        price_on(first + timedelta(days=offset), changes)
        for offset in range((last - first).days + 1)
    )
    return half_up_cents(Fraction(total, 100 * full_days))


def revised_cents(cents, hundredths_percent):
    """A price raised (or lowered) by a percentage given in hundredths of a
    percent, rounded half-up to the cent."""
    return half_up_cents(Fraction(cents * (10000 + hundredths_percent), 10000 * 100))


# ----------------------------------------------------------------------
# Scenarios
# ----------------------------------------------------------------------


@st.composite
def scenarios(draw, frequency, mode):
    """A contract's terms and the steps of its term, in the order they
    happen: ("invoice", day), ("amend", day, effective, cents),
    ("undo", day, which) (an amendment bringing back the price an earlier
    change replaced, from its date), ("revise", day, effective,
    hundredths of a percent), ("void", day, which, new draft) (an invoice
    cancelled, or credited in full and, maybe, replaced by a new draft)."""
    months = MONTHS[frequency]
    start = date(2026, 1, 1) + timedelta(days=draw(st.sampled_from((0, 0, 14, 27))))
    aligned = draw(st.booleans())
    split = draw(st.booleans())
    post = draw(st.booleans())
    term_months = TERM_MONTHS[frequency]
    end = start + relativedelta(months=term_months) - timedelta(days=1)
    periods = term_periods(start, end, months, aligned)
    # The last invoice of the term must carry the adjustments: every change
    # is signed before it.
    last_invoice = periods[-1][0] if mode == "advance" else end + timedelta(days=1)
    days = draw(
        st.lists(
            st.dates(start, last_invoice - timedelta(days=1)),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    effective_days = st.one_of(
        st.sampled_from([first for first, _last in periods]),
        st.dates(start, end),
    )
    # Each day: the invoicing run (most days), one or two changes signed,
    # sometimes an invoice voided.
    steps = []
    for day in sorted(days):
        if draw(st.integers(0, 3)):
            steps.append(("invoice", day))
        for _index in range(draw(st.integers(1, 2))):
            kind = draw(st.sampled_from(("amend", "amend", "undo", "revise")))
            if kind == "amend":
                cents = draw(st.integers(100, 99999))
                steps.append((kind, day, draw(effective_days), cents))
            elif kind == "undo":
                steps.append((kind, day, draw(st.integers(0, 99))))
            else:
                hundredths = draw(st.integers(-1000, 2000))
                steps.append((kind, day, draw(effective_days), hundredths))
        if not draw(st.integers(0, 3)):
            steps.append(("void", day, draw(st.integers(0, 99)), draw(st.booleans())))
    return {
        "start": start,
        "end": end,
        "aligned": aligned,
        "split": split,
        "post": post,
        "term_months": term_months,
        "steps": steps,
    }


@tagged("post_install", "-at_install")
class TestBillingProperty(AccountTestInvoicingCommon):
    """One contract per example at 300.00 a period, rolled back after it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id += cls.env.ref(
            "service_contract.group_service_contract_manager"
        )
        cls.env.user.tz = "UTC"
        cls.company.partner_id.tz = "UTC"
        cls.service = cls._create_product(
            name="Lift maintenance",
            type="service",
            lst_price=INITIAL_CENTS / 100,
            taxes_id=[Command.clear()],
        )
        cls.customer = cls.partner_a
        cls.site = cls.env["res.partner"].create(
            {"name": "Property site", "type": "site", "parent_id": cls.customer.id}
        )
        cls.template = cls.env["service.contract.template"].create(
            {
                "name": "Property maintenance",
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

    # ------------------------------------------------------------------
    # The module's side
    # ------------------------------------------------------------------

    def _contract(self, frequency, mode, scenario):
        return create_contract(
            self.env,
            self.customer,
            template=self.template,
            date_start=scenario["start"],
            duration=scenario["term_months"],
            duration_unit="month",
            invoicing_frequency=frequency,
            invoicing_mode=mode,
            prorata=scenario["aligned"],
            revision_split="split" if scenario["split"] else "prorate",
            invoice_policy="post" if scenario["post"] else "draft",
            site_ids=[Command.set(self.site.ids)],
            sign=True,
            sign_date=scenario["start"],
        )

    def _amend(self, contract, effective, cents):
        action = contract.action_amend()
        amendment = self.env["service.contract.amendment"].browse(action["res_id"])
        amendment.write({"date_effective": effective})
        amendment.line_ids.price_unit = cents / 100
        amendment.action_sign()

    def _revise(self, contract, effective, hundredths):
        percentage = hundredths / 100
        contract._apply_revisions(
            contract._get_percentage_proposals(percentage, date=effective),
            kind="percentage",
            percentage=percentage,
            send_letters=False,
        )

    def _invoice(self, day):
        self.env["service.contract"]._cron_create_invoices(today=day)

    def _void(self, contract, day, which, new_draft):
        """Cancel a draft invoice of the contract, or credit a posted one in
        full (and replace it by a new draft)."""
        moves = contract.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and not m._is_service_contract_void()
        ).sorted("id")
        if not moves:
            return
        move = moves[which % len(moves)]
        if move.state == "draft":
            event("draft invoice cancelled")
            move.button_cancel()
            return
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"journal_id": move.journal_id.id, "date": day})
        )
        event("invoice credited in full" + (", new draft" if new_draft else ""))
        if new_draft:
            wizard.modify_moves()
        else:
            action = wizard.refund_moves()
            self.env["account.move"].browse(action["res_id"]).action_post()

    def _billed_cents(self, contract):
        """Invoices less credit notes of the contract, in cents."""
        lines = self.env["account.move.line"].search(
            [
                ("service_contract_id", "=", contract.id),
                ("display_type", "=", "product"),
                ("parent_state", "!=", "cancel"),
            ]
        )
        return sum(
            round(line.price_subtotal * 100)
            * (-1 if line.move_id.move_type == "out_refund" else 1)
            for line in lines
        )

    def _pending(self, contract):
        """Adjustments decided and not invoiced."""
        return [
            record.display_name
            for record in [*contract.amendment_ids, *contract.revision_ids]
            if not contract.currency_id.is_zero(record.catch_up_amount)
            and (not record.move_id or record.move_id._is_service_contract_void())
        ]

    # ------------------------------------------------------------------
    # The property
    # ------------------------------------------------------------------

    def _check(self, frequency, mode, scenario):
        months = MONTHS[frequency]
        start, end = scenario["start"], scenario["end"]
        aligned = scenario["aligned"]
        with closing(self.env.cr.savepoint()), freeze_time(start) as clock:
            contract = self._contract(frequency, mode, scenario)
            # The changes as signed: (effective date, cents); and the price
            # each one replaced, for the undoing ones.
            changes, replaced = [], []
            current = INITIAL_CENTS
            for kind, day, *args in scenario["steps"]:
                clock.move_to(day)
                if kind == "invoice":
                    self._invoice(day)
                    continue
                if kind == "void":
                    self._void(contract, day, *args)
                    continue
                if kind == "undo":
                    if not changes:
                        continue
                    index = args[0] % len(changes)
                    effective, cents = changes[index][0], replaced[index]
                elif kind == "amend":
                    effective, cents = args
                else:
                    effective = args[0]
                    cents = revised_cents(current, args[1])
                if kind == "revise":
                    self._revise(contract, effective, args[1])
                else:
                    self._amend(contract, effective, cents)
                self.assertEqual(
                    round(contract.amount_untaxed * 100), cents, "price signed"
                )
                changes.append((effective, cents))
                replaced.append(current)
                current = cents
            after = end + timedelta(days=1)
            clock.move_to(after)
            self._invoice(after)

            periods = contract.period_ids.filtered(lambda p: p.state != "cancel")
            self.assertEqual(set(periods.mapped("state")), {"invoiced"})
            pieces = sorted((p.date_from, p.date_to) for p in periods)
            expected_periods = term_periods(start, end, months, aligned)
            if scenario["split"]:
                # A refinement of the term's periods, cut at change dates.
                cuts = {first for first, _last in pieces} - {
                    first for first, _last in expected_periods
                }
                self.assertLessEqual(cuts, {effective for effective, _c in changes})
                self.assertEqual(pieces[0][0], start)
                self.assertEqual(pieces[-1][1], end)
                for (_f, last), (first, _l) in pairwise(pieces):
                    self.assertEqual(first, last + timedelta(days=1))
            else:
                self.assertEqual(pieces, expected_periods)
            expected = sum(
                period_cents(first, last, changes, start, months, aligned)
                for first, last in pieces
            )
            self.assertEqual(self._pending(contract), [])
            if any(
                not contract.currency_id.is_zero(record.catch_up_amount)
                for record in [*contract.amendment_ids, *contract.revision_ids]
            ):
                event("adjustments")
            if contract.invoice_ids.filtered(lambda m: m.amount_total < 0):
                event("negative invoice")
            self.assertEqual(
                self._billed_cents(contract),
                expected,
                f"{frequency}, {mode}, scenario {scenario}, changes {changes}",
            )

    # One test per frequency and billing mode.

    @PROPERTY_SETTINGS
    @given(scenario=scenarios("month", "advance"))
    def test_monthly_in_advance(self, scenario):
        self._check("month", "advance", scenario)

    @PROPERTY_SETTINGS
    @given(scenario=scenarios("month", "arrears"))
    def test_monthly_in_arrears(self, scenario):
        self._check("month", "arrears", scenario)

    @PROPERTY_SETTINGS
    @given(scenario=scenarios("quarter", "advance"))
    def test_quarterly_in_advance(self, scenario):
        self._check("quarter", "advance", scenario)

    @PROPERTY_SETTINGS
    @given(scenario=scenarios("quarter", "arrears"))
    def test_quarterly_in_arrears(self, scenario):
        self._check("quarter", "arrears", scenario)

    @PROPERTY_SETTINGS
    @given(scenario=scenarios("semester", "advance"))
    def test_half_yearly_in_advance(self, scenario):
        self._check("semester", "advance", scenario)

    @PROPERTY_SETTINGS
    @given(scenario=scenarios("semester", "arrears"))
    def test_half_yearly_in_arrears(self, scenario):
        self._check("semester", "arrears", scenario)

    @PROPERTY_SETTINGS
    @given(scenario=scenarios("year", "advance"))
    def test_yearly_in_advance(self, scenario):
        self._check("year", "advance", scenario)

    @PROPERTY_SETTINGS
    @given(scenario=scenarios("year", "arrears"))
    def test_yearly_in_arrears(self, scenario):
        self._check("year", "arrears", scenario)
