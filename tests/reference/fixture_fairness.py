"""Reference values for crates/fairgauge-core/tests/fairness_fixture.rs.

Computed with fairlearn, aif360, statsmodels and scipy on the rows that the Rust test expands
from the same tuples; run with the test venv's python and paste the printed values.
"""

import numpy as np
import pandas as pd
from aif360.datasets import BinaryLabelDataset
from aif360.metrics import ClassificationMetric
from fairlearn import metrics as flm
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportions_ztest

TUPLES = [
    ("A", "X", 1, 1, 12),
    ("A", "X", 0, 1, 6),
    ("A", "X", 0, 0, 35),
    ("A", "X", 1, 0, 7),
    ("A", "Y", 1, 1, 8),
    ("A", "Y", 0, 1, 4),
    ("A", "Y", 0, 0, 25),
    ("A", "Y", 1, 0, 3),
    ("B", "X", 1, 1, 3),
    ("B", "X", 0, 1, 9),
    ("B", "X", 0, 0, 12),
    ("B", "X", 1, 0, 6),
    ("B", "Y", 1, 1, 2),
    ("B", "Y", 0, 1, 6),
    ("B", "Y", 0, 0, 8),
    ("B", "Y", 1, 0, 4),
]
rows = [(s, r, y, p) for s, r, y, p, n in TUPLES for _ in range(n)]
df = pd.DataFrame(rows, columns=["sex", "race", "y", "p"])
y, p = df.y.values, df.p.values


def show(name, v):
    print(f"{name} = {float(v)!r}")


for attr in ["sex", "race"]:
    sf = df[attr]
    show(f"{attr}.demographic_parity_difference", flm.demographic_parity_difference(y, p, sensitive_features=sf))
    show(f"{attr}.demographic_parity_ratio", flm.demographic_parity_ratio(y, p, sensitive_features=sf))
    show(f"{attr}.equalized_odds_difference", flm.equalized_odds_difference(y, p, sensitive_features=sf))
    show(f"{attr}.equalized_odds_ratio", flm.equalized_odds_ratio(y, p, sensitive_features=sf))
    show(f"{attr}.equal_opportunity_difference", flm.equal_opportunity_difference(y, p, sensitive_features=sf))
    show(f"{attr}.equal_opportunity_ratio", flm.equal_opportunity_ratio(y, p, sensitive_features=sf))
sf2 = df[["sex", "race"]]
show("sex&race.demographic_parity_difference", flm.demographic_parity_difference(y, p, sensitive_features=sf2))
show("sex&race.equalized_odds_ratio", flm.equalized_odds_ratio(y, p, sensitive_features=sf2))

# statsmodels: selection rate B (20/50) vs A (30/100)
z, pz = proportions_ztest([20, 30], [50, 100])
show("z_sel_B_vs_A", z)
show("p_sel_B_vs_A", pz)
lo, hi = confint_proportions_2indep(20, 50, 30, 100, method="newcomb", compare="diff")
show("newcombe_lo", lo)
show("newcombe_hi", hi)
lo, hi = proportion_confint(20, 50, method="wilson")
show("wilson_sel_B_lo", lo)
show("wilson_sel_B_hi", hi)
# TPR B&Y (2/6) vs A&X (12/19): expected count < 5, Fisher
show("fisher_tpr_BY_vs_AX", stats.fisher_exact([[2, 4], [12, 7]]).pvalue)
chi = stats.chi2_contingency(np.array([[30, 70], [20, 30]]), correction=False)
show("chi2_sel_sex", chi.statistic)
show("chi2_sel_sex_p", chi.pvalue)

# AIF360
num = pd.DataFrame({"sex": (df.sex == "A").astype(float), "y": y.astype(float)})
truth = BinaryLabelDataset(
    df=num, label_names=["y"], protected_attribute_names=["sex"], favorable_label=1.0, unfavorable_label=0.0
)
pred = truth.copy()
pred.labels = p.reshape(-1, 1).astype(float)
m = ClassificationMetric(truth, pred, unprivileged_groups=[{"sex": 0.0}], privileged_groups=[{"sex": 1.0}])
show("gei2", m.generalized_entropy_index(alpha=2))
show("theil", m.theil_index())
show("between_gei2_sex", m.between_all_groups_generalized_entropy_index(alpha=2))
show("between_theil_sex", m.between_all_groups_theil_index())
show("average_odds_difference_B_vs_A", m.average_odds_difference())
