"""deepinfo.stats.difference_se: the difference of two independent estimates, standard errors in quadrature."""
import math

import numpy as np
import pytest

from deepinfo.stats import difference_se


def test_difference_se_known_values():
    assert difference_se(5.0, 0.3, 2.0, 0.4) == pytest.approx((3.0, 0.5))         # a 3-4-5 triangle
    assert difference_se(1.0, 0.0, 1.0, 0.0) == (0.0, 0.0)
    d, se = difference_se(2.0, math.nan, 1.0, 0.1)                                  # one realisation: no spread
    assert d == 1.0 and math.isnan(se)


def test_difference_se_matches_the_spread_of_simulated_differences():
    rng = np.random.default_rng(0)
    a, b = rng.normal(1.0, 0.2, 200_000), rng.normal(0.0, 0.15, 200_000)
    _, se = difference_se(1.0, 0.2, 0.0, 0.15)
    assert np.std(a - b) == pytest.approx(se, rel=0.01)
