"""Extension points between apps, without imports pointing upwards.

An app offers a piece of a page by defining a function in a known module:
- `<app>/widgets.py: start_page_widgets(*, user) -> list[dict]` — cards on the start page;
- `<app>/panels.py: project_panels(*, request, project) -> list[dict]` — cards on a project's page;
- `<app>/navigation.py: nav_items(*, user) -> list[dict]` — entries of the top bar (collected by the web layer).
Each dict has at least "order"; the rest is what the consumer needs (a template and its context, a link…).
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from types import ModuleType

from django.apps import apps


@cache
def _hook_modules(module: str) -> tuple[ModuleType, ...]:
    """The apps' modules of this name, found once per process (navigation is collected on every page)."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("jiati."):
            continue
        try:
            found.append(import_module(f"{config.name}.{module}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{module}":
                raise
    return tuple(found)


def collect(module: str, function: str, **kwargs) -> list[dict]:
    items: list[dict] = []
    for mod in _hook_modules(module):
        hook = getattr(mod, function, None)
        if hook is not None:
            items.extend(hook(**kwargs))
    return sorted(items, key=lambda item: item.get("order", 100))
