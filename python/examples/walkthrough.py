"""A walkthrough of fairgauge from Python (CI runs it): UCI Adult, a rule-based classifier, its
fairness, the data's quality and drift, Fairlearn-style metrics, and an assessment written as
evidence. Run from anywhere: `python python/examples/walkthrough.py`."""

from pathlib import Path

import fairgauge
import pandas as pd
from fairgauge import metrics

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
    "relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country", "income",
]  # fmt: skip


def load(name: str) -> pd.DataFrame:
    df = pd.read_csv(ROOT / "datasets" / "adult" / name, header=None, names=COLUMNS, skipinitialspace=True, comment="|")
    df = df.dropna(how="all")
    df["income"] = df["income"].str.rstrip(".")
    # The "model": married with a degree, or capital gains of 5,000 or more.
    married = df["marital-status"].str.startswith("Married")
    df["prediction"] = ((married & (df["education-num"] >= 13)) | (df["capital-gain"] >= 5000)).map(
        {True: ">50K", False: "<=50K"}
    )
    return df


train, test = load("adult.data"), load("adult.test")

# 1. Fairness of the decisions by sex and race: per-group rates with intervals, disparities.
report = fairgauge.fairness(
    test, label="income", prediction="prediction", sensitive=["sex", "race"], positive_label=">50K"
)
print(report.by_group.select(["attribute", "group", "count", "selection_rate", "tpr", "fpr"]))
print("equalized odds difference by sex:", report.summary["sex"]["equalized_odds_difference"])

# 2. The same number with Fairlearn's signature.
y, p = (test["income"] == ">50K").astype(int), (test["prediction"] == ">50K").astype(int)
print("metrics.equalized_odds_difference:", metrics.equalized_odds_difference(y, p, sensitive_features=test["sex"]))

# 3. Data quality: `?` is found as a suspected placeholder without configuration.
quality = fairgauge.quality(test, label="income", sensitive="sex")
print(quality.columns.select(["name", "suspected_placeholders", "missing_share", "score"]))

# 4. Drift of the test split from the training split.
drift = fairgauge.drift(train, test)
print("dataset drift:", drift.drifted)

# 5. The whole assessment as evidence, with every export and a ledger record.
evidence = fairgauge.assess(
    test, reference=train, label="income", prediction="prediction", sensitive=["sex", "race"], positive_label=">50K"
)
print("passed:", evidence.passed)
print(evidence.risks.select(["title", "rating", "score", "treatment"]).head(5))
written = evidence.write("fairgauge-walkthrough", ledger="fairgauge-walkthrough/ledger.jsonl")
print("wrote:", ", ".join(sorted(written)))
