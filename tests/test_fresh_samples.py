"""Reports the extractor has never seen: freshly generated with a seed of this test's own.

The committed samples could be learnt by heart; these change with the seed, so passing
here means the mechanism, not the sample, is right.
"""

from __future__ import annotations

import pytest

from extractor.evaluate import score
from extractor.pipeline import extract_document
from samples.generate import random_jobs, run_job

SEEDS = ["fresh-a", "fresh-b"]


@pytest.mark.parametrize("seed", SEEDS)
def test_fresh_text_reports(tmp_path, seed):
    failures = []
    for job in random_jobs(8, seed, kinds=("text",)):
        truth = run_job(job, tmp_path)
        result = extract_document(tmp_path / "text" / truth["file"])
        s = score(result, truth)
        if s.wrong or s.silent_errors or s.missed_source_errors or s.unexpected_failed_checks:
            failures.append((truth["file"], s.wrong[:3], s.silent_errors[:3],
                             s.missed_source_errors, s.unexpected_failed_checks[:3]))
    assert failures == []
