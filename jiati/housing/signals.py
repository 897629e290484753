"""Signals housing sends for work done in bulk, where no per-row `post_save` fires (apps above housing listen)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once per chunk of a housing import with `stairwell_ids`: the stored stairwells whose dwellings, owners or
# ownerships the chunk created, changed or ended (the pool refreshes their priority once after the commit).
stairwells_changed = Signal()
