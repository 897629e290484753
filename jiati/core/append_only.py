"""Records that are never changed once written: timelines, ballots, objection steps, reviews, ledger, audit.

One base for every such log. Its queryset refuses `update()` and `delete()`, its model mixin refuses saving
an existing row and deleting one. A correction is a new row (a reversal, a new decision, a new event).
Deleting a parent still cascades through Django's collector, which uses the base manager, where a model's
relations allow it; data fixes that truly must rewrite a row say so by going through `Model._base_manager`.
"""

from __future__ import annotations

from django.db import models


class AppendOnlyError(TypeError):
    """A change to a row of an append-only log was attempted (a programming error, never a user's)."""


def _refusal(model) -> str:
    custom = getattr(model, "append_only_refusal", None)
    if custom:
        return custom
    return f"{model._meta.label} is append-only; record a new entry instead."


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk updates and deletes are refused; reads and inserts work as usual."""

    def update(self, **kwargs):
        raise AppendOnlyError(_refusal(self.model))

    def delete(self):
        raise AppendOnlyError(_refusal(self.model))


class AppendOnlyModel:
    """Mixin (before models.Model in the bases): a saved row is never saved again nor deleted.

    A plain mixin rather than an abstract model, so adopting it changes no migration state.
    Set `append_only_refusal` on the model for a domain-specific message.
    """

    def save(self, *args, **kwargs):
        if not self._state.adding and not kwargs.get("force_insert"):
            raise AppendOnlyError(_refusal(type(self)))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(_refusal(type(self)))
