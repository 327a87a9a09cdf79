//! TLS terminated by `counterfoil serve` itself (docs/sync.md "Transport and access"): with a
//! certificate it is given, or with a self-signed one it makes on first start and keeps, whose
//! SHA-256 fingerprint a desktop pins when it links (as Syncthing pins device IDs). No CA is
//! involved, so a team's server needs no domain name to be reached safely.

use crate::guard::FirstLineGuard;
use anyhow::{bail, Context};
use counterfoil_engine::files;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;
use sha2::{Digest, Sha256};
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// A handshake that takes longer is dropped: a stalled client holds no more than a task.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Names a self-signed certificate is made for; clients pin its fingerprint, not a name.
const SELF_SIGNED_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// What the server presents: its certificate chain and key, ready for rustls.
pub struct TlsIdentity {
    config: Arc<ServerConfig>,
    fingerprint: String,
}

impl TlsIdentity {
    /// The certificate chain and private key in the PEM files given (`--tls-cert`, `--tls-key`).
    pub fn from_files(cert: &Path, key: &Path) -> anyhow::Result<TlsIdentity> {
        let read = |path: &Path| {
            files::read(path).with_context(|| format!("could not read {}", path.display()))
        };
        let chain = CertificateDer::pem_slice_iter(&read(cert)?)
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("{} is not a PEM certificate", cert.display()))?;
        if chain.is_empty() {
            bail!("{} holds no certificate", cert.display());
        }
        let key = PrivateKeyDer::from_pem_slice(&read(key)?)
            .with_context(|| format!("{} is not a PEM private key", key.display()))?;
        TlsIdentity::new(chain, key)
    }

    /// The self-signed certificate kept at `cert` and `key`, made (and written, the key
    /// readable by its owner only) when they do not exist yet. Returns whether it was made now.
    pub fn self_signed(cert: &Path, key: &Path) -> anyhow::Result<(TlsIdentity, bool)> {
        if cert.exists() || key.exists() {
            return Ok((TlsIdentity::from_files(cert, key)?, false));
        }
        let names = SELF_SIGNED_NAMES.map(str::to_owned).to_vec();
        let made = rcgen::generate_simple_self_signed(names)
            .context("could not make a self-signed certificate")?;
        files::write_new_private(key, made.signing_key.serialize_pem())
            .with_context(|| format!("could not write {}", key.display()))?;
        files::write(cert, made.cert.pem())
            .with_context(|| format!("could not write {}", cert.display()))?;
        Ok((TlsIdentity::from_files(cert, key)?, true))
    }

    fn new(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> anyhow::Result<TlsIdentity> {
        let fingerprint = fingerprint(&chain[0]);
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .context("no TLS version available")?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .context("the certificate and the private key do not belong together")?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsIdentity {
            config: Arc::new(config),
            fingerprint,
        })
    }

    /// The SHA-256 of the server's certificate, as `sync link --fingerprint` takes it:
    /// uppercase hex pairs joined by colons.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }
}

/// A certificate's SHA-256 fingerprint: `AB:CD:…` (32 pairs), what `openssl x509 -fingerprint
/// -sha256` prints after its `sha256 Fingerprint=`.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|byte| format!("{byte:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A listener whose connections are TLS: handshakes run in their own tasks, so a slow or
/// silent client never holds up the others, and the server sees only finished handshakes.
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    pub fn new(listener: TcpListener, identity: &TlsIdentity) -> io::Result<TlsListener> {
        let local = listener.local_addr()?;
        let acceptor = TlsAcceptor::from(identity.config.clone());
        let (sender, ready) = mpsc::channel(64);
        tokio::spawn(async move {
            while !sender.is_closed() {
                let (stream, address) = match listener.accept().await {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors and the like: wait rather than spin.
                        tracing::warn!("accepting a connection failed: {error}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let acceptor = acceptor.clone();
                let sender = sender.clone();
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = sender.send((tls, address)).await;
                        }
                        Ok(Err(error)) => {
                            tracing::debug!(%address, "TLS handshake failed: {error}")
                        }
                        Err(_) => tracing::debug!(%address, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(TlsListener { ready, local })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = FirstLineGuard<TlsStream<TcpStream>>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some((stream, address)) => (FirstLineGuard::new(stream), address),
            // The accepting task ended: nothing more will come.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}

/// A client's TLS settings that trust exactly one server certificate, the one whose SHA-256
/// fingerprint is `pinned` (colons and case ignored): what a desktop linked with
/// `sync link --fingerprint` uses, whatever name or CA the certificate has.
pub fn pinned_client_config(pinned: &str) -> anyhow::Result<rustls::ClientConfig> {
    let pinned = normalized(pinned);
    if pinned.len() != 64 || !pinned.chars().all(|c| c.is_ascii_hexdigit()) {
        bail!("a fingerprint is 32 bytes of SHA-256 written in hex, e.g. AB:CD:…");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(PinnedCertificate {
        pinned,
        provider: provider.clone(),
    });
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("no TLS version available")?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth())
}

fn normalized(fingerprint: &str) -> String {
    fingerprint
        .chars()
        .filter(|c| *c != ':')
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Trusts the pinned certificate and nothing else; signatures are still checked, so only the
/// holder of its key can present it.
#[derive(Debug)]
struct PinnedCertificate {
    pinned: String,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl rustls::client::danger::ServerCertVerifier for PinnedCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        if normalized(&fingerprint(end_entity)) == self.pinned {
            Ok(rustls::client::danger::ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(format!(
                "the server's certificate is not the one pinned (its fingerprint is {})",
                fingerprint(end_entity)
            )))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        signature: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            signature,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        signature: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            signature,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
