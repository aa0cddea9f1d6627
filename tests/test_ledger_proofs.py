"""Evidence that proves its own completeness, checked by independent verifiers: the DSSE envelope
of the in-toto statement by securesystemslib (the Secure Systems Lab's reference implementation of
DSSE, which in-toto uses), the signed checkpoint by a direct implementation of the C2SP
signed-note and tlog-checkpoint specifications with `cryptography`, and the ledger head that each
export names by recomputing the record's digest from the ledger's documented format."""

import base64
import hashlib
import json
from pathlib import Path

import fairgauge
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key
from frames import two_groups
from securesystemslib.dsse import Envelope
from securesystemslib.exceptions import VerificationError
from securesystemslib.signer import SSlibKey


@pytest.fixture
def filed(run, tmp_path):
    """Two runs of `assess` from Python, written with every export (the DSSE envelope included)
    into one signed ledger; returns (folder, evidence of the second run, public key file)."""
    key, pub = tmp_path / "k.pem", tmp_path / "k.pub"
    run("ledger", "keygen", "--private", key, "--public", pub)
    df = two_groups(0.5)
    e = None
    for i in (1, 2):
        e = fairgauge.assess(df, label="y", prediction="p", sensitive="g")
        e.write(tmp_path / f"r{i}", ledger=tmp_path / "l.jsonl", sign_key=key)
    return tmp_path, e, pub


def _raw_public_key(pub: Path) -> bytes:
    return load_pem_public_key(pub.read_bytes()).public_bytes(Encoding.Raw, PublicFormat.Raw)


def _records(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "l.jsonl").read_text().splitlines()]


def test_securesystemslib_verifies_the_dsse_envelope(filed):
    folder, _, pub = filed
    envelope_dict = json.loads((folder / "r2" / "attestation.dsse.json").read_text())
    envelope = Envelope.from_dict(envelope_dict)
    keyid = envelope.signatures and next(iter(envelope.signatures))
    key = SSlibKey(keyid, "ed25519", "ed25519", {"public": _raw_public_key(pub).hex()})
    verified = envelope.verify([key], 1)
    assert set(verified) == {keyid}
    statement = json.loads(envelope.pae().split(b" ", 4)[4])
    assert statement == json.loads((folder / "r2" / "attestation.json").read_text())
    assert statement["predicate"]["run"]["ledger"]["seq"] == 2
    # A changed payload no longer verifies.
    statement["subject"][0]["digest"] = {"sha256": "0" * 64}
    # (from_dict consumes its argument: read the file again.)
    tampered = json.loads((folder / "r2" / "attestation.dsse.json").read_text())
    tampered["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    with pytest.raises(VerificationError):
        Envelope.from_dict(tampered).verify([key], 1)


def test_the_checkpoint_is_a_c2sp_signed_note(filed):
    """https://c2sp.org/signed-note: key hash = SHA-256(name || "\\n" || 0x01 || key)[:4];
    the signature covers the text before the blank line."""
    folder, _, pub = filed
    note = (folder / "l.jsonl.checkpoint").read_text()
    body, signatures = note.split("\n\n")
    origin, size, head = body.split("\n")
    assert origin == "fairgauge.invalid/ledger/l.jsonl"
    records = _records(folder)
    assert int(size) == len(records) == 2
    assert "sha256:" + base64.b64decode(head).hex() == records[-1]["record_sha256"]
    (line,) = signatures.strip("\n").split("\n")
    dash, name, blob = line.split(" ")
    assert dash == "\u2014" and name == records[-1]["key_id"]
    raw = base64.b64decode(blob)
    key_bytes = _raw_public_key(pub)
    assert raw[:4] == hashlib.sha256(name.encode() + b"\n\x01" + key_bytes).digest()[:4]
    load_pem_public_key(pub.read_bytes()).verify(raw[4:], (body + "\n").encode())


def _record_digest(record: dict) -> str:
    """The ledger's documented canonical digest: SHA-256 of the domain tag and the compact,
    key-sorted JSON of the record without `record_sha256` and `signature`."""
    canon = {k: v for k, v in record.items() if k not in ("record_sha256", "signature")}
    text = json.dumps(canon, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(b"fairgauge-ledger-v1\n" + text.encode()).hexdigest()


def test_every_export_names_the_head_the_ledger_has(filed, run):
    folder, evidence, pub = filed
    records = _records(folder)
    assert all(_record_digest(r) == r["record_sha256"] for r in records)
    # The Python object now says where it was filed, as the file does.
    link = evidence.to_dict()["run"]["ledger"]
    assert link == {"seq": 2, "prev_sha256": records[0]["record_sha256"], "key_id": records[1]["key_id"]}
    written = (folder / "r2" / "evidence.json").read_bytes()
    assert "sha256:" + hashlib.sha256(written).hexdigest() == records[1]["evidence_sha256"]
    head = f"record 2 {records[1]['record_sha256']}"
    names = ["register.csv", "oscal.json", "junit.xml", "summary.md", "report.html"]
    for name in names:
        # (The HTML report marks break opportunities in long words.)
        assert head in (folder / "r2" / name).read_text().replace("<wbr>", ""), name
    files = [folder / "r2" / n for n in [*names, "evidence.json", "attestation.json", "attestation.dsse.json"]]
    proc = run("ledger", "verify", folder / "l.jsonl", "--public-key", pub, "--evidence", *files)
    assert proc.stdout.count(": record 2 (") == len(files), proc.stdout
    assert "signature verified" in proc.stdout
    # Drop the last record: the chain holds, every file and the checkpoint show the deletion.
    first = (folder / "l.jsonl").read_bytes().split(b"\n")[0]
    (folder / "l.jsonl").write_bytes(first + b"\n")
    proc = run("ledger", "verify", folder / "l.jsonl", check=False)
    assert proc.returncode == 1 and "checkpoint" in proc.stderr, proc.stderr
    (folder / "l.jsonl.checkpoint").unlink()
    for f in files:
        proc = run("ledger", "verify", folder / "l.jsonl", "--evidence", f, check=False)
        assert proc.returncode == 1 and "has 1" in proc.stderr, (f, proc.stderr)


def test_envelope_needs_a_key():
    e = fairgauge.assess(two_groups(1.0), label="y", prediction="p", sensitive="g")
    with pytest.raises(fairgauge.OptionError, match="needs `sign_key`"):
        e.write("/nonexistent-never-written", ["envelope"])
