"""Background jobs of core: imports (``core.intake``)."""

from huey.contrib.djhuey import db_task

from baifang.core import intake


@db_task()
def run_import_batch(batch_id: int) -> str | None:
    """Check and write one queued import batch; a batch already claimed is left alone."""
    batch = intake.run(batch_id)
    return batch.status if batch else None
