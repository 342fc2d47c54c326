"""Where the per-file work of a scan runs: in this process, in the local worker pool, or on
Dask distributed workers. Each runs the same :func:`etmf.cache.work.run_job` on the same jobs
and yields the same results, in completion order; the report sorts documents, so the JSON is
byte-identical whichever ran them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from etmf.cache.codec import encode
from etmf.cache.work import Job, JobResult, Outcome, run_job
from etmf.inventory import AnalysisContext, warm_up
from etmf.workers import PoolOptions, WorkerPool, failed


class Executor(StrEnum):
    LOCAL = "local"
    DASK = "dask"


@dataclass(frozen=True, slots=True)
class ExecutorOptions:
    """``jobs``: local worker processes (0: this process, without a time limit), or the number
    of workers of a Dask LocalCluster; ``scheduler``: a Dask scheduler's address (none: start a
    LocalCluster)."""

    executor: Executor = Executor.LOCAL
    jobs: int = 0
    timeout_seconds: float = 120.0
    scheduler: str | None = None


def failed_job(job: Job, problem: str) -> JobResult:
    """The result for a job that did not finish: an unreadable document that says why."""
    return JobResult(Outcome.FAILED, encode(failed(job.entry, problem)))


def run_jobs(
    jobs: Sequence[Job], context: AnalysisContext, options: ExecutorOptions
) -> Iterator[JobResult]:
    if not jobs:
        return
    if options.executor is Executor.DASK:
        from etmf.dask_executor import run_on_dask

        yield from run_on_dask(jobs, context, options)
    elif options.jobs == 0:
        warm_up(context)
        for job in jobs:
            yield run_job(job, context)
    else:
        workers = min(options.jobs, len(jobs))
        pool_options = PoolOptions(jobs=workers, timeout_seconds=options.timeout_seconds)
        with WorkerPool(
            run_job, context, pool_options, warm=warm_up, on_failure=failed_job
        ) as pool:
            yield from pool.map(jobs)
