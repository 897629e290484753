"""Consultation pages, one module per area. Each action is one POST → one service → back to the page."""
