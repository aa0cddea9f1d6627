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
