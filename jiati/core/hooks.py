"""Extension points between apps, without imports pointing upwards.

An app offers a piece of a page by defining a function in a known module:
- `<app>/widgets.py: start_page_widgets(*, user) -> list[dict]` — cards on the start page;
- `<app>/panels.py: project_panels(*, request, project) -> list[dict]` — cards on a project's page.
Each dict has at least "template" and "order"; the rest is the template's context.
"""

from __future__ import annotations

from importlib import import_module

from django.apps import apps


def collect(module: str, function: str, **kwargs) -> list[dict]:
    items: list[dict] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("jiati."):
            continue
        try:
            mod = import_module(f"{config.name}.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{module}":
                raise
            continue
        hook = getattr(mod, function, None)
        if hook is not None:
            items.extend(hook(**kwargs))
    return sorted(items, key=lambda item: item.get("order", 100))
