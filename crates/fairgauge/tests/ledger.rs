//! The ledger catches edited (the last one included), deleted, reordered and torn records,
//! refuses to extend a broken ledger, survives concurrent appenders and checks signatures.

use std::path::{Path, PathBuf};

use fairgauge::ledger::{append, keygen, record_digest, verify, LedgerRecord, NewEntry, GENESIS};
use fairgauge::Error;

fn entry(i: usize) -> NewEntry {
    NewEntry {
        run_id: format!("run-{i}"),
        system_id: "credit-scoring".into(),
        evidence_sha256: format!("sha256:{:064x}", i + 1),
        timestamp: "2025-01-02T03:04:05Z".into(),
    }
}

fn ledger_with(n: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.jsonl");
    for i in 0..n {
        append(&path, &entry(i), None).unwrap();
    }
    (dir, path)
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn write_lines(path: &Path, lines: &[String]) {
    let mut s = lines.join("\n");
    s.push('\n');
    std::fs::write(path, s).unwrap();
}

fn ledger_message(r: fairgauge::Result<impl std::fmt::Debug>) -> String {
    match r {
        Err(Error::Ledger { message, .. }) => message,
        other => panic!("expected a ledger error, got {other:?}"),
    }
}

#[test]
fn three_records_verify_and_chain() {
    let (_d, path) = ledger_with(3);
    let v = verify(&path, None).unwrap();
    assert_eq!(v.records, 3);
    assert_eq!(v.signed, 0);
    let recs: Vec<LedgerRecord> = lines(&path)
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(recs[0].prev_sha256, GENESIS);
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(r.seq, i as u64 + 1);
        assert_eq!(r.record_sha256, record_digest(r));
        assert!(r.key_id.is_none() && r.signature.is_none());
        if i > 0 {
            assert_eq!(r.prev_sha256, recs[i - 1].record_sha256);
        }
    }
    assert_eq!(
        v.head_sha256.as_deref(),
        Some(recs[2].record_sha256.as_str())
    );
    // Unsigned records carry no key_id/signature keys at all.
    assert!(!lines(&path)[0].contains("signature"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
    }
}

#[test]
fn digest_is_domain_tagged_sorted_compact_json() {
    let (_d, path) = ledger_with(1);
    let r: LedgerRecord = serde_json::from_str(&lines(&path)[0]).unwrap();
    let canon = format!(
        "{{\"evidence_sha256\":\"{}\",\"prev_sha256\":\"{}\",\"run_id\":\"{}\",\"seq\":1,\
         \"system_id\":\"{}\",\"timestamp\":\"{}\"}}",
        r.evidence_sha256, r.prev_sha256, r.run_id, r.system_id, r.timestamp
    );
    let want = fairgauge::core::fingerprint::sha256_reader(
        format!("fairgauge-ledger-v1\n{canon}").as_bytes(),
    )
    .unwrap();
    assert_eq!(record_digest(&r), want);
}

#[test]
fn empty_and_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    let v = verify(&empty, None).unwrap();
    assert_eq!((v.records, v.head_sha256, v.signed), (0, None, 0));
    let missing = dir.path().join("missing.jsonl");
    match verify(&missing, None) {
        Err(Error::Io { path, .. }) => assert_eq!(path, missing),
        other => panic!("expected Io, got {other:?}"),
    }
}

fn edit_evidence(line: &str) -> String {
    let mut r: LedgerRecord = serde_json::from_str(line).unwrap();
    r.evidence_sha256 = format!("sha256:{:064x}", 999);
    serde_json::to_string(&r).unwrap()
}

#[test]
fn edited_middle_record_is_named() {
    let (_d, path) = ledger_with(3);
    let mut l = lines(&path);
    l[1] = edit_evidence(&l[1]);
    write_lines(&path, &l);
    let m = ledger_message(verify(&path, None));
    assert!(m.starts_with("record 2: its content was edited"), "{m}");
}

#[test]
fn edited_middle_record_with_recomputed_digest_breaks_the_chain() {
    let (_d, path) = ledger_with(3);
    let mut l = lines(&path);
    let mut r: LedgerRecord = serde_json::from_str(&edit_evidence(&l[1])).unwrap();
    r.record_sha256 = record_digest(&r);
    l[1] = serde_json::to_string(&r).unwrap();
    write_lines(&path, &l);
    let m = ledger_message(verify(&path, None));
    assert!(
        m.starts_with("record 3: prev_sha256 does not match record 2"),
        "{m}"
    );
}

#[test]
fn edited_last_record_is_caught() {
    let (_d, path) = ledger_with(3);
    let mut l = lines(&path);
    l[2] = edit_evidence(&l[2]);
    write_lines(&path, &l);
    let m = ledger_message(verify(&path, None));
    assert!(m.starts_with("record 3: its content was edited"), "{m}");
}

#[test]
fn deleted_middle_record_is_named() {
    let (_d, path) = ledger_with(3);
    let mut l = lines(&path);
    l.remove(1);
    write_lines(&path, &l);
    let m = ledger_message(verify(&path, None));
    assert!(m.starts_with("record 2: out of order (seq 3)"), "{m}");
}

#[test]
fn deleted_middle_record_with_renumbering_breaks_the_chain() {
    let (_d, path) = ledger_with(3);
    let mut l = lines(&path);
    l.remove(1);
    let mut r: LedgerRecord = serde_json::from_str(&l[1]).unwrap();
    r.seq = 2;
    r.record_sha256 = record_digest(&r);
    l[1] = serde_json::to_string(&r).unwrap();
    write_lines(&path, &l);
    let m = ledger_message(verify(&path, None));
    assert!(
        m.starts_with("record 2: prev_sha256 does not match record 1"),
        "{m}"
    );
}

#[test]
fn swapped_records_are_named() {
    let (_d, path) = ledger_with(3);
    let mut l = lines(&path);
    l.swap(1, 2);
    write_lines(&path, &l);
    let m = ledger_message(verify(&path, None));
    assert!(m.starts_with("record 2: out of order (seq 3)"), "{m}");
}

#[test]
fn torn_last_line_is_named() {
    let (_d, path) = ledger_with(3);
    let text = std::fs::read_to_string(&path).unwrap();
    let l = lines(&path);
    let keep = text.len() - l[2].len() / 2 - 1;
    std::fs::write(&path, &text[..keep]).unwrap();
    let m = ledger_message(verify(&path, None));
    assert!(
        m.starts_with("record 3 (line 3) is torn or not valid JSON"),
        "{m}"
    );

    // A whole last record that only lacks its newline is also torn.
    std::fs::write(&path, &text[..text.len() - 1]).unwrap();
    let m = ledger_message(verify(&path, None));
    assert!(m.starts_with("record 3 (line 3) is torn"), "{m}");

    // A middle line cut short is named too.
    let mut l2 = l.clone();
    let half = l2[1].len() / 2;
    l2[1].truncate(half);
    write_lines(&path, &l2);
    let m = ledger_message(verify(&path, None));
    assert!(
        m.starts_with("record 2 (line 2) is torn or not valid JSON"),
        "{m}"
    );
}

#[test]
fn append_refuses_a_broken_ledger() {
    let (_d, path) = ledger_with(3);
    let mut l = lines(&path);
    l[1] = edit_evidence(&l[1]);
    write_lines(&path, &l);
    let before = std::fs::read(&path).unwrap();
    let m = ledger_message(append(&path, &entry(9), None));
    assert!(m.starts_with("record 2: its content was edited"), "{m}");
    assert!(m.contains("refusing to append"), "{m}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn append_rejects_a_malformed_evidence_digest() {
    let (_d, path) = ledger_with(0);
    let mut e = entry(0);
    e.evidence_sha256 = "abc".into();
    let m = ledger_message(append(&path, &e, None));
    assert!(m.contains("evidence_sha256 `abc`"), "{m}");
    assert!(!path.exists());
}

#[test]
fn concurrent_appends_all_land() {
    let (_d, path) = ledger_with(0);
    std::thread::scope(|s| {
        for t in 0..8 {
            let path = &path;
            s.spawn(move || {
                for i in 0..5 {
                    append(path, &entry(t * 5 + i), None).unwrap();
                }
            });
        }
    });
    let v = verify(&path, None).unwrap();
    assert_eq!(v.records, 40);
    let recs: Vec<LedgerRecord> = lines(&path)
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let seqs: Vec<u64> = recs.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, (1..=40).collect::<Vec<_>>());
    let mut runs: Vec<&str> = recs.iter().map(|r| r.run_id.as_str()).collect();
    runs.sort_unstable();
    runs.dedup();
    assert_eq!(runs.len(), 40);
}

#[test]
fn signatures() {
    let (d, path) = ledger_with(0);
    let sk = d.path().join("key");
    let pk = d.path().join("key.pub");
    let id = keygen(&sk, &pk).unwrap();
    assert!(
        id.starts_with("ed25519:") && id.len() == "ed25519:".len() + 16,
        "{id}"
    );
    let r1 = append(&path, &entry(0), Some(&sk)).unwrap();
    append(&path, &entry(1), Some(&sk)).unwrap();
    assert_eq!(r1.key_id.as_deref(), Some(id.as_str()));
    assert_eq!(r1.signature.as_ref().map(String::len), Some(128));

    let v = verify(&path, Some(&pk)).unwrap();
    assert_eq!((v.records, v.signed), (2, 2));
    let v = verify(&path, None).unwrap();
    assert_eq!((v.records, v.signed), (2, 2));

    let other_sk = d.path().join("other");
    let other_pk = d.path().join("other.pub");
    let other_id = keygen(&other_sk, &other_pk).unwrap();
    assert_ne!(id, other_id);
    let m = ledger_message(verify(&path, Some(&other_pk)));
    assert_eq!(
        m,
        format!("record 1: signature does not verify with {other_id}")
    );

    // A record signed with the right key id but a forged signature fails.
    let mut l = lines(&path);
    let mut r: LedgerRecord = serde_json::from_str(&l[1]).unwrap();
    let sig = r.signature.take().unwrap();
    let flipped = if sig.starts_with('0') { "1" } else { "0" };
    r.signature = Some(format!("{flipped}{}", &sig[1..]));
    l[1] = serde_json::to_string(&r).unwrap();
    let saved = std::fs::read(&path).unwrap();
    write_lines(&path, &l);
    let m = ledger_message(verify(&path, Some(&pk)));
    assert_eq!(m, format!("record 2: signature does not verify with {id}"));

    // Stripping a signature shows even without the public key.
    r.signature = None;
    l[1] = serde_json::to_string(&r).unwrap();
    write_lines(&path, &l);
    let m = ledger_message(verify(&path, None));
    assert!(m.starts_with("record 2: has key_id"), "{m}");
    std::fs::write(&path, saved).unwrap();

    // An unsigned record in a ledger verified with a key fails.
    append(&path, &entry(2), None).unwrap();
    assert_eq!(verify(&path, None).unwrap().signed, 2);
    let m = ledger_message(verify(&path, Some(&pk)));
    assert_eq!(m, "record 3 is not signed");

    // keygen does not overwrite keys.
    assert!(matches!(
        keygen(&sk, &d.path().join("new.pub")),
        Err(Error::Io { .. })
    ));
}

#[test]
fn bad_key_files_are_named() {
    let (d, path) = ledger_with(1);
    let bad = d.path().join("bad.key");
    std::fs::write(&bad, "not a key\n").unwrap();
    let e = append(&path, &entry(1), Some(&bad))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("bad.key") && e.contains("as PEM") && e.contains("64 hex digits"),
        "{e}"
    );
    let e = verify(&path, Some(&bad)).unwrap_err().to_string();
    assert!(
        e.contains("bad.key") && e.contains("as PEM") && e.contains("64 hex digits"),
        "{e}"
    );

    std::fs::write(&bad, "abcd\n").unwrap();
    let e = verify(&path, Some(&bad)).unwrap_err().to_string();
    assert!(
        e.contains("bad.key") && e.contains("found 4 hex digits"),
        "{e}"
    );

    let missing = d.path().join("missing.key");
    match append(&path, &entry(1), Some(&missing)) {
        Err(Error::Io { path, .. }) => assert_eq!(path, missing),
        other => panic!("expected Io, got {other:?}"),
    }
    // Nothing was appended.
    assert_eq!(verify(&path, None).unwrap().records, 1);
}

#[cfg(unix)]
#[test]
fn private_key_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let sk = d.path().join("key");
    let pk = d.path().join("key.pub");
    keygen(&sk, &pk).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&sk), 0o600);
    assert_eq!(mode(&pk), 0o644);
    let text = std::fs::read_to_string(&sk).unwrap();
    assert!(
        text.starts_with("-----BEGIN PRIVATE KEY-----\n")
            && text.ends_with("-----END PRIVATE KEY-----\n")
    );
    let text = std::fs::read_to_string(&pk).unwrap();
    assert!(text.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{text}");
}

/// Keys written as hex by earlier versions still sign and verify; a PEM that does not parse is
/// named.
#[test]
fn hex_keys_still_read_and_bad_pem_is_named() {
    let (d, path) = ledger_with(0);
    let sk = d.path().join("hex.key");
    let pk = d.path().join("hex.pub");
    // RFC 8032 §7.1, test 1: the secret key and its public key.
    std::fs::write(
        &sk,
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\n",
    )
    .unwrap();
    std::fs::write(
        &pk,
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a\n",
    )
    .unwrap();
    append(&path, &entry(0), Some(&sk)).unwrap();
    assert_eq!(verify(&path, Some(&pk)).unwrap().signed, 1);
    let bad = d.path().join("bad.pem");
    std::fs::write(
        &bad,
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    )
    .unwrap();
    let e = verify(&path, Some(&bad)).unwrap_err();
    assert!(matches!(e, Error::Key { .. }), "{e:?}");
    let e = e.to_string();
    assert!(e.contains("bad.pem") && e.contains("does not parse"), "{e}");
}
