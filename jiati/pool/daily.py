"""The pool's daily sweep: owners who turned 70 change their stairwells' priority with nothing saved."""

from jiati.pool.priority import priority_refresh_aged


def run_daily() -> dict[str, int]:
    return {"priorities_refreshed_for_ages": priority_refresh_aged()}
