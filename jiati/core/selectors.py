"""The start page gathers widgets from each installed app that offers one (`<app>.widgets.start_page_widgets`)."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps


def start_page_widgets(*, user) -> list[dict]:
    widgets: list[dict] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("jiati."):
            continue
        try:
            module = import_module(f"{config.name}.widgets")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.widgets":
                raise
            continue
        widgets.extend(module.start_page_widgets(user=user))
    return sorted(widgets, key=lambda w: w.get("order", 100))
