"""Type stubs of the Rust extension (checked with mypy's stubtest in CI)."""

from typing import Any

__all__ = [
    "RustError",
    "__version__",
    "_panic_for_test",
    "_sleep_for_test",
    "_sleeps_finished",
    "assess",
    "assess_finish",
    "assess_plan",
    "bisg",
    "cli",
    "confusion_counts",
    "default_policy",
    "defaults",
    "drift",
    "drift_finish",
    "drift_part",
    "drift_plan",
    "estimate",
    "estimate_finish",
    "estimate_part",
    "fairness",
    "fairness_finish",
    "fairness_part",
    "history_read",
    "judge",
    "monitor",
    "monitor_count",
    "monitor_finish",
    "monitor_layout",
    "monitor_part",
    "monitor_plan",
    "monitor_reference_part",
    "policy_fairness_thresholds",
    "quality",
    "quality_finish",
    "quality_part",
    "quality_plan",
    "rates",
    "reference_part",
    "render_html",
    "write_evidence",
]
__version__: str

class RustError(Exception): ...

# A table argument is a path (str) or any object with ``__arrow_c_stream__``.
def fairness(path: Any, read: str, args: str) -> str: ...
def drift(reference: Any, reference_read: str, current: Any, read: str, args: str) -> str: ...
def quality(path: Any, read: str, reference: Any | None, reference_read: str, args: str) -> tuple[str, str]: ...
def estimate(data: Any, read: str, reference: Any, reference_read: str, args: str) -> str: ...
def estimate_part(data: Any, read: str, args: str, labelled: bool, first_row: int) -> bytes: ...
def estimate_finish(
    data: list[bytes], data_name: str, reference: list[bytes], reference_name: str, args: str
) -> str: ...
def assess(
    current: Any,
    read: str,
    reference: Any | None,
    reference_read: str,
    policy: str | None,
    roles: str,
    rules: str | None,
    command_line: list[str],
    history: str | None = None,
) -> str: ...
def monitor(
    current: Any,
    read: str,
    reference: Any | None,
    reference_read: str,
    policy: str | None,
    roles: str,
    rules: str | None,
    time: str,
    every: str,
    baseline: int | None,
    command_line: list[str],
    history: str | None = None,
) -> tuple[str, str]: ...
def history_read(path: str, what: str, key: str | None = None) -> str: ...
def bisg(
    path: Any, read: str, surname: str, zip: str | None = None, tract: str | None = None
) -> tuple[bytes, bytes, str]: ...
def fairness_part(data: Any, read: str, args: str) -> bytes: ...
def fairness_finish(parts: list[bytes], name: str, args: str) -> str: ...
def drift_plan(reference: Any, current: Any, args: str) -> str: ...
def drift_part(data: Any, plan: str, which: str) -> bytes: ...
def drift_finish(
    plan: str,
    reference_parts: list[bytes],
    current_parts: list[bytes],
    reference_name: str,
    current_name: str,
    args: str,
) -> str: ...
def quality_plan(data: Any, reference: Any | None, args: str) -> str: ...
def quality_part(data: Any, plan: str, first_row: int) -> bytes: ...
def reference_part(data: Any, plan: str) -> bytes: ...
def quality_finish(
    data: Any,
    reference: Any | None,
    plan: str,
    parts: list[bytes],
    reference_parts: list[bytes],
    name: str,
    reference_name: str,
    args: str,
) -> tuple[str, str]: ...
def assess_plan(current: Any, reference: Any | None, policy: str | None, roles: str, rules: str | None) -> str: ...
def assess_finish(
    current: Any,
    reference: Any | None,
    policy: str | None,
    roles: str,
    rules: str | None,
    command_line: list[str],
    plan: str,
    parts: dict[str, list[bytes]],
    errors: dict[str, str],
    engine: str,
    names: tuple[str, str],
) -> str: ...
def monitor_plan(current: Any, reference: Any | None, setup: str) -> str: ...
def monitor_count(data: Any, plan: str) -> bytes: ...
def monitor_layout(current: Any, reference: Any | None, setup: str, counts: list[bytes]) -> str: ...
def monitor_part(data: Any, plan: str, layout: str, index: int) -> bytes: ...
def monitor_reference_part(data: Any, plan: str) -> bytes: ...
def monitor_finish(
    current: Any,
    reference: Any | None,
    setup: str,
    plan: str,
    layout: str,
    parts: list[bytes],
    reference_parts: list[bytes],
    engine: str,
) -> tuple[str, str]: ...
def write_evidence(evidence: str, outputs: str) -> str: ...
def render_html(evidence: str) -> str: ...
def confusion_counts(
    y_true: bytes, y_pred: bytes, groups: bytes, n_groups: int, weights: bytes | None = None
) -> list[list[float]]: ...
def default_policy() -> str: ...
def defaults() -> str: ...
def rates(counts: list[list[float]], metric: str) -> list[float | None]: ...
def _panic_for_test() -> None: ...
def _sleep_for_test(seconds: float) -> None: ...
def _sleeps_finished() -> int: ...
def policy_fairness_thresholds(path: str) -> str: ...
def cli(argv: list[str]) -> int: ...
def judge(family: str, report: str, policy: str | None = None) -> str: ...
