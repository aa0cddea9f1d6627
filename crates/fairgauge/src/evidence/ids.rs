//! Identifiers and times of the evidence: stable ids of findings and risks (digests of what they
//! are about), run ids (UUID v4), name-based UUIDs for OSCAL objects, and RFC 3339 times.

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

/// A random UUID version 4 (RFC 9562 §5.4): 122 random bits from the OS.
pub fn uuid_v4() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    uuid_from_bytes(b)
}

/// Formats 16 random bytes as a version-4, variant-1 UUID.
pub fn uuid_from_bytes(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = fairgauge_core::fingerprint::hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A deterministic version-4-shaped UUID from a name (for OSCAL objects that must be stable
/// across runs): the first 16 bytes of SHA-256 over the name, with the version and variant bits
/// set as RFC 9562 requires of a v4 UUID.
pub fn uuid_from_name(name: &str) -> String {
    let d = Sha256::digest(name.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    uuid_from_bytes(b)
}

/// Now, as RFC 3339 in UTC with seconds (`2026-11-27T21:39:14Z`).
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    rfc3339(secs)
}

/// Seconds since the Unix epoch as RFC 3339 in UTC (civil-from-days, H. Hinnant's algorithm).
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        sod / 3600,
        (sod % 3600) / 60,
        sod % 60
    )
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
        assert_eq!(&uuid_from_name("x")[14..15], "4");
        assert_eq!(stable_id("F-", &["a", "b"]).len(), 14);
        assert_ne!(stable_id("F-", &["a", "b"]), stable_id("F-", &["ab"]));
    }
}
