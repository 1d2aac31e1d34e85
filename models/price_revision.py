"""Arithmetic of price revision by index, free of any ORM.

A revision clause reads P = P0 x (a + sum of b_i x I_i / I0_i), with
a + sum of b_i = 1 (readme/USAGE.md, "Price revision"):

* the coefficient is computed exactly (decimal arithmetic), then rounded
  half-up to the number of decimals the clause states (default 6), then held
  between the clause's floor and cap, when it has them;
* a revised price is the old price times the coefficient, rounded half-up to
  the currency;
* the index value used at a revision is either the value of the base month
  k years later (``same_month``) or the last value known at the revision
  date (``last_known``), see ``revision_index_month``.
"""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal


def _decimal(value):
    """A float as the decimal it is written as (0.1 is 0.1, not 0.1000...01)."""
    return Decimal(repr(float(value)))


def _round_half_up(value, digits):
    return value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def raw_coefficient(fixed_part, terms):
    """a + sum of b_i x I_i / I0_i, unrounded (a Decimal).

    :param fixed_part: a
    :param terms: iterable of (weight b_i, base value I0_i, current value I_i)
    """
    total = _decimal(fixed_part)
    for weight, base_value, current_value in terms:
        if not base_value or base_value <= 0:
            raise ValueError(f"index base value must be positive: {base_value!r}")
        total += _decimal(weight) * _decimal(current_value) / _decimal(base_value)
    return total


def revision_coefficient(fixed_part, terms, minimum=0, maximum=0, digits=6):
    """The coefficient of a revision clause.

    >>> revision_coefficient(0.15, [(0.85, 121.2, 130.5)])
    1.065223

    :param fixed_part: a, the part of the price that is not revised
    :param terms: list of (weight b_i, base value I0_i, current value I_i)
    :param minimum: floor of the coefficient (0: none)
    :param maximum: cap of the coefficient (0: none)
    :param digits: decimals of the coefficient, rounded half-up
    :return: the coefficient (float), rounded, then floored and capped
    """
    coefficient = _round_half_up(raw_coefficient(fixed_part, terms), digits)
    if minimum and coefficient < _decimal(minimum):
        coefficient = _decimal(minimum)
    if maximum and coefficient > _decimal(maximum):
        coefficient = _decimal(maximum)
    return float(coefficient)


def revised_price(price, coefficient, currency_rounding=0.01):
    """``price`` x ``coefficient``, rounded half-up to ``currency_rounding``.

    >>> revised_price(1200.0, 1.065223)
    1278.27
    """
    step = _decimal(currency_rounding)
    value = _decimal(price) * _decimal(coefficient)
    return float((value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step)


def month_start(day):
    """The first day of the month of ``day``."""
    return date(day.year, day.month, 1)


def revision_index_month(base_month, revision_date, rule):
    """The month whose index value a revision on ``revision_date`` uses.

    * ``same_month``: the most recent month with the base's month of the
      year that is not after the revision date: the base month k years later,
      k being the whole years from the base month to the revision date.
      Base 2021-08, revision 2023-09-01 or 2023-08-15: 2023-08; revision
      2023-07-31: 2022-08.
    * ``last_known``: the month of the revision date itself; the value used
      is the last one known whose month is not after it (the caller looks it
      up, see ``service.price.index._get_last_value``).

    :raise ValueError: the revision date is before the base month.
    """
    base_month = month_start(base_month)
    if revision_date < base_month:
        raise ValueError(
            f"revision date {revision_date} before the base month {base_month}"
        )
    if rule == "last_known":
        return month_start(revision_date)
    if rule != "same_month":
        raise ValueError(f"unknown index rule {rule!r}")
    year = revision_date.year
    if revision_date.month < base_month.month:
        year -= 1
    return date(year, base_month.month, 1)


def prorated_amount(old_amount, new_amount, date_from, date_to, revision_date):
    """Amount of a period from ``date_from`` to ``date_to`` (both included)
    whose price changes on ``revision_date``: each price for its days.

    >>> prorated_amount(300.0, 400.0, date(2026, 6, 1), date(2026, 6, 30),
    ...                 date(2026, 6, 16))
    350.0
    """
    total = (date_to - date_from).days + 1
    new_days = (date_to - revision_date).days + 1
    new_days = max(0, min(total, new_days))
    old_days = total - new_days
    return (old_amount * old_days + new_amount * new_days) / total


def price_from(steps, day, amount):
    """The price steps ``[(date, amount)]`` (by date) once ``amount`` is in
    force from ``day`` on: an amendment or a revision sets the price from
    its date to the end, whatever was set for those days before.

    >>> price_from([(date(2026, 1, 1), 300.0), (date(2026, 5, 1), 420.0)],
    ...            date(2026, 2, 1), 360.0)
    [(datetime.date(2026, 1, 1), 300.0), (datetime.date(2026, 2, 1), 360.0)]
    """
    return [step for step in steps if step[0] < day] + [(day, amount)]


def full_period_days(date_from, date_to, factor):
    """Days of the full billing period that the period from ``date_from``
    to ``date_to`` covers the share ``factor`` of (by days)."""
    days = (date_to - date_from).days + 1
    return round(days / factor) if factor else days


def integrated_amount(steps, date_from, date_to, full_days, rounding=0.01):
    """Amount of the days from ``date_from`` to ``date_to`` (both included)
    of a billing period of ``full_days`` days: each day at the price in
    force that day (the last step on or before it; the first step's before
    it), a full period's price divided by ``full_days``; computed exactly,
    rounded half-up to ``rounding``.

    >>> integrated_amount([(date(2026, 1, 1), 300.0), (date(2026, 6, 16), 400.0)],
    ...                   date(2026, 6, 1), date(2026, 6, 30), 30)
    350.0
    """
    total = Decimal(0)
    for index, (start, amount) in enumerate(steps):
        first = date_from if index == 0 else max(start, date_from)
        last = date_to
        if index + 1 < len(steps):
            last = min(last, steps[index + 1][0] - timedelta(days=1))
        if last >= first:
            total += _decimal(amount) * ((last - first).days + 1)
    step = _decimal(rounding)
    value = total / full_days / step
    return float(value.quantize(Decimal(1), rounding=ROUND_HALF_UP) * step)
