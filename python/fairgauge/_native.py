"""Calls into the Rust core, translating its errors into fairgauge's exceptions."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from . import _fairgauge
from ._errors import translate

#: The fairness options' defaults, read from the Rust core (`FairnessOptions::default()`): the
#: one source of the CLI's, the Python functions' and the Spark/Dask functions' defaults.
_DEFAULTS: dict[str, Any] = json.loads(_fairgauge.defaults())
FAIRNESS_DEFAULTS: dict[str, Any] = _DEFAULTS["fairness"]
#: The built-in policy's fairness thresholds (`{"selection_rate_ratio": {"warn", "fail",
#: "direction"}, …}`): what the notebook displays mark as a breach when no policy is given.
FAIRNESS_THRESHOLDS: dict[str, dict[str, Any]] = _DEFAULTS["fairness_thresholds"]


def call(fn: Callable[..., Any], *args: Any) -> Any:
    """Calls a core function; a ``RustError`` becomes the matching fairgauge exception."""
    try:
        return fn(*args)
    except _fairgauge.RustError as e:
        raise translate(e) from None


#: The built-in policy's drift policy (`psi_warn`, `psi_fail`, `dataset_share`, …).
DRIFT_POLICY: dict[str, Any] = _DEFAULTS["drift"]
