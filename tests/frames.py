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
