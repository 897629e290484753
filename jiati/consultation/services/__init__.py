"""Writes in consultation, one module per area: windows (windows, slots, bookings, consultation records),
meetings (the four-level meetings and their action items), petitions, publicity."""
