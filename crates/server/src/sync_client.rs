//! A desktop's way to its server (docs/sync.md): the engine's [`Transport`] over HTTP, TLS
//! pinned to the certificate fingerprint given when the book was linked. Used by the CLI
//! (`counterfoil sync`, `counterfoil op` on a linked book) and the desktop app. A round that
//! cannot reach the server gives up within [`ROUND_LIMIT`].

use counterfoil_engine::sync::desktop::{LinkSettings, Transport, TransportError};
use counterfoil_engine::sync::protocol::{PullPage, PullRequest, PushAnswer, PushRequest};
use counterfoil_engine::ApiError;
use std::path::Path;
use std::time::{Duration, Instant};

/// The longest one round (or one snapshot) may wait on the network in all.
pub const ROUND_LIMIT: Duration = Duration::from_secs(60);
/// The longest one connection attempt may take.
const CONNECT_LIMIT: Duration = Duration::from_secs(10);

/// This computer's name, for the token a person's sign-in makes ("Sync: ann on NAME").
pub fn computer_name() -> String {
    counterfoil_engine::files::read_to_string(Path::new("/etc/hostname"))
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "a desktop".to_owned())
}

/// Requests larger than this are sent gzipped.
const GZIP_FROM_BYTES: usize = 16 * 1024;

fn gzipped(bytes: &[u8]) -> Result<Vec<u8>, TransportError> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .map_err(|e| TransportError::Refused(format!("compressing the request: {e}")))
}

pub struct HttpTransport {
    client: reqwest::blocking::Client,
    base: url::Url,
    token: String,
    deadline: Instant,
}

impl HttpTransport {
    /// A transport to the server `link` names. An `https` server must have its certificate's
    /// fingerprint pinned; plain `http` is for a server on this machine (loopback) only.
    pub fn new(link: &LinkSettings) -> Result<HttpTransport, TransportError> {
        let base = url::Url::parse(&link.server_url)
            .map_err(|e| TransportError::Refused(format!("the server address: {e}")))?;
        let mut builder = reqwest::blocking::Client::builder()
            .connect_timeout(CONNECT_LIMIT)
            .timeout(ROUND_LIMIT);
        match base.scheme() {
            "https" => {
                let Some(fingerprint) = &link.fingerprint else {
                    return Err(TransportError::Refused(
                        "an https server needs its certificate's fingerprint (sync link --fingerprint)".into(),
                    ));
                };
                let config = crate::tls::pinned_client_config(fingerprint)
                    .map_err(|e| TransportError::Refused(e.to_string()))?;
                builder = builder.use_preconfigured_tls(config);
            }
            "http" => {
                let loopback = match base.host() {
                    Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                    Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                    Some(url::Host::Domain(name)) => name == "localhost",
                    None => false,
                };
                if !loopback {
                    return Err(TransportError::Refused(
                        "plain http is only for a server on this machine; use https".into(),
                    ));
                }
            }
            other => {
                return Err(TransportError::Refused(format!(
                    "the server address must be http or https, not {other}"
                )))
            }
        }
        let client = builder
            .build()
            .map_err(|e| TransportError::Refused(e.to_string()))?;
        Ok(HttpTransport {
            client,
            base,
            token: link.token.clone(),
            deadline: Instant::now() + ROUND_LIMIT,
        })
    }

    fn remaining(&self) -> Result<Duration, TransportError> {
        self.deadline
            .checked_duration_since(Instant::now())
            .filter(|left| !left.is_zero())
            .ok_or_else(|| {
                TransportError::Unreachable("the round took longer than a minute".into())
            })
    }

    fn url(&self, path: &str) -> Result<url::Url, TransportError> {
        self.base
            .join(path)
            .map_err(|e| TransportError::Refused(e.to_string()))
    }

    fn send(
        &self,
        request: reqwest::blocking::RequestBuilder,
    ) -> Result<reqwest::blocking::Response, TransportError> {
        let request = if self.token.is_empty() {
            request
        } else {
            request.bearer_auth(&self.token)
        };
        let response = request
            .timeout(self.remaining()?)
            .send()
            .map_err(|e| TransportError::Unreachable(e.to_string()))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let message = response
            .json::<ApiError>()
            .map(|error| error.message)
            .unwrap_or_else(|_| status.to_string());
        // Trouble on the server's side (or on the way) passes; a refusal needs the person.
        if status.is_server_error() || status.as_u16() == 408 {
            Err(TransportError::Unreachable(message))
        } else {
            Err(TransportError::Refused(message))
        }
    }

    fn post<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &impl serde::Serialize,
    ) -> Result<T, TransportError> {
        let json = serde_json::to_vec(body)
            .map_err(|e| TransportError::Refused(format!("the request: {e}")))?;
        let mut request = self
            .client
            .post(self.url(path)?)
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        // A push of many changes shrinks several times; a small request is sent as it is.
        request = if json.len() > GZIP_FROM_BYTES {
            request
                .header(reqwest::header::CONTENT_ENCODING, "gzip")
                .body(gzipped(&json)?)
        } else {
            request.body(json)
        };
        let response = self.send(request)?;
        response
            .json()
            .map_err(|e| TransportError::Unreachable(format!("the answer was cut: {e}")))
    }

    /// Downloads the server's snapshot into `to`; the feed position it holds.
    pub fn snapshot(&self, to: &Path) -> Result<i64, TransportError> {
        let response = self.send(self.client.get(self.url("sync/v1/snapshot")?))?;
        let cursor = response
            .headers()
            .get("x-sync-cursor")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| {
                TransportError::Refused("the snapshot came without its cursor".into())
            })?;
        let bytes = response
            .bytes()
            .map_err(|e| TransportError::Unreachable(format!("the snapshot was cut: {e}")))?;
        counterfoil_engine::files::write(to, &bytes)
            .map_err(|e| TransportError::Refused(format!("{}: {e}", to.display())))?;
        Ok(cursor)
    }
}

impl HttpTransport {
    /// Sends a standalone book's publish copy (a SQLite file) to an empty server; the feed
    /// position to pull from once linked.
    pub fn publish(&self, book_copy: &Path) -> Result<i64, TransportError> {
        let file = counterfoil_engine::files::open(book_copy)
            .map_err(|e| TransportError::Refused(format!("{}: {e}", book_copy.display())))?;
        let response = self.send(
            self.client
                .post(self.url("sync/v1/publish")?)
                .header(reqwest::header::CONTENT_TYPE, "application/vnd.sqlite3")
                .body(reqwest::blocking::Body::from(file)),
        )?;
        let answer: serde_json::Value = response
            .json()
            .map_err(|e| TransportError::Unreachable(format!("the answer was cut: {e}")))?;
        answer["cursor"].as_i64().ok_or_else(|| {
            TransportError::Refused("the server's answer to the publish had no cursor".into())
        })
    }

    /// Signs `username` in on the server to link this desktop: the server answers a new
    /// sync token for it (the link's settings need no token for this).
    pub fn token_for_person(
        &self,
        username: &str,
        password: &str,
        device_name: &str,
    ) -> Result<String, TransportError> {
        let answer: serde_json::Value = self.post(
            "sync/v1/device",
            &serde_json::json!({
                "username": username,
                "password": password,
                "device_name": device_name,
            }),
        )?;
        answer["token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| TransportError::Refused("the server answered no token".into()))
    }
}

impl Transport for HttpTransport {
    fn push(&mut self, request: &PushRequest) -> Result<PushAnswer, TransportError> {
        self.post("sync/v1/push", request)
    }

    fn pull(&mut self, request: &PullRequest) -> Result<PullPage, TransportError> {
        self.post("sync/v1/pull", request)
    }
}
