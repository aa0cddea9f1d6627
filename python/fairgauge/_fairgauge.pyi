"""Type stubs of the Rust extension (checked with mypy's stubtest in CI)."""

__all__ = [
    "RustError",
    "__version__",
    "_panic_for_test",
    "_sleep_for_test",
    "_sleeps_finished",
    "assess",
    "confusion_counts",
    "default_policy",
    "drift",
    "fairness",
    "quality",
    "render_html",
    "write_evidence",
]
__version__: str

class RustError(Exception): ...

def fairness(path: str, read: str, args: str) -> str: ...
def drift(reference: str, reference_read: str, current: str, read: str, args: str) -> str: ...
def quality(path: str, read: str, reference: str | None, reference_read: str, args: str) -> tuple[str, str]: ...
def assess(
    current: str,
    read: str,
    reference: str | None,
    reference_read: str,
    policy: str | None,
    roles: str,
    rules: str | None,
    command_line: list[str],
) -> str: ...
def write_evidence(evidence: str, outputs: str) -> int | None: ...
def render_html(evidence: str) -> str: ...
def confusion_counts(
    y_true: bytes, y_pred: bytes, groups: bytes, n_groups: int, weights: bytes | None = None
) -> list[list[float]]: ...
def default_policy() -> str: ...
def _panic_for_test() -> None: ...
def _sleep_for_test(seconds: float) -> None: ...
def _sleeps_finished() -> int: ...
