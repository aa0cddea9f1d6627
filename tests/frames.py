"""Small tables shared by the tests."""

import polars as pl


def two_groups(b_tpr: float) -> pl.DataFrame:
    """Groups `a` and `b` of 200 rows each, half positive (`y`); every positive of `a` is selected
    (`p`), `b_tpr` of `b`'s; `x` is the row number within the group."""
    rows = []
    for g, tpr in (("a", 1.0), ("b", b_tpr)):
        for i in range(200):
            y = i % 2
            rows.append({"y": y, "p": int(y == 1 and (i // 2) < tpr * 100), "g": g, "x": float(i)})
    return pl.DataFrame(rows)


def assert_close(a, b, tol: float, path: str = "") -> None:
    """`a == b` for nested JSON values, numbers to relative `tol` (sums over rows merged in
    another order differ in their last bits)."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), f"{path}: keys {sorted(a)} != {sorted(b)}"
        for k in a:
            assert_close(a[k], b[k], tol, f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), f"{path}: lengths {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_close(x, y, tol, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert abs(a - b) <= tol * max(1.0, abs(a), abs(b)), f"{path}: {a} != {b}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def monitored(n: int = 24_000, seed: int = 3):
    """A pandas frame of `n` rows over 10 weeks from 2024-01-01 (the time column `date`, text,
    in no time order, some missing or unreadable); from week 7 women are selected 40 % less
    often and `age` moves up by 5."""
    import datetime as dt

    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    day = rng.integers(0, 70, n)
    sex = rng.choice(["Female", "Male"], n, p=[0.45, 0.55])
    label = (rng.random(n) < 0.3).astype(int)
    p = np.where(label == 1, 0.7, 0.2)
    p = np.where((sex == "Female") & (day >= 42), p * 0.6, p)
    dates = [str(dt.date(2024, 1, 1) + dt.timedelta(days=int(d))) for d in day]
    for i in range(0, n, 101):
        dates[i] = None if i % 2 else "not a date"
    return pd.DataFrame(
        {
            "date": dates,
            "sex": sex,
            "age": np.floor(rng.normal(40, 10, n)) + np.where(day >= 42, 5.0, 0.0),
            "label": label,
            "prediction": (rng.random(n) < p).astype(int),
        }
    )


MONITOR_ROLES = dict(label="label", prediction="prediction", sensitive="sex", positive_label=1)
