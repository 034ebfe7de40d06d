"""Chapter 05's panels (widgets/gauge_theory.py): every control changes the figure, extremes never
raise or draw NaN, Reset restores the canonical setting, and the numbers the chapter states hold."""

import widget_checks as wc  # noqa: I001  (selects the ipympl backend first)

import numpy as np
import pytest

from widgets import gauge_theory as G


FACTORIES = {
    "transformation": G.gauge_transformation_panel,
    "exact_vs_p1": G.exact_vs_goldstone_panel,
    "fixing": G.gauge_fixing_panel,
    "nonabelian": G.nonabelian_panel,
}


@pytest.fixture(scope="module", params=list(FACTORIES))
def panel(request):
    return FACTORIES[request.param]()


def test_constructs_clean(panel):
    assert panel.error is None
    assert panel.caption.value
    wc.assert_finite(panel.fig)


def _prepare(panel, name):
    """A control that only matters in one setting is tested in that setting."""
    if isinstance(panel, G.GaugeTransformationPanel) and name in ("strength", "gauge_seed"):
        panel.controls["kind"].value = "random"


def test_every_control_changes_the_figure_and_reset_restores(panel):
    wc.check_every_control_changes_figure(panel, _prepare)


def test_extremes_never_raise_or_draw_nan(panel):
    wc.check_extremes(panel)


# --- the chapter's quantitative claims -------------------------------------------------------------
def test_gauge_transformation_keeps_Lprime_and_covariant_differences():
    """P2 Eq. 5: L'(Z~; Gamma~) = L'(Z; Gamma) while Z and the plain loss L(Z) move."""
    p = G.gauge_transformation_panel()
    for kind, strength in (("random", 3.0), ("random", 0.5), ("absorb", 1.0)):
        p.set(kind=kind, strength=strength)
        assert abs(p.Lp1 - p.Lp0) <= 1e-12 * max(1.0, p.Lp0)
        np.testing.assert_allclose(p.cov1, p.cov0, atol=1e-12)
        assert not np.allclose(p.Z1, p.Z0)
    p.set(kind="random", strength=1.0)
    assert p.L1 > 10 * p.L0  # a rough gauge makes the naive loss much larger
    p.set(kind="absorb")
    assert p.L1 < p.L0  # absorbing the twist into Gamma leaves an untwisted Z
    # ... every step now points the same way: the twist lives in Gamma~ alone
    assert np.ptp(np.arctan2(p.Z1[:, 1, 0], p.Z1[:, 0, 0])) < 1e-12


def test_exact_step_is_the_optimum_p1_approaches():
    """design.md §3: the exact step reaches the minimum over rotations at once; P1's phases approach
    it from above and never go below it; neither changes the local losses."""
    p = G.exact_vs_goldstone_panel()
    for step in (0.25, 1.0):
        p.set(step=step)
        assert np.all(p.psi_p1 >= p.psi_exact - 1e-9 * p.psi_exact)
        assert p.psi_exact < p.psi_start
        assert p.local_change < 1e-9
    assert p.psi_p1[-1] - p.psi_exact < 1e-4 * (p.psi_start - p.psi_exact)  # Eq. 17 as printed
    p.set(warm=False)
    assert p.psi_p1[-1] - p.psi_exact < 1e-6 * (p.psi_start - p.psi_exact)
    for step in (0.25, 1.0):
        for warm in (True, False):
            p.set(model="hat", step=step, warm=warm)
            assert np.all(p.psi_p1 >= p.psi_exact - 1e-9 * p.psi_exact)
    p.set(model="hat", step=0.25, warm=True)
    assert p.psi_p1[-1] - p.psi_exact < 1e-2 * (p.psi_start - p.psi_exact)


@pytest.mark.parametrize("T", [4, 16, 64])
def test_gauge_fixing_changes_orientation_not_loss(T):
    """Gauge fixing (first / last / mean frame) changes only a global rotation, never the loss."""
    p = G.gauge_fixing_panel(T=T)
    for ref in ("last", "mean"):
        p.set(reference=ref)
        assert p.loss_spread <= 1e-12 * max(p.losses.values())
        assert p.offset_spread < 1e-9   # one global angle at every t
        assert abs(p.global_angle) > 1e-3 or T == 4  # and it does rotate the result


@pytest.mark.parametrize("d, slope_p2", [(2, 3.0), (3, 2.0), (4, 2.0)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_commutator_scaling(d, slope_p2, seed):
    """design.md §5: P2 Eq. 6 as printed errs by O(eps^2) for d >= 3 (O(eps^3) for d = 2); with
    +1/2 [Gamma_t, Gamma_{t-1}] and P1 Eq. 14 the error is O(eps^3) in every d."""
    eps, err = G.expansion_errors(d, seed)
    assert G.loglog_slope(eps, err["p2"]) == pytest.approx(slope_p2, abs=0.1)
    assert G.loglog_slope(eps, err["p2c"]) == pytest.approx(3.0, abs=0.1)
    assert G.loglog_slope(eps, err["p1"]) == pytest.approx(3.0, abs=0.1)
