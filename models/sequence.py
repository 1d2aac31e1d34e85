from odoo.tools import SQL


def next_names(env, code, count):
    """``count`` names drawn from the sequence ``code``, as ``count`` calls of
    ``ir.sequence.next_by_code`` would draw them (the sequence of the
    current company, else the shared one; False without a sequence), in one
    query for a standard sequence without date ranges.

    The generation of the preventive visits names thousands of visits a run:
    one ``next_by_code`` each (a search, then ``nextval``) took 40 % of it.
    """
    if not count:
        return []
    Sequence = env["ir.sequence"]
    Sequence.browse().check_access("read")
    sequence = Sequence.search(
        [("code", "=", code), ("company_id", "in", [env.company.id, False])],
        order="company_id",
        limit=1,
    )
    if not sequence:
        return [False] * count
    if sequence.implementation != "standard" or sequence.use_date_range:
        return [sequence._next() for _index in range(count)]
    env.cr.execute(
        SQL(
            "SELECT nextval(%s) FROM generate_series(1, %s)",
            f"ir_sequence_{sequence.id:03d}",
            count,
        )
    )
    return [sequence.get_next_char(number) for (number,) in env.cr.fetchall()]
