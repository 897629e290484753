"""Date and time formats for both languages (settings.FORMAT_MODULE_PATH): ISO dates, 24-hour times.

`{{ some_date }}` and `{{ some_date|date }}` then read 2026-12-04 in Chinese and English alike, the same as
`jiati.core.formatting` writes in Python — one way of showing a date across the product.
"""
