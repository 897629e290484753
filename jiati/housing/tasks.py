"""Background work of the housing app (django-tasks; the database worker runs it)."""

from django_tasks import task

from jiati.core.task_policy import rerun_if_interrupted


# Safe to run again: the rows and the job's end commit in one transaction, so a worker killed mid-import leaves
# nothing behind, and a finished job is not run again (import_services.import_job_execute).
@rerun_if_interrupted(times=3)
@task()
def run_import_job(job_id: int) -> None:
    # Imported when the task runs: import_services enqueues this task (a cycle at import time).
    from jiati.housing.import_services import import_job_execute

    import_job_execute(job_id=job_id)
