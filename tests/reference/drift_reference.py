"""Reference values for the drift statistics of crates/fairgauge-core/src/drift/.

Run with the test venv (scipy 1.17.1, numpy 2.4, statsmodels 0.15.0):

    /work/venv/bin/python tests/reference/drift_reference.py SECTION

SECTION is one of: special, kstwo, ks_helpers, numeric, bins, categorical, correction,
cvm_exact_truncated (needs mpmath). Each prints
Rust literals to paste where the section's comment says (kstwo and ks_helpers go to
crates/fairgauge-core/src/drift/kolmogorov_reference.rs, numeric to
crates/fairgauge-core/tests/drift_scipy.rs).

The numeric samples come from a splitmix64 generator that the Rust test re-implements
bit for bit (integer arithmetic and exact float operations only), so no data is pasted.
"""

import math
import sys
import warnings

import numpy as np
from scipy import special, stats
from scipy.spatial.distance import jensenshannon
from scipy.stats import contingency
from statsmodels.stats.multitest import multipletests

warnings.simplefilter("ignore")
MASK = (1 << 64) - 1


def splitmix(seed):
    state = seed & MASK
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        yield z ^ (z >> 31)


def sample(seed, n, kind, loc, scale):
    """kind 0: loc + scale * (sum of 4 uniforms - 2) (Irwin-Hall, continuous);
    kind 1: loc + floor(scale * uniform) (integers, many ties). Returned sorted."""
    g = splitmix(seed)

    def u():
        return (next(g) >> 11) * 2.0**-53

    out = []
    for _ in range(n):
        if kind == 0:
            s = u()
            s += u()
            s += u()
            s += u()
            out.append(loc + scale * (s - 2.0))
        else:
            out.append(loc + math.floor(u() * scale))
    return np.sort(np.array(out, dtype=np.float64))


# (reference spec, current spec); spec = (seed, n, kind, loc, scale). Same list in drift_scipy.rs.
CASES = [
    ((1, 5, 0, 0.0, 1.0), (2, 4, 0, 0.3, 1.0)),
    ((3, 8, 0, 0.0, 1.0), (4, 8, 0, 0.5, 1.0)),
    ((5, 20, 0, 0.0, 1.0), (6, 17, 0, 0.4, 1.3)),
    ((7, 20, 1, 0.0, 6.0), (8, 20, 1, 1.0, 6.0)),
    ((9, 300, 0, 0.0, 1.0), (10, 250, 0, 0.1, 1.0)),
    ((11, 1000, 1, 0.0, 50.0), (12, 1200, 1, 2.0, 50.0)),
    ((13, 10000, 0, 0.0, 1.0), (14, 8000, 0, 0.02, 1.0)),
    ((15, 20000, 0, 0.0, 1.0), (16, 15000, 0, 0.01, 1.05)),
    ((17, 50000, 1, 0.0, 1000.0), (18, 60000, 1, 5.0, 1000.0)),
    ((19, 3, 0, 0.0, 1.0), (20, 30, 0, 1.0, 1.0)),
    ((21, 6, 0, 0.0, 1.0), (22, 6, 0, 5.0, 1.0)),
    ((23, 2000, 0, 0.0, 1.0), (24, 2000, 0, 0.5, 1.0)),
    ((27, 30000, 0, 0.0, 1.0), (28, 25000, 0, 0.05, 1.0)),
    ((29, 12, 0, 0.0, 1.0), (30, 7, 0, 0.2, 2.0)),
    ((31, 9, 1, 0.0, 4.0), (32, 11, 1, 0.0, 4.0)),
    ((33, 4000, 0, 0.0, 1.0), (34, 6000, 0, 0.0, 1.0)),
]
# Extra samples for the 3-sample Anderson-Darling check: [CASES[4] ref, CASES[4] cur, this].
AD_THIRD = (35, 100, 0, 0.2, 1.0)


def r(x):
    """Rust float literal (repr round-trips exactly)."""
    x = float(x)
    if math.isnan(x):
        return "f64::NAN"
    s = repr(x)
    if "e" not in s and "." not in s and "inf" not in s:
        s += ".0"
    return s


def section_special():
    print("// scipy 1.17.1: [(t, df, 2 * scipy.stats.t.sf(t, df))]")
    for t, df in [
        (0.5, 3.7),
        (2.0, 1.0),
        (2.0, 10.5),
        (4.0, 29.3),
        (1.0, 1234.5),
        (6.0, 123456.7),
        (3.0, 2.0e6),
        (10.0, 5.0e6),
        (0.01, 7.0),
    ]:
        print(f"({r(t)}, {r(df)}, {r(2 * stats.t.sf(t, df))}),")
    print("// scipy 1.17.1: [(nu, x, scipy.special.kve(nu, x))]")
    for nu, x in [
        (0.25, 0.001),
        (0.25, 0.3),
        (0.25, 1.5),
        (0.25, 1.999),
        (0.25, 2.0),
        (0.25, 7.5),
        (0.25, 300.0),
        (0.0, 0.5),
        (0.5, 3.0),
    ]:
        print(f"({r(nu)}, {r(x)}, {r(special.kve(nu, x))}),")


KSTWO_NS = [
    1,
    2,
    3,
    4,
    5,
    7,
    10,
    13,
    20,
    33,
    50,
    77,
    100,
    139,
    140,
    141,
    200,
    333,
    500,
    1000,
    2500,
    5000,
    10000,
    25000,
    50000,
    99999,
    100000,
    100001,
    250000,
    500000,
    999999,
    1000000,
    1000001,
    3000000,
    10000000,
]


def kstwo_points():
    pts = []
    for n in KSTWO_NS:
        ds = set()
        for nd2 in [
            0.05,
            0.2,
            0.5,
            0.754,
            0.755,
            1.0,
            1.5,
            2.0,
            2.19,
            2.21,
            3.0,
            3.99,
            4.01,
            6.0,
            10.0,
            18.0,
            30.0,
            60.0,
        ]:
            ds.add(math.sqrt(nd2 / n))
        for t in [0.6, 0.75, 0.99, 1.01, 1.5, 2.5]:
            ds.add(t / n)
        for d in [0.3, 0.49, 0.5, 0.55, 0.7, 0.9, 1 - 1.5 / n, 1 - 0.5 / n]:
            ds.add(d)
        if n <= 100000:
            ds.add((1.4 / n) ** (2 / 3) * 0.999)
            ds.add((1.4 / n) ** (2 / 3) * 1.001)
        for d in sorted(ds):
            if 0 < d < 1:
                pts.append((d, n))
    return pts


def section_kstwo():
    print("/// scipy 1.17.1: [(d, n, scipy.stats.kstwo.sf(d, n))] on a grid hitting every method")
    print("/// region of `_kolmogn` (tests/reference/drift_reference.py kstwo).")
    print("const REFERENCE_KSTWO: &[(f64, u64, f64)] = &[")
    for d, n in kstwo_points():
        print(f"    ({r(d)}, {n}, {r(stats.kstwo.sf(d, n))}),")
    print("];")


def section_ks_helpers():
    from scipy.stats._stats_py import _compute_prob_outside_square
    from scipy.stats._stats_pythran import _compute_outer_prob_inside_method

    print("/// scipy 1.17.1: [(n, h, scipy.stats._stats_py._compute_prob_outside_square(n, h))]")
    print("const REFERENCE_SQUARE: &[(u64, u64, f64)] = &[")
    for n, h in [
        (1, 1),
        (5, 2),
        (8, 3),
        (20, 7),
        (100, 13),
        (1000, 50),
        (1000, 200),
        (5000, 40),
        (10000, 300),
        (10000, 9999),
    ]:
        print(f"    ({n}, {h}, {r(_compute_prob_outside_square(n, h))}),")
    print("];")
    print("/// scipy 1.17.1: [(m, n, g, h, scipy.stats._stats_pythran._compute_outer_prob_inside_method(m, n, g, h))]")
    print("const REFERENCE_INSIDE: &[(u64, u64, u64, u64, f64)] = &[")
    for m, n, f in [
        (5, 4, 0.35),
        (4, 5, 0.6),
        (20, 17, 0.3),
        (300, 250, 0.2),
        (10000, 8000, 0.0125),
        (10000, 8000, 0.075),
        (7, 3, 0.7),
        (3, 30, 0.6),
        (2000, 30, 0.25),
        (9999, 10000, 0.02),
        (9999, 10000, 0.05),
        (1, 7, 0.9),
        (10000, 10, 0.35),
    ]:
        g = math.gcd(m, n)
        h = max(1, round(f * (m // g) * n))
        print(f"    ({m}, {n}, {g}, {h}, {r(_compute_outer_prob_inside_method(m, n, g, h))}),")
    print("];")


def section_numeric():
    print("// scipy 1.17.1, per CASES entry (reference = a, current = b):")
    print("//   ks = ks_2samp(a, b); mw = mannwhitneyu(a, b); welch = ttest_ind(a, b, equal_var=False);")
    print("//   wasserstein_distance(a, b); wasserstein_distance(a, b) / np.std(a);")
    print("//   energy_distance(a, b); cvm = cramervonmises_2samp(a, b); ad = anderson_ksamp([a, b])")
    print("const REFERENCE: &[Expected] = &[")
    for sa, sb in CASES:
        a, b = sample(*sa), sample(*sb)
        ks = stats.ks_2samp(a, b)
        mw = stats.mannwhitneyu(a, b)
        we = stats.ttest_ind(a, b, equal_var=False)
        wd = stats.wasserstein_distance(a, b)
        sd = np.std(a)
        ed = stats.energy_distance(a, b)
        cvm = stats.cramervonmises_2samp(a, b)
        ad = stats.anderson_ksamp([a, b])
        print("    Expected {")
        print(f"        ks: ({r(ks.statistic)}, {r(ks.pvalue)}),")
        print(f"        mann_whitney: ({r(mw.statistic)}, {r(mw.pvalue)}),")
        print(f"        welch: ({r(we.statistic)}, {r(we.pvalue)}),")
        print(f"        wasserstein: {r(wd)},")
        print(f"        wasserstein_normed: {r(wd / sd)},")
        print(f"        energy: {r(ed)},")
        print(f"        cvm: ({r(cvm.statistic)}, {r(cvm.pvalue)}),")
        print(f"        anderson: ({r(ad.statistic)}, {r(ad.pvalue)}),")
        print("    },")
    print("];")
    a, b = sample(*CASES[4][0]), sample(*CASES[4][1])
    c = sample(*AD_THIRD)
    ad = stats.anderson_ksamp([a, b, c])
    print("// scipy 1.17.1: anderson_ksamp([CASES[4] a, CASES[4] b, AD_THIRD])")
    print(
        f"const REFERENCE_AD3: (f64, [f64; 7], f64) = ({r(ad.statistic)}, "
        f"[{', '.join(r(v) for v in ad.critical_values)}], {r(ad.pvalue)});"
    )


TABLES = [
    ([50, 30, 20, 0], [40, 40, 10, 10]),
    ([120, 80, 0, 33, 7], [100, 95, 0, 20, 15]),
    ([1000, 2000, 3000, 4000], [1100, 1900, 3050, 3950]),
    ([3, 0], [0, 4]),
    ([10, 1, 0, 0, 2, 500], [12, 0, 1, 0, 3, 480]),
    ([5, 7], [9, 2]),
]


def section_categorical():
    print("// scipy 1.17.1, per TABLES entry (ref, cur), with categories empty in both rows dropped:")
    print("//   chi2_contingency([ref, cur], correction=False) -> (statistic, pvalue);")
    print("//   chi2_contingency([ref, cur], correction=False, lambda_='log-likelihood') -> (statistic, pvalue);")
    print("//   contingency.association([ref, cur], method='cramer');")
    print("//   scipy.spatial.distance.jensenshannon(ref, cur, base=2) (on the full vectors)")
    print("/// (reference, current, (X², p), (G, p), Cramér's V, Jensen-Shannon distance)")
    print("type TableRow = (&'static [u64], &'static [u64], (f64, f64), (f64, f64), f64, f64);")
    print("const REFERENCE_TABLES: &[TableRow] = &[")
    for ref, cur in TABLES:
        keep = [i for i in range(len(ref)) if ref[i] + cur[i] > 0]
        t = np.array([[ref[i] for i in keep], [cur[i] for i in keep]])
        c = stats.chi2_contingency(t, correction=False)
        g = stats.chi2_contingency(t, correction=False, lambda_="log-likelihood")
        v = contingency.association(t, method="cramer")
        js = jensenshannon(np.array(ref, float), np.array(cur, float), base=2)
        print(
            f"    (&{ref}, &{cur}, ({r(c.statistic)}, {r(c.pvalue)}), "
            f"({r(g.statistic)}, {r(g.pvalue)}), {r(v)}, {r(js)}),"
        )
    print("];")


def section_bins():
    print("// numpy 2.4: edges = np.unique(np.quantile(a, np.arange(1, bins) / bins)) (default 'linear');")
    print("//   counts = np.bincount(np.searchsorted(edges, x, side='left'), minlength=len(edges) + 1)")
    print("//   for x = a and x = b; psi = sum((q - p) * log(q / p)) on the shares with 0 -> 1e-4.")
    print("// (case, bins, edges, reference counts, current counts, psi)")
    print("type BinRow = (usize, usize, &'static [f64], &'static [u64], &'static [u64], f64);")
    print("const REFERENCE_BINS: &[BinRow] = &[")
    for case, bins in [(4, 10), (5, 10), (5, 7), (3, 10), (8, 20), (0, 3)]:
        a, b = sample(*CASES[case][0]), sample(*CASES[case][1])
        edges = np.unique(np.quantile(a, np.arange(1, bins) / bins))
        ca = np.bincount(np.searchsorted(edges, a, side="left"), minlength=len(edges) + 1)
        cb = np.bincount(np.searchsorted(edges, b, side="left"), minlength=len(edges) + 1)
        p = ca / ca.sum()
        q = cb / cb.sum()
        p = np.where(p == 0, 1e-4, p)
        q = np.where(q == 0, 1e-4, q)
        psi = float(np.sum((q - p) * np.log(q / p)))
        print(
            f"    ({case}, {bins}, &[{', '.join(r(e) for e in edges)}], &{list(map(int, ca))}, "
            f"&{list(map(int, cb))}, {r(psi)}),"
        )
    print("];")


def section_correction():
    p = [0.01, 0.04, 0.03, 0.2, 0.001, 0.04, 0.9, 0.5, 1.0, 0.0, 0.049, 3e-8]
    print("// statsmodels 0.15.0: multipletests(INPUT, method='fdr_bh')[1]")
    print(f"const REFERENCE_BH: &[f64] = &[{', '.join(r(v) for v in multipletests(p, method='fdr_bh')[1])}];")
    print("// statsmodels 0.15.0: multipletests(INPUT, method='bonferroni')[1]")
    bonferroni = ", ".join(r(v) for v in multipletests(p, method="bonferroni")[1])
    print(f"const REFERENCE_BONFERRONI: &[f64] = &[{bonferroni}];")


def section_cvm_exact_truncated():
    """scipy's asymptotic CvM p-value for CASES[12] is 1 - (a truncated series summing to ~1):
    evaluate that same truncated series in 50-digit arithmetic (needs mpmath) to see how far
    scipy's and fairgauge's float64 evaluations each are from it."""
    import mpmath as mp

    mp.mp.dps = 50
    a, b = sample(*CASES[12][0]), sample(*CASES[12][1])
    t = stats.cramervonmises_2samp(a, b).statistic
    nx, ny = len(a), len(b)
    big_n, k = nx + ny, nx * ny
    et = (1 + 1 / big_n) / 6
    vt = (big_n + 1) * (4 * k * big_n - 3 * (nx**2 + ny**2) - 2 * k) / (45 * big_n**2 * 4 * k)
    tn = mp.mpf(float(1 / 6 + (t - et) / math.sqrt(45 * vt)))
    tot = mp.mpf(0)
    for kk in range(100):
        u = mp.exp(mp.loggamma(kk + 0.5) - mp.loggamma(kk + 1)) / (mp.pi**1.5 * mp.sqrt(tn))
        y = 4 * kk + 1
        q = mp.mpf(y) ** 2 / (16 * tn)
        term = u * mp.sqrt(y) * mp.exp(-q) * mp.besselk(0.25, q)
        tot += term
        if abs(term) < 1e-7:
            break
    print(f"// tn = {mp.nstr(tn, 17)}: 1 - truncated cdf (exact) = {mp.nstr(1 - tot, 17)}")


if __name__ == "__main__":
    globals()[f"section_{sys.argv[1]}"]()
