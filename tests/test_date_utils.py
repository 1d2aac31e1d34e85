from datetime import date

from odoo.tests import BaseCase

from ..models.date_utils import (
    anniversary,
    billing_periods,
    chatel_window,
    notice_deadline,
    term_end,
    visit_due_dates,
)


class TestDateUtils(BaseCase):
    """Term arithmetic (readme/USAGE.md, Term arithmetic), on exact calendar
    examples."""

    def test_term_end_two_years_from_march_first(self):
        # start 2024-03-01, 2 years, notice 2 months
        end = term_end(date(2024, 3, 1), 2, "year")
        self.assertEqual(end, date(2026, 2, 28))
        self.assertEqual(notice_deadline(end, 2, "month"), date(2025, 12, 28))

    def test_term_end_months(self):
        cases = [
            (date(2025, 1, 1), 1, date(2025, 1, 31)),
            (date(2025, 1, 15), 1, date(2025, 2, 14)),
            (date(2025, 1, 15), 12, date(2026, 1, 14)),
            (date(2025, 11, 1), 3, date(2026, 1, 31)),
            (date(2025, 3, 31), 6, date(2025, 9, 30)),
            (date(2025, 12, 31), 1, date(2026, 1, 30)),
        ]
        for start, months, expected in cases:
            with self.subTest(start=start, months=months):
                self.assertEqual(term_end(start, months, "month"), expected)

    def test_day_missing_in_month_anniversary_is_first_of_next_month(self):
        # 2025-01-31 + 1 month: the term ends 2025-02-28, the next one
        # starts 2025-03-01.
        self.assertEqual(anniversary(date(2025, 1, 31), 1, "month"), date(2025, 3, 1))
        self.assertEqual(term_end(date(2025, 1, 31), 1, "month"), date(2025, 2, 28))
        # leap year: 2024-01-31 + 1 month ends on Feb 29
        self.assertEqual(term_end(date(2024, 1, 31), 1, "month"), date(2024, 2, 29))
        self.assertEqual(term_end(date(2024, 1, 30), 1, "month"), date(2024, 2, 29))
        self.assertEqual(term_end(date(2025, 1, 29), 1, "month"), date(2025, 2, 28))
        self.assertEqual(term_end(date(2025, 5, 31), 1, "month"), date(2025, 6, 30))
        self.assertEqual(anniversary(date(2025, 5, 31), 1, "month"), date(2025, 7, 1))
        self.assertEqual(term_end(date(2025, 8, 31), 3, "month"), date(2025, 11, 30))

    def test_term_end_years_and_feb_29(self):
        self.assertEqual(term_end(date(2024, 2, 29), 1, "year"), date(2025, 2, 28))
        self.assertEqual(anniversary(date(2024, 2, 29), 1, "year"), date(2025, 3, 1))
        self.assertEqual(term_end(date(2024, 2, 29), 4, "year"), date(2028, 2, 28))
        self.assertEqual(term_end(date(2023, 3, 1), 1, "year"), date(2024, 2, 29))
        self.assertEqual(term_end(date(2019, 1, 1), 1, "year"), date(2019, 12, 31))
        self.assertEqual(term_end(date(2025, 12, 31), 1, "year"), date(2026, 12, 30))

    def test_notice_deadline_months_clamped_to_month_end(self):
        self.assertEqual(
            notice_deadline(date(2021, 7, 31), 3, "month"), date(2021, 4, 30)
        )
        self.assertEqual(
            notice_deadline(date(2025, 5, 31), 3, "month"), date(2025, 2, 28)
        )
        self.assertEqual(
            notice_deadline(date(2024, 5, 31), 3, "month"), date(2024, 2, 29)
        )
        self.assertEqual(
            notice_deadline(date(2026, 12, 31), 1, "month"), date(2026, 11, 30)
        )
        self.assertEqual(
            notice_deadline(date(2026, 3, 15), 12, "month"), date(2025, 3, 15)
        )
        self.assertEqual(
            notice_deadline(date(2026, 1, 31), 2, "month"), date(2025, 11, 30)
        )

    def test_notice_deadline_days(self):
        self.assertEqual(notice_deadline(date(2025, 3, 1), 1, "day"), date(2025, 2, 28))
        self.assertEqual(notice_deadline(date(2024, 3, 1), 1, "day"), date(2024, 2, 29))
        self.assertEqual(
            notice_deadline(date(2026, 1, 14), 30, "day"), date(2025, 12, 15)
        )
        self.assertEqual(
            notice_deadline(date(2026, 1, 14), 0, "day"), date(2026, 1, 14)
        )

    def test_chatel_reminder_window(self):
        """From 3 months to 1 month before the notice deadline (L215-1)."""
        cases = {
            date(2025, 12, 28): (date(2025, 9, 28), date(2025, 11, 28)),
            date(2026, 5, 31): (date(2026, 2, 28), date(2026, 4, 30)),
            date(2024, 5, 31): (date(2024, 2, 29), date(2024, 4, 30)),
            date(2025, 3, 31): (date(2024, 12, 31), date(2025, 2, 28)),
            date(2026, 1, 15): (date(2025, 10, 15), date(2025, 12, 15)),
        }
        for deadline, window in cases.items():
            self.assertEqual(chatel_window(deadline), window, deadline)

    def test_unknown_unit_is_refused(self):
        with self.assertRaises(ValueError):
            term_end(date(2025, 1, 1), 1, "week")
        with self.assertRaises(ValueError):
            notice_deadline(date(2025, 1, 1), 1, "week")


class TestBillingPeriods(BaseCase):
    """Invoicing periods (readme/USAGE.md, Billing periods), on exact calendar
    examples."""

    def assertPeriods(self, periods, expected):
        self.assertEqual(len(periods), len(expected))
        for (date_from, date_to, factor), (exp_from, exp_to, exp_factor) in zip(
            periods, expected, strict=True
        ):
            self.assertEqual((date_from, date_to), (exp_from, exp_to))
            self.assertAlmostEqual(factor, exp_factor, places=9)

    def test_monthly_calendar_prorata_first_and_last(self):
        periods = billing_periods(date(2026, 1, 15), date(2027, 1, 14), "month", True)
        self.assertEqual(len(periods), 13)
        self.assertPeriods(
            [periods[0], periods[1], periods[-2], periods[-1]],
            [
                (date(2026, 1, 15), date(2026, 1, 31), 17 / 31),
                (date(2026, 2, 1), date(2026, 2, 28), 1),
                (date(2026, 12, 1), date(2026, 12, 31), 1),
                (date(2027, 1, 1), date(2027, 1, 14), 14 / 31),
            ],
        )
        self.assertEqual(round(310 * periods[0][2], 2), 170.00)

    def test_quarterly_calendar_periods_start_jan_apr_jul_oct(self):
        periods = billing_periods(date(2026, 2, 10), date(2027, 2, 9), "quarter", True)
        self.assertPeriods(
            periods,
            [
                (date(2026, 2, 10), date(2026, 3, 31), 50 / 90),
                (date(2026, 4, 1), date(2026, 6, 30), 1),
                (date(2026, 7, 1), date(2026, 9, 30), 1),
                (date(2026, 10, 1), date(2026, 12, 31), 1),
                (date(2027, 1, 1), date(2027, 2, 9), 40 / 90),
            ],
        )

    def test_half_yearly_and_yearly_calendar_periods(self):
        self.assertPeriods(
            billing_periods(date(2026, 5, 1), date(2027, 4, 30), "semester", True),
            [
                (date(2026, 5, 1), date(2026, 6, 30), 61 / 181),
                (date(2026, 7, 1), date(2026, 12, 31), 1),
                (date(2027, 1, 1), date(2027, 4, 30), 120 / 181),
            ],
        )
        self.assertPeriods(
            billing_periods(date(2024, 7, 1), date(2025, 6, 30), "year", True),
            [
                (date(2024, 7, 1), date(2024, 12, 31), 184 / 366),
                (date(2025, 1, 1), date(2025, 6, 30), 181 / 365),
            ],
        )

    def test_periods_from_start_date_without_prorata(self):
        self.assertPeriods(
            billing_periods(date(2025, 3, 15), date(2026, 3, 14), "semester", False),
            [
                (date(2025, 3, 15), date(2025, 9, 14), 1),
                (date(2025, 9, 15), date(2026, 3, 14), 1),
            ],
        )
        self.assertPeriods(
            billing_periods(date(2026, 1, 15), date(2027, 1, 14), "year", False),
            [(date(2026, 1, 15), date(2027, 1, 14), 1)],
        )

    def test_monthly_from_the_31st_never_drifts(self):
        self.assertPeriods(
            billing_periods(date(2025, 1, 31), date(2025, 5, 30), "month", False),
            [
                (date(2025, 1, 31), date(2025, 2, 28), 1),
                (date(2025, 3, 1), date(2025, 3, 30), 1),
                (date(2025, 3, 31), date(2025, 4, 30), 1),
                (date(2025, 5, 1), date(2025, 5, 30), 1),
            ],
        )

    def test_feb_29(self):
        self.assertPeriods(
            billing_periods(date(2024, 2, 29), date(2024, 3, 31), "month", True),
            [
                (date(2024, 2, 29), date(2024, 2, 29), 1 / 29),
                (date(2024, 3, 1), date(2024, 3, 31), 1),
            ],
        )
        self.assertPeriods(
            billing_periods(date(2024, 2, 29), date(2025, 2, 28), "quarter", False),
            [
                (date(2024, 2, 29), date(2024, 5, 28), 1),
                (date(2024, 5, 29), date(2024, 8, 28), 1),
                (date(2024, 8, 29), date(2024, 11, 28), 1),
                (date(2024, 11, 29), date(2025, 2, 28), 1),
            ],
        )

    def test_term_ending_mid_period_is_prorated(self):
        self.assertPeriods(
            billing_periods(date(2025, 1, 10), date(2025, 3, 20), "month", False),
            [
                (date(2025, 1, 10), date(2025, 2, 9), 1),
                (date(2025, 2, 10), date(2025, 3, 9), 1),
                (date(2025, 3, 10), date(2025, 3, 20), 11 / 31),
            ],
        )


class TestVisitDueDates(BaseCase):
    """Due dates of visit plans (readme/USAGE.md, Preventive visits)."""

    def test_four_per_year_from_start(self):
        self.assertEqual(
            visit_due_dates(date(2027, 1, 10), date(2027, 12, 31), count_per_year=4),
            [
                date(2027, 1, 10),
                date(2027, 4, 10),
                date(2027, 7, 10),
                date(2027, 10, 10),
            ],
        )

    def test_one_per_year_and_feb_29(self):
        self.assertEqual(
            visit_due_dates(date(2024, 2, 29), date(2028, 3, 1), count_per_year=1),
            [
                date(2024, 2, 29),
                date(2025, 2, 28),
                date(2026, 2, 28),
                date(2027, 2, 28),
                date(2028, 2, 29),
            ],
        )

    def test_counts_that_do_not_divide_the_year_are_spread_by_days(self):
        dates = visit_due_dates(date(2026, 1, 1), date(2027, 1, 1), count_per_year=5)
        self.assertEqual(
            dates,
            [
                date(2026, 1, 1),
                date(2026, 3, 15),  # + 73 days
                date(2026, 5, 27),
                date(2026, 8, 8),
                date(2026, 10, 20),
                date(2027, 1, 1),
            ],
        )

    def test_every_six_weeks(self):
        dates = visit_due_dates(
            date(2026, 1, 5), date(2026, 6, 30), interval=6, unit="week"
        )
        self.assertEqual(
            dates,
            [
                date(2026, 1, 5),
                date(2026, 2, 16),
                date(2026, 3, 30),
                date(2026, 5, 11),
                date(2026, 6, 22),
            ],
        )

    def test_every_ten_days(self):
        self.assertEqual(
            visit_due_dates(
                date(2024, 2, 20), date(2024, 3, 15), interval=10, unit="day"
            ),
            [date(2024, 2, 20), date(2024, 3, 1), date(2024, 3, 11)],
        )

    def test_monthly_from_the_31st_never_drifts(self):
        self.assertEqual(
            visit_due_dates(
                date(2025, 1, 31), date(2025, 6, 30), interval=1, unit="month"
            ),
            [
                date(2025, 1, 31),
                date(2025, 2, 28),
                date(2025, 3, 31),
                date(2025, 4, 30),
                date(2025, 5, 31),
                date(2025, 6, 30),
            ],
        )
        self.assertEqual(
            visit_due_dates(
                date(2024, 1, 31), date(2024, 3, 31), interval=1, unit="month"
            ),
            [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31)],
        )

    def test_nothing_after_the_end(self):
        self.assertEqual(
            visit_due_dates(date(2026, 6, 1), date(2026, 5, 31), count_per_year=4), []
        )
