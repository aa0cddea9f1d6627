//! Categorical drift tests and distances against scipy 1.17.1
//! (`tests/reference/drift_reference.py categorical`).

use fairgauge_core::drift::{chi_square_2xk, cramers_v, g_test_2xk, jensen_shannon};

fn close(got: f64, want: f64, tol: f64) -> bool {
    (got - want).abs() <= tol * want.abs() || (got - want).abs() <= 1e-12
}

#[test]
fn contingency_tests_match_scipy() {
    for &(reference, current, chi, g, v, js) in REFERENCE_TABLES {
        let t = chi_square_2xk(reference, current).unwrap().unwrap();
        assert!(
            close(t.statistic, chi.0, 1e-9),
            "{reference:?}: X² {} vs {}",
            t.statistic,
            chi.0
        );
        assert!(
            close(t.p_value.unwrap(), chi.1, 1e-6),
            "{reference:?}: p {:?} vs {}",
            t.p_value,
            chi.1
        );
        let t = g_test_2xk(reference, current).unwrap().unwrap();
        assert!(
            close(t.statistic, g.0, 1e-9),
            "{reference:?}: G {} vs {}",
            t.statistic,
            g.0
        );
        assert!(
            close(t.p_value.unwrap(), g.1, 1e-6),
            "{reference:?}: p {:?} vs {}",
            t.p_value,
            g.1
        );
        let got = cramers_v(reference, current).unwrap().unwrap();
        assert!(close(got, v, 1e-9), "{reference:?}: V {got} vs {v}");
        let got = jensen_shannon(reference, current).unwrap();
        assert!(close(got, js, 1e-9), "{reference:?}: JS {got} vs {js}");
    }
}

// scipy 1.17.1, per TABLES entry (ref, cur), with categories empty in both rows dropped:
//   chi2_contingency([ref, cur], correction=False) -> (statistic, pvalue);
//   chi2_contingency([ref, cur], correction=False, lambda_='log-likelihood') -> (statistic, pvalue);
//   contingency.association([ref, cur], method='cramer');
//   scipy.spatial.distance.jensenshannon(ref, cur, base=2) (on the full vectors)
/// (reference, current, (X², p), (G, p), Cramér's V, Jensen-Shannon distance)
type TableRow = (
    &'static [u64],
    &'static [u64],
    (f64, f64),
    (f64, f64),
    f64,
    f64,
);
const REFERENCE_TABLES: &[TableRow] = &[
    (
        &[50, 30, 20, 0],
        &[40, 40, 10, 10],
        (15.873015873015873, 0.0012040250514101928),
        (19.80780368070511, 0.0001860427791838916),
        0.2817180849095055,
        0.2672855221530687,
    ),
    (
        &[120, 80, 0, 33, 7],
        &[100, 95, 0, 20, 15],
        (8.992971360742075, 0.029384482234200475),
        (9.093510196493636, 0.0280731092419139),
        0.1383256361583064,
        0.11812641145852205,
    ),
    (
        &[1000, 2000, 3000, 4000],
        &[1100, 1900, 3050, 3950],
        (8.053695875308225, 0.04491491130580154),
        (8.05578498921453, 0.044872757837459185),
        0.020067007593694963,
        0.017045557378982786,
    ),
    (
        &[3, 0],
        &[0, 4],
        (7.0, 0.008150971593502705),
        (9.560713465806602, 0.001987858330140543),
        1.0,
        1.0,
    ),
    (
        &[10, 1, 0, 0, 2, 500],
        &[12, 0, 1, 0, 3, 480],
        (2.504270127560208, 0.6438713240192182),
        (3.2777691595800134, 0.512462234447023),
        0.04981899971861675,
        0.04840726069555114,
    ),
    (
        &[5, 7],
        &[9, 2],
        (3.884499759499758, 0.04873377839000807),
        (4.057383040392656, 0.043978604645979594),
        0.4109638595926579,
        0.3576133494322547,
    ),
];
