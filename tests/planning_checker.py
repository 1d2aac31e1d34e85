"""An independent checker of confirmed plans, for the tests.

It re-reads from the database what the planner must respect (the visits,
the technicians' skills and their expiry, their working calendars and
leaves, the sites' opening hours) and never calls the planner's code.
Calendars are read from their attendances (one-week calendars), leaves from
``resource.calendar.leaves``. Returns a list of violations (empty: valid).
"""

from datetime import datetime, time, timedelta

import pytz


def _local(instant, tz):
    return pytz.utc.localize(instant).astimezone(tz)


def _attendance_spans(calendar, day):
    """[(start, end)] aware datetimes of the calendar's attendances on day."""
    tz = pytz.timezone(calendar.tz or "UTC")
    spans = []
    for attendance in calendar.attendance_ids:
        if int(attendance.dayofweek) != day.weekday():
            continue
        if attendance.day_period == "lunch":
            continue
        base = tz.localize(datetime.combine(day, time.min))
        spans.append(
            (
                base + timedelta(hours=attendance.hour_from),
                base + timedelta(hours=attendance.hour_to),
            )
        )
    return spans


def _inside_one(start, end, spans):
    return any(begin <= start and end <= stop for begin, stop in spans)


def _point(partner):
    return (partner.partner_latitude, partner.partner_longitude)


def _travel(company, a, b):
    """Minutes from point a to point b, as the company measures travel."""
    return company._get_service_travel_matrix([a, b])[0][1]


def check_visits(env, visits):
    """Violations of the planned ``visits`` (read as superuser)."""
    errors = []
    visits = visits.sudo()
    env = visits.env
    by_user = {}
    for visit in visits:
        name = visit.name
        if visit.state != "planned":
            errors.append(f"{name}: state {visit.state}, not planned")
            continue
        user = visit.user_id
        company = visit.company_id
        tz = pytz.timezone(company.partner_id.tz or "UTC")
        start = pytz.utc.localize(visit.date_planned_start)
        end = pytz.utc.localize(visit.date_planned_end)
        day = start.astimezone(tz).date()
        # The window.
        first = visit.date_window_start or visit.date_due
        last = visit.date_window_end or visit.date_due
        if not first <= day <= last:
            errors.append(f"{name}: on {day}, outside its window {first}..{last}")
        # The duration.
        minutes = (end - start).total_seconds() / 60
        if abs(minutes - visit.duration_expected * 60) > 1:
            expected = visit.duration_expected
            errors.append(f"{name}: lasts {minutes} min, not {expected} h")
        # Skills valid that day.
        held = env["service.user.skill"].search(
            [
                ("user_id", "=", user.id),
                "|",
                ("date_expiry", "=", False),
                ("date_expiry", ">=", day),
            ]
        )
        missing = visit.skill_ids - held.skill_id
        if missing:
            names = missing.mapped("name")
            errors.append(f"{name}: {user.name} lacks {names} on {day}")
        # Working hours, leaves.
        resource = env["resource.resource"].search([("user_id", "=", user.id)], limit=1)
        calendar = resource.calendar_id or company.resource_calendar_id
        if not _inside_one(start, end, _attendance_spans(calendar, day)):
            errors.append(f"{name}: outside {user.name}'s working hours")
        leaves = env["resource.calendar.leaves"].search(
            [
                ("resource_id", "in", [False, resource.id]),
                ("date_from", "<", visit.date_planned_end),
                ("date_to", ">", visit.date_planned_start),
            ]
        )
        leaves = leaves.filtered(
            lambda leave, r=resource, c=calendar: leave.resource_id == r
            or leave.calendar_id in (c, c.browse())
        )
        if leaves:
            errors.append(f"{name}: during a leave of {user.name}")
        # Opening hours of the site.
        site = visit.site_id or visit.partner_id
        if site.service_opening_calendar_id and not _inside_one(
            start, end, _attendance_spans(site.service_opening_calendar_id, day)
        ):
            errors.append(f"{name}: outside the opening hours of {site.name}")
        by_user.setdefault(user, []).append((start, end, name, _point(site), company))
    # No overlap for a technician, and the time to drive between two visits
    # of the same day.
    for user, stops in by_user.items():
        stops.sort()
        for previous, following in zip(stops, stops[1:], strict=False):
            (_s, end, name, here, company), (start, _e, other, there, _c) = (
                previous,
                following,
            )
            if start < end:
                errors.append(f"{user.name}: {name} and {other} overlap")
            elif start - end < timedelta(hours=12):
                needed = _travel(company, here, there)
                if (start - end).total_seconds() / 60 < needed:
                    errors.append(
                        f"{user.name}: {needed} min to drive from {name} to {other}"
                    )
    return errors
