"""Constructions and checks for Lin, Tegmark & Rolnick, "Why does deep and cheap learning work so well?"
(J. Stat. Phys. 2017; arXiv:1608.08225), chapter ``book/cheap_learning.md``.

Each module turns one statement of the paper into something that can be computed:

* :mod:`.bayes`       Bayes' theorem as a softmax (eq. 1-8), Appendix A counterexample (eq. 28-32)
* :mod:`.gates`       the 2-4-1 multiplication gate (eq. 10-11), product trees, bit products (eq. 13),
                      any function of n bits as a 3-layer network (eq. 12)
* :mod:`.counting`    parameter counts of polynomial Hamiltonians (eq. 9, section II D)
* :mod:`.hierarchy`   Markov chains, data processing inequality (eq. 21-22), Theorem 2 (eq. 17-20)
* :mod:`.flattening`  linear no-flattening: FFT butterflies, low rank, random sparse (eq. 25-27)
* :mod:`.rg`          Gaussian random field renormalisation (eq. 23-24)
* :mod:`.shallow_product` the 2^n-neuron one-hidden-layer product and its minimality (Rolnick & Tegmark 2018)
* :mod:`.cliques`     the clique-cover bound and maximum entropy (section II D)
* :mod:`.strassen`    Strassen's 7-product factorisation of 2 x 2 matrix multiplication (section III G)
* :mod:`.shallow_deep` training shallow and deep networks on x1 x2 ... xn (the paper's conjecture)
"""
from . import bayes, cliques, counting, flattening, gates, hierarchy, rg, shallow_deep, shallow_product, strassen  # noqa: F401
