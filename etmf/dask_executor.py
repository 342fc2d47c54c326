"""``etmf scan --executor dask``: the same per-file work on Dask distributed workers.

With ``--scheduler ADDRESS`` the scan joins an existing cluster (every worker needs etmf
installed, and the scanned folder mounted at the same path); without it, a LocalCluster of
``--jobs`` single-threaded worker processes is started for the scan (PDFium is not
thread-safe, so never several threads per worker), or with ``--jobs 0`` one worker thread in
this process.

Files go in batches, one task each (a task per file costs more than a small file takes);
batches are submitted a few at a time, so neither the scheduler nor this process holds every
job at once, and results come back as compact encoded documents. The analysis context is sent
to the workers once. Dask cannot stop a running task, so ``--timeout`` is not enforced here;
a batch that fails (a worker died) reports each of its files as not analysed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from etmf.cache.work import Job, JobResult, run_batch
from etmf.errors import UsageError
from etmf.inventory import AnalysisContext

if TYPE_CHECKING:
    from etmf.executors import ExecutorOptions

_BATCH = 32
_IN_FLIGHT_PER_WORKER = 3
_CONNECT_SECONDS = 30


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise UsageError(
            "--executor dask needs Dask distributed: pip install 'etmf[dask]'"
        ) from None
    return distributed


def run_on_dask(
    jobs: Sequence[Job], context: AnalysisContext, options: ExecutorOptions
) -> Iterator[JobResult]:
    from etmf.executors import failed_job

    distributed = _distributed()
    cluster = None
    try:
        if options.scheduler:
            client = distributed.Client(
                options.scheduler, timeout=_CONNECT_SECONDS, set_as_default=False
            )
        else:
            cluster = distributed.LocalCluster(
                n_workers=max(1, options.jobs),
                threads_per_worker=1,
                processes=options.jobs > 0,
                dashboard_address=":0",  # no fixed port: 8787 may be taken
                silence_logs=logging.ERROR,
            )
            client = distributed.Client(cluster, set_as_default=False)
    except (OSError, TimeoutError) as error:
        if cluster is not None:
            cluster.close()
        where = options.scheduler or "a local cluster"
        raise UsageError(f"cannot reach the Dask scheduler at {where}: {error}") from None
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        size = max(1, min(_BATCH, len(jobs) // (workers * 4)))
        batches = [list(jobs[i : i + size]) for i in range(0, len(jobs), size)]
        shared = client.scatter(context, broadcast=True)
        waiting = iter(batches)
        running: dict[Any, list[Job]] = {}

        def submit() -> Any:
            batch = next(waiting, None)
            if batch is None:
                return None
            future = client.submit(run_batch, batch, shared, pure=False)
            running[future] = batch
            return future

        first = [submit() for _ in range(workers * _IN_FLIGHT_PER_WORKER)]
        done = distributed.as_completed([f for f in first if f is not None], loop=client.loop)
        for future in done:
            batch = running.pop(future)
            try:
                results: list[JobResult] = future.result()
            except Exception as error:  # a worker died or the task raised: report, go on
                problem = f"could not be analysed on Dask: {type(error).__name__}: {error}"
                results = [failed_job(job, problem[:300]) for job in batch]
            future.release()
            following = submit()
            if following is not None:
                done.add(following)
            yield from results
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
