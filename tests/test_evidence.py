"""The evidence document and its exports, as `fairgauge demo` writes them, checked with independent
readers: JSON Schema (jsonschema), XML (ElementTree), CSV (the csv module)."""

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "schemas" / "evidence.schema.json").read_text())


@pytest.fixture(scope="module")
def demo(fairgauge_bin, tmp_path_factory):
    import subprocess

    out = tmp_path_factory.mktemp("demo")
    proc = subprocess.run([str(fairgauge_bin), "demo", "--out", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return out


def test_schema_is_a_valid_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_demo_evidence_validates(demo):
    evidence = json.loads((demo / "evidence.json").read_text())
    jsonschema.Draft202012Validator(SCHEMA).validate(evidence)
    # Every risk's findings exist and point back at it.
    ids = {f["id"]: f for f in evidence["findings"]}
    for r in evidence["risks"]:
        for fid in r["findings"]:
            assert ids[fid]["risk_id"] == r["id"]
    # Counts add up.
    assert sum(evidence["summary"]["findings"].values()) == len(evidence["findings"])
    assert evidence["summary"]["passed"] == (evidence["summary"]["overall"] != "fail")


def test_schema_rejects_broken_evidence(demo):
    evidence = json.loads((demo / "evidence.json").read_text())
    validator = jsonschema.Draft202012Validator(SCHEMA)
    bad = json.loads(json.dumps(evidence))
    bad["findings"][0]["status"] = "maybe"
    assert not validator.is_valid(bad)
    bad = json.loads(json.dumps(evidence))
    bad["run"]["id"] = "not-a-uuid"
    assert not validator.is_valid(bad)
    bad = json.loads(json.dumps(evidence))
    bad["datasets"][0]["file_sha256"] = "md5:abc"
    assert not validator.is_valid(bad)


def test_junit_register_and_attestation(demo):
    evidence = json.loads((demo / "evidence.json").read_text())
    root = ET.parse(demo / "junit.xml").getroot()
    cases = root.findall(".//testcase")
    assert len(cases) == len(evidence["findings"])
    failures = root.findall(".//testcase/failure")
    n_fail = evidence["summary"]["findings"]["fail"]
    assert len(failures) == n_fail
    with open(demo / "register.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["ref_id"] for r in rows] == [r["id"] for r in evidence["risks"]]
    for r, risk in zip(rows, evidence["risks"], strict=True):
        assert int(r["score"]) == risk["score"]
        assert r["treatment"] == risk["treatment"]
    att = json.loads((demo / "attestation.json").read_text())
    digests = {s["digest"]["sha256"] for s in att["subject"]}
    assert digests == {d["file_sha256"].removeprefix("sha256:") for d in evidence["datasets"]}


def test_demo_oscal_validates_against_nist_models(demo):
    from test_exports import validate_oscal

    model = validate_oscal(demo / "oscal.json")
    assert model.results
    evidence = json.loads((demo / "evidence.json").read_text())
    oscal = json.loads((demo / "oscal.json").read_text())["assessment-results"]
    assert oscal["uuid"] == evidence["run"]["id"]
    # Every finding that does not pass is an OSCAL finding, not satisfied (its reason says which).
    states = [f["target"]["status"]["state"] for f in oscal["results"][0].get("findings", [])]
    assert set(states) <= {"not-satisfied"}
    assert len(states) == sum(n for k, n in evidence["summary"]["findings"].items() if k != "pass")
