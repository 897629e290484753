"""Signals housing sends for work done in bulk, where no per-row `post_save` fires (apps above housing listen)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once per chunk of a housing import with `stairwell_ids`: the stairwells the chunk created or changed, and the
# stored ones whose dwellings, owners or ownerships it created, changed or ended (the pool scores them once after the
# commit).
stairwells_changed = Signal()
