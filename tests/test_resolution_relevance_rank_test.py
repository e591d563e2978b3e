"""The Song et al. Fig. 3g claim is decided by the rank test of :mod:`deepinfo.verdicts` (layer_rank_test on
the critical layer, calibrated in ``tests/test_verdicts_rank_and_seeds.py``); what stays chapter-specific is
the threshold the claim states."""
from __future__ import annotations

from deepinfo.experiments.resolution_relevance import claims as c


def test_the_claim_is_decided_by_the_rank_test():
    spec = {s.id: s for s in c.CLAIMS}["P1.best_generation_at_critical_layer"]
    assert "permutation" in spec.threshold and str(c.ALPHA) in spec.threshold
    assert "3 of 10" in spec.threshold_reason


def test_evaluate_decides_fig_3g_with_the_rank_test_at_the_stated_alpha(monkeypatch):
    """evaluate() hands the critical layers, the generation abilities and ALPHA to layer_rank_test, and the
    verdict follows the abilities: best at the critical layer holds, best elsewhere in every realisation fails."""
    import numpy as np

    from test_resolution_relevance_claims import synthetic_result

    res = synthetic_result()
    seen = {}
    real = c.layer_rank_test

    def spy(layers, scores, alpha, **kw):
        seen.update(layers=np.asarray(layers), scores=np.asarray(scores), alpha=alpha, kw=kw)
        return real(layers, scores, alpha, **kw)

    monkeypatch.setattr(c, "layer_rank_test", spy)
    v = c.evaluate(res)["P1.best_generation_at_critical_layer"]
    tr = res["trained"]
    np.testing.assert_array_equal(seen["layers"], c.critical_layers(tr["H_s"], tr["H_k"]))
    np.testing.assert_array_equal(seen["scores"], res["generation"]["ability"])
    assert seen["alpha"] == c.ALPHA and seen["kw"]["name"] == "critical"
    assert v.status == "holds" and v.extra["alpha"] == c.ALPHA

    ab = res["generation"]["ability"].copy()  # the opposite evidence: another layer generates far better
    other = (seen["layers"] % ab.shape[1])  # 0-based index of the layer after the critical one (wrapping)
    ab[np.arange(len(ab)), other] = 10.0
    res["generation"]["ability"] = ab
    assert c.evaluate(res)["P1.best_generation_at_critical_layer"].status == "does not hold"
