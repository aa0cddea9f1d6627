"""Assertions for ML test suites (pytest, unittest): a model's fairness and its data's drift judged
as ``fairgauge assess`` judges them, failing with the failing findings in the message::

    from fairgauge.testing import assert_fair, assert_no_drift

    def test_model_is_fair(scored_holdout):
        assert_fair(scored_holdout, label="y", prediction="pred", sensitive=["sex", "race"])

    def test_inputs_have_not_drifted(train, this_week):
        assert_no_drift(train, this_week, policy="policy.toml")

The thresholds are the built-in policy's, or `policy`'s (a TOML file, as ``fairgauge init`` writes
it): the same judgement as ``fairgauge fairness --fail-on`` and ``drift --fail-on``. Each returns
the report, so a test can go on to inspect it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

from . import _fairgauge
from ._native import call
from ._reports import DriftReport, FairnessReport

__all__ = ["FairgaugeAssertionError", "assert_fair", "assert_no_drift"]

_LEVELS = {"fail": ("fail", "error"), "warn": ("fail", "error", "warn")}


class FairgaugeAssertionError(AssertionError):
    """A fairgauge assertion failed; ``findings`` holds the findings that failed it (dicts as in the
    evidence document: id, kind, status, metric, value, subject, message, …)."""

    def __init__(self, message: str, findings: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.findings = findings


def _judge(family: str, report: Any, policy: str | os.PathLike[str] | None) -> list[dict[str, Any]]:
    path = None if policy is None else os.fspath(policy)
    return json.loads(call(_fairgauge.judge, family, report.to_json(indent=None), path))


def _check(findings: list[dict[str, Any]], stops: Any, what: str, policy: Any) -> None:
    failing = [f for f in findings if stops(f)]
    if not failing:
        return
    source = "the built-in policy" if policy is None else f"policy {os.fspath(policy)}"
    lines = [f"{what}: {len(failing)} of {len(findings)} findings fail ({source}'s thresholds):"]
    lines += [f"  {f['status']:<5} {f['id']}  {f['message']}" for f in failing]
    raise FairgaugeAssertionError("\n".join(lines), failing)


def assert_fair(
    data: Any,
    *,
    label: str,
    sensitive: str | Sequence[str],
    prediction: str | None = None,
    score: str | None = None,
    policy: str | os.PathLike[str] | None = None,
    fail_on: str = "fail",
    **options: Any,
) -> FairnessReport:
    """Asserts that no fairness finding fails (``fail_on="fail"``) or warns or fails
    (``fail_on="warn"``) for `data` (any table ``fairgauge.fairness`` takes; `options` are its other
    arguments: ``positive_label``, ``threshold``, ``reference_group``, ``min_group_size``, …).
    Raises :class:`FairgaugeAssertionError` listing the failing findings; returns the report."""
    from . import fairness

    if fail_on not in _LEVELS:
        raise ValueError(f"fail_on is 'fail' or 'warn', given {fail_on!r}")
    report = fairness(
        data, label=label, sensitive=sensitive, prediction=prediction, score=score, policy=policy, **options
    )
    findings = _judge("fairness", report, policy)
    _check(findings, lambda f: f["status"] in _LEVELS[fail_on], "assert_fair", policy)
    return report


def assert_no_drift(
    reference: Any,
    current: Any,
    *,
    policy: str | os.PathLike[str] | None = None,
    fail_on: str = "dataset",
    **options: Any,
) -> DriftReport:
    """Asserts that `current` has not drifted from `reference`: not as a dataset
    (``fail_on="dataset"``: the share of drifted columns stays below the policy's
    ``dataset_share``), or not in any column (``fail_on="column"``: no column's PSI above the
    policy's fail threshold). `options` are ``fairgauge.drift``'s (``columns``, ``exclude``, …).
    Raises :class:`FairgaugeAssertionError` listing the failing findings; returns the report."""
    from . import drift

    kinds = {"dataset": "drift.dataset", "column": "drift.psi"}
    if fail_on not in kinds:
        raise ValueError(f"fail_on is 'dataset' or 'column', given {fail_on!r}")
    report = drift(reference, current, **options)
    findings = _judge("drift", report, policy)
    _check(
        findings,
        lambda f: f["kind"] == kinds[fail_on] and f["status"] in ("fail", "error"),
        "assert_no_drift",
        policy,
    )
    return report
