"""The Song et al. Fig. 3g claim is decided by the rank test of :mod:`deepinfo.verdicts` (layer_rank_test on
the critical layer, calibrated in ``tests/test_verdicts_rank_and_seeds.py``); what stays chapter-specific is
the threshold the claim states."""
from __future__ import annotations

from deepinfo.experiments.resolution_relevance import claims as c


def test_the_claim_is_decided_by_the_rank_test():
    spec = {s.id: s for s in c.CLAIMS}["P1.best_generation_at_critical_layer"]
    assert "permutation" in spec.threshold and str(c.ALPHA) in spec.threshold
    assert "3 of 10" in spec.threshold_reason
