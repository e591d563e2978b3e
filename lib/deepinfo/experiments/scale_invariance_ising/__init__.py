"""Lee & Jo 2022: the Ising data (Fig. 5) and the theory of Sec. III, the chapter's second page.

Page: ``book/scale_invariance_ising.md``. ``run`` holds the configs, presets and cached runners,
``claims`` the declared claims and their verdict functions, ``figures`` one function per figure.
"""
from . import claims, figures  # noqa: F401
from .run import (PRESETS, Config, IsingConfig, TheoryConfig, coincidence_share, run_fig5,  # noqa: F401
                  run_fig5_seeds, run_theory, run_width_sweep, units)

__all__ = ["PRESETS", "Config", "IsingConfig", "TheoryConfig", "run_fig5", "run_fig5_seeds", "run_width_sweep",
           "run_theory", "coincidence_share", "units", "claims", "figures"]
