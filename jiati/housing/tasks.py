"""Background work of the housing app (django-tasks; the database worker runs it)."""

from django_tasks import task


@task()
def run_import_job(job_id: int) -> None:
    from jiati.housing.import_services import import_job_execute

    import_job_execute(job_id=job_id)
