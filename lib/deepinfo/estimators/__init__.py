"""Information-theoretic estimators shared by all chapters (bits unless ``base`` says otherwise).

Resolution and relevance (Song, Marsili & Jo 2018; Lee & Jo 2022):
    state_counts, degeneracy, resolution (H[s]), relevance (H[k])
Mutual information:
    entropy, mutual_information
"""
from .counting import (degeneracy, entropy, mutual_information, relevance, resolution, state_counts,  # noqa: F401
                       state_ids)
