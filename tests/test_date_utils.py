from datetime import date

from odoo.tests import BaseCase

from ..models.date_utils import anniversary, notice_deadline, term_end


class TestDateUtils(BaseCase):
    """Term arithmetic of DOMAIN.md section 4, on exact calendar examples."""

    def test_term_end_domain_example(self):
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

    def test_unknown_unit_is_refused(self):
        with self.assertRaises(ValueError):
            term_end(date(2025, 1, 1), 1, "week")
        with self.assertRaises(ValueError):
            notice_deadline(date(2025, 1, 1), 1, "week")
