def selection_label(records, field, value):
    """The label of ``value`` in the selection ``field`` of ``records``'
    model, in the language of their environment ('' when unknown)."""
    labels = dict(records._fields[field]._description_selection(records.env))
    return labels.get(value, "")
