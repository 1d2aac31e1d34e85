"""Server-side guard of the lifecycle fields of contracts, billing periods
and interventions.

Each guarded model inherits ``service.lifecycle.guard`` in its main
definition and lists its fields in the hooks below; each concern extends
them, in its own file, with the fields it defines:

- action fields: written only by the model's own methods, in any state
  (``state``, notice, termination, signature...);
- create-only fields: set at creation, then written only by the model's own
  methods (the contract of a period or a visit...);
- frozen fields: refused once ``_is_frozen()`` holds (a signed contract's
  document, start date and terms; an invoiced period's amount...).

``write`` and ``create`` refuse them whoever calls - user, RPC, ``sudo`` -
unless the call runs inside ``lifecycle_write()``: within a method decorated
``@lifecycle_action`` (the model's actions, listed by
``_get_lifecycle_actions()``), or a ``with lifecycle_write():`` block inside
a method. That permission is a
Python context variable of the running request: nothing a client sends
(values, context, method name) can set it, unlike the context of the
environment. Data files loaded by the server (registry not ready yet) are
trusted, as they write demo and module data.
"""

import contextvars
import functools
from contextlib import contextmanager

from odoo import api, models
from odoo.exceptions import UserError

_LIFECYCLE_WRITE = contextvars.ContextVar(
    "service_contract_lifecycle_write", default=False
)


def is_lifecycle_write(env):
    """Whether the running code may write guarded fields: inside
    ``lifecycle_write()``, or data files loaded by the server."""
    return _LIFECYCLE_WRITE.get() or not env.registry.ready


@contextmanager
def lifecycle_write():
    """Let the model's own methods write guarded fields in this block."""
    token = _LIFECYCLE_WRITE.set(True)
    try:
        yield
    finally:
        _LIFECYCLE_WRITE.reset(token)


def lifecycle_action(method):
    """Decorate a model's own action: it may write the guarded fields.

    Put it on the action's definition and on every override of it, in any
    file: each runs with the right, whatever the order of the files."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with lifecycle_write():
            return method(self, *args, **kwargs)

    wrapper._lifecycle_action = True
    return wrapper


class ServiceLifecycleGuard(models.AbstractModel):
    _name = "service.lifecycle.guard"
    _description = "Lifecycle Fields Guard"

    # ------------------------------------------------------------------
    # Hooks: the guarded fields and the actions of each model. Each concern
    # extends them with what it defines, in its own file.
    # ------------------------------------------------------------------

    def _get_lifecycle_actions(self):
        """Names of the methods that may write the guarded fields: each
        definition of them, overrides included, is ``@lifecycle_action``."""
        return ()

    def _get_action_fields(self):
        """Fields written only by the model's actions, never by a client."""
        return ()

    def _get_create_only_fields(self):
        """Fields a client sets at creation and never changes afterwards."""
        return ()

    def _get_frozen_fields(self):
        """Fields that no longer change once ``_is_frozen()`` holds."""
        return ()

    def _is_frozen(self):
        self.ensure_one()
        return False

    def _get_frozen_message(self, labels):
        """Error refusing to change the frozen fields ``labels`` of ``self``."""
        return self.env._(
            "%(fields)s can no longer change on %(records)s: the record is "
            "signed, invoiced or finished.",
            fields=labels,
            records=", ".join(self.mapped("display_name")),
        )

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------

    def _is_lifecycle_write(self):
        return is_lifecycle_write(self.env)

    def _field_labels(self, names):
        return ", ".join(
            sorted(self._fields[name]._description_string(self.env) for name in names)
        )

    def _check_lifecycle_write(self, vals):
        """Refuse a write of guarded fields outside the model's methods."""
        if self._is_lifecycle_write():
            return
        names = set(vals)
        refused = names & (
            set(self._get_action_fields()) | set(self._get_create_only_fields())
        )
        if refused:
            self.check_access("write")  # no right to write at all comes first
            raise UserError(
                self.env._(
                    "%(model)s: %(fields)s can only be changed by the actions "
                    "of the record (buttons), not written directly.",
                    model=self._description,
                    fields=self._field_labels(refused),
                )
            )
        frozen = names & set(self._get_frozen_fields())
        if frozen:
            locked = self.filtered(lambda record: record._is_frozen())
            if locked:
                self.check_access("write")
                raise UserError(locked._get_frozen_message(self._field_labels(frozen)))

    @api.model
    def default_get(self, fields_list):
        """Action fields start at their own default: a user's ``ir.default``
        (which a client can set for itself) never sets one."""
        defaults = super().default_get(fields_list)
        if not self._is_lifecycle_write():
            for name in set(defaults) & set(self._get_action_fields()):
                field = self._fields[name]
                if field.default:
                    defaults[name] = field.default(self)
                else:
                    del defaults[name]
        return defaults

    def _check_lifecycle_create(self, vals_list):
        """Refuse new records carrying action fields (directly or as context
        defaults) with another value than their empty or default one."""
        if self._is_lifecycle_write():
            return
        context_defaults = {
            key[len("default_") :]: value
            for key, value in self.env.context.items()
            if key.startswith("default_")
        }
        refused = set()
        for vals in vals_list:
            values = context_defaults | vals
            for name in self._get_action_fields():
                field = self._fields[name]
                default = field.default(self) if field.default else False
                if values.get(name) and values[name] != default:
                    refused.add(name)
        if refused:
            raise UserError(
                self.env._(
                    "%(model)s: %(fields)s are set by the actions of the record "
                    "(buttons), not at creation.",
                    model=self._description,
                    fields=self._field_labels(refused),
                )
            )
