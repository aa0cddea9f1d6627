//! TLS to a PostgreSQL history, with the parameters libpq users know: `sslmode` and
//! `sslrootcert` in the URL (`postgresql://…/db?sslmode=verify-full&sslrootcert=ca.pem`).
//!
//! The modes are libpq's (PostgreSQL documentation, "SSL Support", table "SSL Mode
//! Descriptions"):
//! - `disable`: no TLS.
//! - `allow` and `prefer` (the default): TLS when the server offers it, else plain TCP. The
//!   certificate is not checked.
//! - `require`: TLS or no connection; the certificate is not checked.
//! - `verify-ca`: TLS, with a certificate signed by a trusted authority; any host name.
//! - `verify-full`: as `verify-ca`, and the certificate must name the host connected to.
//!
//! The trusted authorities are those of the PEM file `sslrootcert`. Without it, or with
//! `sslrootcert=system`, they are the system's (libpq reads `~/.postgresql/root.crt` instead:
//! give that file as `sslrootcert` to do the same). libpq's `require` also verifies when a
//! root file exists; here `require` never verifies, and `verify-ca` is the mode for that.
//! Client certificates (`sslcert`, `sslkey`) are refused with a clear error: use a password.
//!
//! TLS is rustls with the ring provider; no system OpenSSL is needed.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres_rustls::MakeRustlsConnect;

/// How a connection uses TLS (libpq's `sslmode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// A URL's connection settings and the TLS connector they ask for.
pub(super) struct Target {
    pub(super) config: postgres::Config,
    pub(super) tls: MakeRustlsConnect,
}

/// Reads a PostgreSQL URL: its TLS parameters are taken out and turned into a connector; the
/// rest is the `postgres` crate's.
pub(super) fn target(url: &str) -> Result<Target, String> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, q),
        None => (url, ""),
    };
    let mut mode = Mode::Prefer;
    let mut root: Option<String> = None;
    let mut kept = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        match k.as_ref() {
            "sslmode" => {
                mode = match v.as_ref() {
                    "disable" => Mode::Disable,
                    "allow" | "prefer" => Mode::Prefer,
                    "require" => Mode::Require,
                    "verify-ca" => Mode::VerifyCa,
                    "verify-full" => Mode::VerifyFull,
                    other => {
                        return Err(format!(
                            "sslmode `{other}`: expected disable, allow, prefer, require, \
                             verify-ca or verify-full"
                        ))
                    }
                }
            }
            "sslrootcert" => root = Some(v.into_owned()),
            "sslcert" | "sslkey" | "sslpassword" | "sslcrl" | "sslcrldir" => {
                return Err(format!(
                    "`{k}`: client certificates and revocation lists are not supported; \
                     connect with a password (or trust) over sslmode=verify-full"
                ))
            }
            _ => {
                kept.append_pair(&k, &v);
            }
        }
    }
    let rest = kept.finish();
    let plain = if rest.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{rest}")
    };
    let mut config: postgres::Config = plain
        .parse()
        .map_err(|x: postgres::Error| format!("not a PostgreSQL URL: {x}"))?;
    config.ssl_mode(match mode {
        Mode::Disable => postgres::config::SslMode::Disable,
        Mode::Prefer => postgres::config::SslMode::Prefer,
        _ => postgres::config::SslMode::Require,
    });
    let tls = MakeRustlsConnect::new(client_config(mode, root.as_deref())?);
    Ok(Target { config, tls })
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn client_config(mode: Mode, root: Option<&str>) -> Result<ClientConfig, String> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?;
    let config = match mode {
        Mode::Disable | Mode::Prefer | Mode::Require => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unchecked(provider())))
            .with_no_client_auth(),
        Mode::VerifyCa | Mode::VerifyFull => {
            let roots = Arc::new(roots(root)?);
            let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider())
                .build()
                .map_err(|e| format!("TLS: {e}"))?;
            if mode == Mode::VerifyFull {
                builder.with_webpki_verifier(webpki).with_no_client_auth()
            } else {
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(AnyName(webpki)))
                    .with_no_client_auth()
            }
        }
    };
    Ok(config)
}

/// The trusted authorities: the PEM file `root`, or the system's.
fn roots(root: Option<&str>) -> Result<RootCertStore, String> {
    let mut store = RootCertStore::empty();
    match root {
        Some(path) if path != "system" => {
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| format!("sslrootcert `{path}`: cannot read PEM certificates: {e}"))?;
            if certs.is_empty() {
                return Err(format!("sslrootcert `{path}` holds no certificate"));
            }
            for c in certs {
                store.add(c).map_err(|e| {
                    format!("sslrootcert `{path}`: a certificate is not usable: {e}")
                })?;
            }
        }
        _ => {
            let found = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(found.certs);
            if store.is_empty() {
                return Err(
                    "sslmode verify-ca/verify-full: no trusted authority found on this system; \
                     give one with sslrootcert=FILE.pem"
                        .into(),
                );
            }
        }
    }
    Ok(store)
}

/// Accepts any certificate (`prefer`, `require`: encryption without authentication, as libpq),
/// still checking the handshake's signatures.
#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: the chain must lead to a trusted authority; the name it gives may be any.
#[derive(Debug)]
struct AnyName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_parameters_are_taken_out_of_the_url() {
        let t = target("postgresql://u:p@db.example:5433/h?sslmode=verify-full&application_name=x")
            .ok_target();
        assert_eq!(t.config.get_ports(), &[5433]);
        assert_eq!(t.config.get_dbname(), Some("h"));
        assert_eq!(t.config.get_ssl_mode(), postgres::config::SslMode::Require);
        let t = target("postgres://u@localhost/h").ok_target();
        assert_eq!(t.config.get_ssl_mode(), postgres::config::SslMode::Prefer);
        let t = target("postgres://u@localhost/h?sslmode=disable").ok_target();
        assert_eq!(t.config.get_ssl_mode(), postgres::config::SslMode::Disable);
    }

    #[test]
    fn bad_tls_parameters_are_clear_errors() {
        let e = |u: &str| match target(u) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{u} was accepted"),
        };
        assert!(e("postgres://h/d?sslmode=strict").contains("sslmode `strict`"));
        assert!(e("postgres://h/d?sslcert=c.pem").contains("client certificates"));
        let m = e("postgres://h/d?sslmode=verify-ca&sslrootcert=/nonexistent/ca.pem");
        assert!(m.contains("sslrootcert `/nonexistent/ca.pem`"), "{m}");
    }

    trait OrTarget {
        fn ok_target(self) -> Target;
    }

    impl OrTarget for Result<Target, String> {
        fn ok_target(self) -> Target {
            match self {
                Ok(t) => t,
                Err(e) => panic!("{e}"),
            }
        }
    }
}
