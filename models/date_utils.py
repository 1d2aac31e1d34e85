"""Calendar arithmetic of contract terms, free of any ORM.

The rules come from the business (readme/USAGE.md, "Term arithmetic"):

* a term of N months or years starting on day *d* ends the day before its
  anniversary, which is day *d* N months or years later; where that day does
  not exist in the month (29, 30, 31), the anniversary is the 1st of the
  following month;
* the notice deadline is the end of the term minus the notice period, in days
  or in months; where that day does not exist, it is the last day of the month.
"""

import calendar
from datetime import date, timedelta

MONTHS_PER_UNIT = {"month": 1, "year": 12}


def _shift_months(day, months):
    """Return (year, month) ``months`` after the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def anniversary(start, count, unit):
    """First day after a term of ``count`` ``unit`` (month/year) from ``start``.

    >>> anniversary(date(2025, 1, 31), 1, "month")
    datetime.date(2025, 3, 1)
    """
    if unit not in MONTHS_PER_UNIT:
        raise ValueError(f"unknown term unit {unit!r}")
    year, month = _shift_months(start, count * MONTHS_PER_UNIT[unit])
    if start.day > calendar.monthrange(year, month)[1]:
        # The day does not exist in that month: the 1st of the next month.
        year, month = _shift_months(date(year, month, 1), 1)
        return date(year, month, 1)
    return date(year, month, start.day)


def term_end(start, count, unit):
    """Last day of a term of ``count`` ``unit`` starting on ``start``.

    >>> term_end(date(2024, 3, 1), 2, "year")
    datetime.date(2026, 2, 28)
    """
    return anniversary(start, count, unit) - timedelta(days=1)


def subtract_period(day, count, unit):
    """``day`` minus ``count`` days or months; month ends are clamped.

    >>> subtract_period(date(2021, 7, 31), 3, "month")
    datetime.date(2021, 4, 30)
    """
    if unit == "day":
        return day - timedelta(days=count)
    if unit not in MONTHS_PER_UNIT:
        raise ValueError(f"unknown period unit {unit!r}")
    year, month = _shift_months(day, -count * MONTHS_PER_UNIT[unit])
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def notice_deadline(end, count, unit):
    """Last day the customer can refuse the renewal of a term ending on ``end``."""
    return subtract_period(end, count or 0, unit)


# Loi Chatel (Code de la consommation, L215-1): a consumer is reminded of
# the right not to renew from 3 months to 1 month before the notice deadline.
CHATEL_REMINDER_FIRST_MONTHS = 3
CHATEL_REMINDER_LAST_MONTHS = 1


def chatel_window(deadline):
    """First and last day to remind a consumer of the right not to renew
    (Code de la consommation, L215-1): from 3 months to 1 month before the
    notice deadline, month ends clamped.

    >>> chatel_window(date(2026, 5, 31))
    (datetime.date(2026, 2, 28), datetime.date(2026, 4, 30))
    """
    return (
        subtract_period(deadline, CHATEL_REMINDER_FIRST_MONTHS, "month"),
        subtract_period(deadline, CHATEL_REMINDER_LAST_MONTHS, "month"),
    )


FREQUENCY_MONTHS = {"month": 1, "quarter": 3, "semester": 6, "year": 12}


def _aligned_period(day, months):
    """Calendar period of ``months`` months containing ``day``.

    Quarters start in January, April, July and October, half-years in
    January and July, years in January.
    """
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    return start, anniversary(start, months, "month") - timedelta(days=1)


def billing_periods(start, end, frequency, aligned):
    """Invoicing periods covering ``start``..``end`` (both included).

    Returns ``(date_from, date_to, factor)`` tuples, where ``factor`` is the
    share of a full period that is covered (prorata temporis, by days).
    With ``aligned``, periods follow the calendar (months, quarters,
    half-years, years) and the first and last ones may be partial; otherwise
    they run from ``start``, each computed from ``start`` so that they never
    drift (a monthly period from the 31st ends on the last day of shorter
    months), and only the last one may be cut by ``end``.
    """
    months = FREQUENCY_MONTHS[frequency]
    periods = []
    index = 0
    day = start
    while day <= end:
        if aligned:
            full_from, full_to = _aligned_period(day, months)
        else:
            full_from = anniversary(start, index * months, "month")
            full_to = anniversary(start, (index + 1) * months, "month") - timedelta(
                days=1
            )
        date_from, date_to = max(full_from, day), min(full_to, end)
        factor = ((date_to - date_from).days + 1) / ((full_to - full_from).days + 1)
        periods.append((date_from, date_to, factor))
        day = date_to + timedelta(days=1)
        index += 1
    return periods


def add_months_clamped(day, months):
    """``day`` plus ``months`` months; a missing day is the month's last.

    Visit plans use this rule: a monthly visit from the 31st falls on the
    last day of shorter months and comes back to the 31st afterwards.
    """
    year, month = _shift_months(day, months)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def visit_due_dates(start, until, count_per_year=0, interval=0, unit="month"):
    """Due dates of a visit plan from ``start`` up to ``until`` (included).

    Every date is computed from ``start`` (start + k x interval), so that
    plans never drift. ``count_per_year`` visits are spread evenly over each
    year from the start: by whole months when 12 is a multiple of the count,
    by days within each year otherwise.
    """
    dates = []
    index = 0
    while True:
        if count_per_year:
            if 12 % count_per_year == 0:
                due = add_months_clamped(start, index * 12 // count_per_year)
            else:
                year_start = add_months_clamped(start, 12 * (index // count_per_year))
                year_end = add_months_clamped(start, 12 * (index // count_per_year + 1))
                offset = (year_end - year_start).days * (index % count_per_year)
                due = year_start + timedelta(days=offset // count_per_year)
        elif unit == "day":
            due = start + timedelta(days=index * interval)
        elif unit == "week":
            due = start + timedelta(weeks=index * interval)
        elif unit == "month":
            due = add_months_clamped(start, index * interval)
        else:
            raise ValueError(f"unknown interval unit {unit!r}")
        if due > until:
            return dates
        dates.append(due)
        index += 1


# Length of each month in a common year: the shortest case, February at 28.
_COMMON_YEAR_MONTHS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def term_months(count, unit):
    """Length of a term or notice in months, when given in months or years."""
    return count * MONTHS_PER_UNIT[unit]


def shortest_term_days(count, unit):
    """Fewest days a term of ``count`` months or years can last, whatever
    its start: the shortest run of that many consecutive months, February
    counted at 28 days (1 month: 28, 2 months: 59, 3 months: 89, 12 months
    or 1 year: 365).

    >>> shortest_term_days(3, "month")
    89
    """
    months = term_months(count, unit)
    if months <= 0:
        return 0
    years, rest = divmod(months, 12)
    shortest_rest = min(
        sum(_COMMON_YEAR_MONTHS[(first + index) % 12] for index in range(rest))
        for first in range(12)
    )
    return years * 365 + shortest_rest


def notice_fits_term(notice, notice_unit, count, unit):
    """Whether a notice of ``notice`` ``notice_unit`` (days or months) is
    shorter than a term of ``count`` ``unit`` (months or years) whatever the
    day the term starts, so that its notice deadline never falls before the
    term's first day. Days are compared with the shortest possible term,
    months with months.

    >>> notice_fits_term(27, "day", 1, "month"), notice_fits_term(28, "day", 1, "month")
    (True, False)
    """
    if notice_unit == "day":
        return notice < shortest_term_days(count, unit)
    return term_months(notice, notice_unit) < term_months(count, unit)
