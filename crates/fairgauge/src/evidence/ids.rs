//! Identifiers and times of the evidence: stable ids of findings and risks (digests of what they
//! are about), run ids (UUID v4), name-based UUIDs (v5) for OSCAL objects, and RFC 3339 times.

use sha2::{Digest, Sha256};

/// `prefix` and 12 hex digits of SHA-256 over the parts (joined by a unit separator).
pub fn stable_id(prefix: &str, parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h.update([0x1f]);
        }
        h.update(p.as_bytes());
    }
    let d = h.finalize();
    format!("{prefix}{}", &fairgauge_core::fingerprint::hex(&d)[..12])
}

/// A random UUID version 4 (RFC 9562 §5.4): 122 random bits from the OS (the `uuid` crate).
pub fn uuid_v4() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// fairgauge's namespace for name-based UUIDs: the version-5 UUID of the URL
/// `https://fairgauge.invalid/oscal` in RFC 9562's URL namespace.
pub fn fairgauge_namespace() -> uuid::Uuid {
    uuid_v5(
        &uuid::Uuid::NAMESPACE_URL,
        "https://fairgauge.invalid/oscal",
    )
}

/// The name-based UUID version 5 (RFC 9562 §5.5) of `name` in `namespace`: SHA-1 over the
/// namespace's 16 bytes and the name's UTF-8 bytes, its first 16 bytes with the version and
/// variant bits set (by the `uuid` crate's builder).
pub fn uuid_v5(namespace: &uuid::Uuid, name: &str) -> uuid::Uuid {
    let mut h = sha1::Sha1::new();
    h.update(namespace.as_bytes());
    h.update(name.as_bytes());
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    uuid::Builder::from_sha1_bytes(b).into_uuid()
}

/// A UUID that is the same for the same name in every run and version (for OSCAL objects): the
/// version-5 UUID of `name` in [`fairgauge_namespace`]. (Before 0.2 these were SHA-256 bytes
/// shaped as version 4; see CHANGELOG.md.)
pub fn uuid_from_name(name: &str) -> String {
    uuid_v5(&fairgauge_namespace(), name).to_string()
}

/// Now, as RFC 3339 in UTC with seconds (`2026-11-27T21:39:14Z`).
pub fn now_rfc3339() -> String {
    rfc3339(jiff::Timestamp::now().as_second())
}

/// Seconds since the Unix epoch as RFC 3339 in UTC with seconds (`jiff`); outside jiff's range
/// (years -9999 to 9999), the nearest end of it.
pub fn rfc3339(secs: i64) -> String {
    let t = jiff::Timestamp::from_second(secs).unwrap_or(if secs < 0 {
        jiff::Timestamp::MIN
    } else {
        jiff::Timestamp::MAX
    });
    jiff::Timestamp::from_second(t.as_second())
        .unwrap_or(t)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_uuids() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        // date -u -d @1795901954
        assert_eq!(rfc3339(1_795_901_954), "2026-11-28T21:39:14Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        let u = uuid_v4();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(uuid_v4(), u);
        assert_eq!(uuid_from_name("x"), uuid_from_name("x"));
        assert_eq!(&uuid_from_name("x")[14..15], "5");
        assert_ne!(uuid_from_name("x"), uuid_from_name("y"));
        // RFC 9562's URL and DNS namespaces; the DNS example is Python's `uuid.uuid5` docs'.
        assert_eq!(
            uuid_v5(&uuid::Uuid::NAMESPACE_DNS, "python.org").to_string(),
            "886313e1-3b8a-5372-9b90-0c9aee199e5d"
        );
        assert_eq!(stable_id("F-", &["a", "b"]).len(), 14);
        assert_ne!(stable_id("F-", &["a", "b"]), stable_id("F-", &["ab"]));
    }
}
