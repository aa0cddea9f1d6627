"""fairgauge's OSCAL assessment results checked against NIST's OSCAL models.

`validate_oscal` parses a document with compliance-trestle's pydantic models, which are generated
from NIST's JSON schema for OSCAL 1.1.2 (compliance-trestle 3.7.0 is the last release built on
1.1.2) and reject unknown keys, missing required fields, malformed uuids and tokens, and values
outside OSCAL's enumerations. It adds what those models leave to the JSON schema: every list holds
an item, every date-time matches NIST's pattern with its time zone (the models take a naive one),
finding targets have a status, the OSCAL version is 1.1.2 and the references between objects
resolve.

Set FAIRGAUGE_OSCAL_SAMPLE to an assessment-results file to check it: `oscal.json` from
`fairgauge demo` or `fairgauge assess --oscal FILE`, or the Rust test's samples
(`FAIRGAUGE_OSCAL_OUT_DIR=DIR cargo test --release -p fairgauge --test export -- --ignored`).
"""

import copy
import json
import os
import re
from pathlib import Path

import pytest

# NIST's DateTimeWithTimezoneDatatype, OSCAL 1.1.x.
DATE_TIME = re.compile(
    r"^(((2000|2400|2800|(19|2[0-9](0[48]|[2468][048]|[13579][26])))-02-29)"
    r"|(((19|2[0-9])[0-9]{2})-02-(0[1-9]|1[0-9]|2[0-8]))"
    r"|(((19|2[0-9])[0-9]{2})-(0[13578]|10|12)-(0[1-9]|[12][0-9]|3[01]))"
    r"|(((19|2[0-9])[0-9]{2})-(0[469]|11)-(0[1-9]|[12][0-9]|30)))"
    r"T(2[0-3]|[01][0-9]):([0-5][0-9]):([0-5][0-9])(\.[0-9]+)?"
    r"(Z|(-((0[0-9]|1[0-2]):00|0[39]:30)|\+((0[0-9]|1[0-4]):00|(0[34569]|10):30|(0[58]|12):45)))$"
)
DATE_TIME_KEYS = {"start", "end", "collected", "last-modified", "published", "expires", "deadline"}


def _walk(value, path="$"):
    """Yields (path, key, value) for every member of every object under `value`."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.{key}", key, item
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]")


def validate_oscal(path):
    """Validates an OSCAL assessment-results JSON file; returns trestle's model of it.

    Raises ValueError (pydantic's validation errors are ValueErrors) or AssertionError.
    """
    from trestle.oscal.assessment_results import AssessmentResults

    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    assert isinstance(doc, dict) and list(doc) == ["assessment-results"], "one root key: assessment-results"
    body = doc["assessment-results"]
    model = AssessmentResults.parse_obj(body)

    assert body["metadata"]["oscal-version"] == "1.1.2"
    defined, referenced = set(), []
    for where, key, value in _walk(body):
        assert value != [], f"{where}: an empty list (OSCAL lists have at least one item)"
        if key == "uuid":
            assert value not in defined, f"{where}: uuid {value} defined twice"
            defined.add(value)
        elif key.endswith("-uuid"):
            referenced.append((where, value))
        elif key in DATE_TIME_KEYS:
            assert DATE_TIME.match(value), f"{where}: {value!r} is not a date-time with a time zone"
    for where, value in referenced:
        assert value in defined, f"{where}: {value} refers to nothing"
    resources = {r["uuid"] for r in body.get("back-matter", {}).get("resources", [])}
    href = body["import-ap"]["href"]
    if href.startswith("#") and href != "#":
        assert href[1:] in resources, f"import-ap {href} names no back-matter resource"
    for result in body["results"]:
        assert result["reviewed-controls"]["control-selections"]
        for finding in result.get("findings", []):
            assert "status" in finding["target"], f"finding {finding['uuid']}: the target has no status"
    return model


def _minimal():
    u = "0f8fad5b-d9cb-469f-a165-70867728950e"
    return {
        "assessment-results": {
            "uuid": u,
            "metadata": {
                "title": "t",
                "last-modified": "2026-11-28T21:39:14Z",
                "version": "0.1.0",
                "oscal-version": "1.1.2",
            },
            "import-ap": {"href": "#"},
            "results": [
                {
                    "uuid": "1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b",
                    "title": "r",
                    "description": "d",
                    "start": "2026-11-28T21:38:02Z",
                    "reviewed-controls": {"control-selections": [{"include-controls": [{"control-id": "a.7.4"}]}]},
                    "observations": [
                        {
                            "uuid": "6fa459ea-ee8a-4ca4-894e-db77e160355e",
                            "description": "o",
                            "methods": ["TEST"],
                            "collected": "2026-11-28T21:39:14Z",
                            "props": [{"name": "status", "value": "fail"}],
                        }
                    ],
                }
            ],
        }
    }


def _broken(doc, where, value):
    """A copy of `doc` with the member at the `where` path (keys and list indices) replaced."""
    doc = copy.deepcopy(doc)
    target = doc["assessment-results"]
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = value
    return doc


CONTROL = ("results", 0, "reviewed-controls", "control-selections", 0, "include-controls", 0)


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("uuid",), "0f8fad5b-d9cb-11ef-a165-70867728950e"),  # a version-1 uuid
        ((*CONTROL, "control-id"), "MEASURE 2.11"),
        (("results", 0, "start"), "2026-11-28T21:38:02"),  # no time zone
        (("results", 0, "observations"), []),
        (("results", 0, "observations", 0, "props", 0, "name"), "p value"),
        (("results", 0, "observations", 0, "props", 0, "value"), " padded"),
        (("results", 0, "observations", 0, "extra"), "unknown keys are refused"),
        (("metadata", "oscal-version"), "1.0.0"),
    ],
)
def test_validate_oscal_rejects_what_nist_refuses(tmp_path, where, value):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_minimal()), encoding="utf-8")
    validate_oscal(good)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_broken(_minimal(), where, value)), encoding="utf-8")
    with pytest.raises((ValueError, AssertionError)):
        validate_oscal(bad)


SAMPLE = os.environ.get("FAIRGAUGE_OSCAL_SAMPLE")


@pytest.mark.skipif(not SAMPLE, reason="FAIRGAUGE_OSCAL_SAMPLE names no OSCAL assessment-results file")
def test_oscal_sample_is_valid():
    model = validate_oscal(SAMPLE)
    assert model.results
