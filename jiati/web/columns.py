"""A column of a list: how to show a value on the page and write it to an export, in one definition."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Column:
    header: Any  # a (lazy) translated label
    value: str | Callable[[Any], Any]  # attribute path "estate.name" (get_*_display works) or a function of the row
    personal: str | None = None  # "id_number" / "phone" / "bank_account": masked unless the role may see it
    link: Callable[[Any], str] | None = None  # the row's URL, shown as a link on the page
    export: bool = True
    css: str = ""
    # Whose personal data the column shows, if not the row's own (recorded when shown in full).
    subject: Callable[[Any], Any] | None = None

    def subject_of(self, row) -> Any:
        return self.subject(row) if self.subject is not None else row

    def get(self, row) -> Any:
        if callable(self.value):
            return self.value(row)
        current = row
        for part in self.value.split("."):
            if current is None:
                return None
            current = getattr(current, part)
            if callable(current) and part.startswith("get_"):
                current = current()
        return current
