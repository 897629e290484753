"""The lifecycle of a housing import: upload → dry run → (no rejected row) → real run."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiati.accounts.permissions import can_import_housing
from jiati.audit.models import AuditAction
from jiati.audit.services import audit_record
from jiati.core.errors import refuse
from jiati.core.services import lock_visible, require
from jiati.core.tabular import TabularError, check_size, table_kind
from jiati.housing.importer import HousingImport, ImportFileError, progress_key
from jiati.housing.models import ImportJob, ImportStatus
from jiati.housing.tasks import run_import_job

logger = logging.getLogger(__name__)


def import_upload_check(*, upload, field: str | None = "file") -> None:
    """The file a housing import takes: an .xlsx workbook or a .csv file, at most JIATI_IMPORT_MAX_BYTES.

    Checked here, in the service, so the page, the API and a command refuse alike (the form calls it too).
    """
    try:
        table_kind(upload.name or "")
        check_size(upload.size, settings.JIATI_IMPORT_MAX_BYTES)
    except TabularError as exc:
        raise refuse(exc.message, code=exc.code, field=field) from exc


def import_job_start(*, actor, upload) -> ImportJob:
    """Store the file and check it (dry run) in the background: no request reads a workbook."""
    require(can_import_housing(actor))
    import_upload_check(upload=upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    job = ImportJob(created_by=actor, original_name=upload.name[:255], sha256=digest.hexdigest(), dry_run=True)
    job.file.save(upload.name, upload, save=False)
    job.save()
    return _dispatch(job)


def import_job_apply(*, actor, dry_job: ImportJob) -> ImportJob:
    """Apply a checked file. Only a finished dry run without a rejected row may be applied, once."""
    require(can_import_housing(actor))
    with transaction.atomic():
        dry_job = lock_visible(ImportJob, user=actor, pks=dry_job.pk)
        if not dry_job.dry_run or dry_job.status != ImportStatus.SUCCEEDED or dry_job.error_count:
            raise refuse(_("Only a checked file without rejected rows can be imported."), code="not_checked")
        if dry_job.real_runs.exclude(status=ImportStatus.FAILED).exists():
            raise refuse(_("This file has already been imported."), code="already_applied")
        job = ImportJob.objects.create(
            created_by=actor,
            original_name=dry_job.original_name,
            sha256=dry_job.sha256,
            file=dry_job.file.name,
            dry_run=False,
            dry_run_of=dry_job,
            total_rows=dry_job.total_rows,
        )
    return _dispatch(job)


def _dispatch(job: ImportJob) -> ImportJob:
    """Hand the job to the background worker: no request reads a workbook (a hostile one could hold a worker for
    minutes). The database backend's task row commits with the job; tests' immediate backend runs it at once."""
    run_import_job.enqueue(job.pk)
    job.refresh_from_db()
    return job


def import_job_execute(*, job_id: int) -> None:
    """Run one job to its end; called inline or by the background worker.

    Safe to run again after its worker was killed (the task re-runs it, jiati.core.task_policy): the rows, the job's
    end and its audit entry commit in one transaction, so a killed run leaves no row behind and the re-run starts
    over from the file; the job's own RUNNING state is taken over, and a finished job is not run again. The job row
    stays locked while it runs: a second runner of the same job waits, then finds it finished.
    """
    job = ImportJob.objects.get(pk=job_id)
    if job.is_finished:
        return
    if job.status != ImportStatus.RUNNING:  # RUNNING already: a re-run after a killed worker
        job.status = ImportStatus.RUNNING
        job.save(update_fields=["status"])
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job_id)
            if job.is_finished:
                return
            result = HousingImport(
                path=job.file.path, name=job.original_name, actor=job.created_by, dry_run=job.dry_run, job_id=job.pk
            ).run()
            _finish(
                job,
                status=ImportStatus.REJECTED if result.error_count else ImportStatus.SUCCEEDED,
                total_rows=result.total_rows,
                processed_rows=result.total_rows,
                summary=result.counts,
                changes=result.changes,
                errors=result.errors,
                error_count=result.error_count,
            )
            if not job.dry_run and not result.error_count:
                audit_record(
                    actor=job.created_by,
                    instance=job,
                    action=AuditAction.IMPORT,
                    changes={"rows": result.total_rows, "counts": result.counts, "sha256": job.sha256},
                    message=job.original_name,
                )
    except ImportFileError as exc:
        _fail(job_id, str(exc))
    except Exception as exc:
        logger.exception("housing import %s failed", job_id)
        _fail(job_id, _unexpected(exc))


def _fail(job_id: int, failure: str) -> None:
    """End the job FAILED, unless another run of it (a worker taken for dead that was not) has ended it meanwhile."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if not job.is_finished:
            _finish(job, status=ImportStatus.FAILED, failure=failure)


def _unexpected(exc: Exception) -> str:
    return _("The import stopped on an unexpected error: %(e)s") % {"e": exc.__class__.__name__}


def _finish(job: ImportJob, **fields) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    job.finished_at = timezone.now()
    job.save()
    transaction.on_commit(lambda: cache.delete(progress_key(job.pk)))


def import_progress(*, job: ImportJob) -> dict:
    if job.is_finished:
        return {"processed": job.processed_rows, "total": job.total_rows, "finished": True}
    progress = cache.get(progress_key(job.pk)) or {"processed": 0, "total": job.total_rows}
    return {**progress, "finished": False}
