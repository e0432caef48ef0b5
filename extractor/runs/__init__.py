"""Where documents are extracted, behind one small interface.

inputs.py finds and hashes files and skips what the store has; runner.py submits
documents to a scheduler and stores each result in its own transaction (the one place
that writes results); local.py is the process pool on this machine; dask.py runs the same
interface on a Dask cluster; worker.py is what runs on a worker, whatever the scheduler.
"""

from extractor.runs.inputs import SUPPORTED_SUFFIXES, Item, collect_inputs, plan
from extractor.runs.runner import Interrupts, Outcome, Runner, RunSummary, Scheduler

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Interrupts",
    "Item",
    "Outcome",
    "RunSummary",
    "Runner",
    "Scheduler",
    "collect_inputs",
    "plan",
]
