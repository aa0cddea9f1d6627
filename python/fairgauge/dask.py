"""fairgauge on Dask DataFrames: the same Rust kernels, run on each partition where Dask runs it.

Each partition (a pandas DataFrame) becomes Arrow and is counted by the Rust core into a partial
state, in Dask's workers (threads by default: the core releases the GIL); the parts come back in
partition order and are merged and finished with the single-machine code, exactly as
``fairgauge.spark`` does (see its documentation and docs/scaling.md for what travels).

    import dask.dataframe as dd
    from fairgauge import dask as fgd
    ddf = dd.read_parquet("current/")
    fgd.fairness(ddf, label="label", prediction="prediction", sensitive=["sex", "race"])
    fgd.assess(ddf, reference=dd.read_parquet("train/"), label="label", prediction="prediction",
               sensitive=["sex", "race"]).passed

Needs Dask with its DataFrame support (``pip install "fairgauge[dask]"``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from . import _partitioned as _p
from ._input import _plain


class Dask(_p.Engine):
    """Dask DataFrames: each partition is computed to pandas, then handed over as Arrow."""

    name = "dask"
    label = "<dask.DataFrame>"

    def module(self) -> Any:
        try:
            import dask
            import dask.dataframe
        except ImportError as e:
            raise ImportError("fairgauge.dask needs Dask's DataFrames: pip install 'fairgauge[dask]'") from e
        return dask

    def columns(self, df: Any) -> list[str]:
        return [str(c) for c in df.columns]

    def select(self, df: Any, cols: Sequence[str]) -> Any:
        return df[list(cols)]

    def empty(self, df: Any) -> Any:
        import pyarrow as pa

        # Dask keeps an empty pandas frame of the right columns and dtypes as the frame's meta.
        return _plain(pa.Table.from_pandas(df._meta, preserve_index=False))

    def partitions(self, df: Any) -> int | None:
        return int(df.npartitions)

    def run_parts(self, df: Any, count: Callable[[Any, int], bytes]) -> _p.Parts:
        import dask

        def work(pdf: Any, pid: int) -> tuple[bytes | None, tuple[str, str] | None] | None:
            import pyarrow as pa

            from fairgauge import _fairgauge as native

            table = _plain(pa.Table.from_pandas(pdf, preserve_index=False))
            if table.num_rows == 0:
                return None
            try:
                return count(table, pid), None
            except native.RustError as e:
                return None, (str(e.args[0]), str(e.args[1]))

        tasks = [dask.delayed(work)(p, i) for i, p in enumerate(df.to_delayed())]
        parts: list[bytes] = []
        for r in dask.compute(*tasks):
            if r is None:
                continue
            part, error = r
            if error is not None:
                return [], (error[0], f"in a Dask partition: {error[1]}")
            assert part is not None
            parts.append(part)
        return parts, None

    def first_rows(self, df: Any) -> dict[int, int]:
        out, first = {}, 0
        for pid, n in enumerate(df.map_partitions(len).compute().tolist()):
            out[pid] = first
            first += int(n)
        return out


ENGINE = Dask()
fairness = _p.bind(ENGINE, _p.fairness, "Fairness of a Dask DataFrame.")
drift = _p.bind(ENGINE, _p.drift, "Drift between two Dask DataFrames.")
quality = _p.bind(ENGINE, _p.quality, "Quality of a Dask DataFrame.")
assess = _p.bind(ENGINE, _p.assess, "An assessment of Dask DataFrames.")
monitor = _p.bind(ENGINE, _p.monitor, "Monitoring a Dask DataFrame over time windows.")
estimate = _p.bind(ENGINE, _p.estimate, "Label-free estimates of a Dask DataFrame.")

__all__ = ["assess", "drift", "estimate", "fairness", "monitor", "quality"]
