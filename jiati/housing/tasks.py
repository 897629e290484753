"""Background work of the housing app (django-tasks; the database worker runs it)."""

from django_tasks import task


@task()
def run_import_job(job_id: int) -> None:
    # Imported when the task runs: import_services enqueues this task (a cycle at import time).
    from jiati.housing.import_services import import_job_execute

    import_job_execute(job_id=job_id)
