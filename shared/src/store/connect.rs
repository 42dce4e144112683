//! The DynamoDB client a function builds once per cold start: its HTTPS client and trust
//! store, explicit timeouts, and retries (the SDK's standard ones plus cancelled
//! transactions, see [`super::retry`]).

use std::time::Duration;

use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_dynamodb::config::ProvideCredentials;
use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

use super::retry;
use crate::config::{Config, TrustRoots};

/// Time to open a connection before the attempt fails.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// Time for one attempt of an operation, retries excluded.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(2);
/// Time for an operation with all its retries; well inside the function's timeout.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(6);
/// Attempts per operation under the standard retry mode (exponential backoff, jitter).
pub const MAX_ATTEMPTS: u32 = 3;

/// The roots of Amazon Trust Services, which issues the certificate of every AWS service
/// endpoint, DynamoDB's included: Amazon Root CA 1 to 4 and Starfield Services Root
/// Certificate Authority - G2, as published at <https://www.amazontrust.com/repository/>.
const AMAZON_TRUST_SERVICES_ROOTS: &[u8] = include_bytes!("../../certs/amazon-trust-services.pem");

/// An HTTP client that builds its connector (the TLS configuration) on the first request
/// rather than when the SDK client is built, as the SDK's clients do to load the system
/// trust store early. Every request still goes through the wrapped client.
#[derive(Debug)]
struct ConnectOnFirstUse(SharedHttpClient);

impl HttpClient for ConnectOnFirstUse {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        self.0.http_connector(settings, components)
    }

    // `validate_base_client_config` keeps its default (nothing to check), which is the
    // point: the inner client would build its TLS connector there, during init.

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.0.connector_metadata()
    }
}

/// The HTTPS client the SDK talks to DynamoDB through: the SDK's own (hyper 1, rustls on
/// aws-lc), trusting the roots `trust` names, with its TLS set-up on the first request.
///
/// Why not the SDK's default client: it loads and parses the system's whole trust store
/// (about 150 certificates read from disk) while the client is built, which was three
/// quarters of a function's init time. Five compiled-in certificates cost next to nothing,
/// and what they do cost is paid by the first request to DynamoDB, which opens a TLS
/// connection anyway, instead of by the init of every instance.
fn https_client(trust: TrustRoots) -> SharedHttpClient {
    let trust_store = match trust {
        TrustRoots::Amazon => TrustStore::empty()
            .with_native_roots(false)
            .with_pem_certificate(AMAZON_TRUST_SERVICES_ROOTS),
        TrustRoots::System => TrustStore::default(),
    };
    let client = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::AwsLc,
        ))
        .tls_context(
            TlsContext::builder()
                .with_trust_store(trust_store)
                .build()
                // `build` cannot fail in this version of the crate; were it to, the
                // SDK's default context (the system store) is a safe fallback.
                .unwrap_or_default(),
        )
        .build_https();
    SharedHttpClient::new(ConnectOnFirstUse(client))
}

/// Explicit timeouts: every attempt and every operation ends well inside the function's
/// own timeout.
fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build()
}

/// Standard retries: exponential backoff with jitter, [`MAX_ATTEMPTS`] attempts.
fn retries() -> RetryConfig {
    RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS)
}

/// Builds the DynamoDB client a function uses: region and credentials from the
/// environment, which is where Lambda puts them (`AWS_REGION`, `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), an HTTPS client that trusts the
/// configured roots (Amazon Trust Services' by default, compiled in),
/// explicit timeouts, standard retries (cancelled transactions included, see [`retry`]),
/// and the local endpoint when one is configured.
///
/// It reads no file and makes no network call. Unlike `aws_config::load`, it does not
/// assemble the default provider chains (profile files, SSO, web identity, container and
/// instance metadata), which a Lambda function never uses and which cost about half a
/// millisecond of every cold start; [`dynamodb_client_from_default_chain`] is for tools
/// that run where those matter.
pub fn dynamodb_client(config: &Config) -> aws_sdk_dynamodb::Client {
    client_with_credentials(config, EnvironmentVariableCredentialsProvider::new())
}

/// [`dynamodb_client`] with the given credentials.
fn client_with_credentials(
    config: &Config,
    credentials: impl ProvideCredentials + 'static,
) -> aws_sdk_dynamodb::Client {
    let mut builder = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(config.region.clone()))
        .credentials_provider(credentials)
        .http_client(https_client(config.trust_roots))
        .timeout_config(timeouts())
        .retry_config(retries())
        .retry_classifier(retry::CancelledTransactionRetry);
    if let Some(endpoint) = &config.dynamodb_endpoint {
        builder = builder.endpoint_url(endpoint);
    }
    aws_sdk_dynamodb::Client::from_conf(builder.build())
}

/// Builds a DynamoDB client through the SDK's default provider chains (profiles, SSO,
/// instance metadata, ...), with the same HTTPS client, timeouts and retries as
/// [`dynamodb_client`]: for the admin tool, run from a laptop or a pipeline.
pub async fn dynamodb_client_from_default_chain(config: &Config) -> aws_sdk_dynamodb::Client {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client(config.trust_roots))
        .region(Region::new(config.region.clone()))
        .timeout_config(timeouts())
        .retry_config(retries());
    if let Some(endpoint) = &config.dynamodb_endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    let conf = aws_sdk_dynamodb::config::Builder::from(&loader.load().await)
        .retry_classifier(retry::CancelledTransactionRetry)
        .build();
    aws_sdk_dynamodb::Client::from_conf(conf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trust_store_holds_the_five_amazon_roots() {
        let pem = std::str::from_utf8(AMAZON_TRUST_SERVICES_ROOTS).unwrap();
        assert_eq!(pem.matches("-----BEGIN CERTIFICATE-----").count(), 5);
        assert_eq!(pem.matches("-----END CERTIFICATE-----").count(), 5);
    }

    #[tokio::test]
    async fn the_client_trusts_the_compiled_in_roots_and_reads_its_region_from_the_config() {
        use tokio::io::AsyncReadExt as _;
        // The TLS configuration, trust store included, is built on the first request,
        // before the first handshake; the SDK panics there on a certificate it cannot
        // parse. A ClientHello reaching this listener proves the roots load.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("https://{}", listener.local_addr().unwrap());
        let first_record = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut header = [0u8; 5];
            socket.read_exact(&mut header).await.map(|_| header[0])
        });
        let config = Config::from_lookup(|name| match name {
            "TABLE_NAME" => Some("t".into()),
            "CURSOR_SECRET" | "TOKEN_SECRET" => Some("0123456789abcdef0123456789abcdef".into()),
            "AWS_REGION" => Some("eu-central-1".into()),
            "AWS_ENDPOINT_URL_DYNAMODB" => Some(endpoint.clone()),
            _ => None,
        })
        .unwrap();
        // Lambda's credentials come from the environment, which a test must not change.
        let credentials =
            aws_sdk_dynamodb::config::Credentials::new("test", "test", None, None, "test");
        let client = client_with_credentials(&config, credentials);
        assert_eq!(
            client.config().region().map(|r| r.as_ref()),
            Some("eu-central-1")
        );
        let sent = client.list_tables().send();
        // The listener closes after the first record, so the call itself fails.
        assert!(sent.await.is_err());
        const TLS_HANDSHAKE: u8 = 0x16;
        assert_eq!(first_record.await.unwrap().unwrap(), TLS_HANDSHAKE);
    }
}
