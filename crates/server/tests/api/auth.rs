//! 401 and 403 paths, and RS256 tokens from a configured public key.

use crate::helpers::{spawn_app, spawn_app_with};

/// Claims a customer success manager's billing token carries, valid for an hour.
fn csm_claims() -> docket_server::Claims {
    docket_server::Authenticator::claims(
        "csm",
        None,
        &["CustomerSuccessManager".into()],
        &["billing:read".into()],
        &["docket-billing".into()],
        time::Duration::hours(1),
    )
}

#[tokio::test]
async fn missing_malformed_forged_and_expired_tokens_are_401() {
    let app = spawn_app().await;
    let (status, body) = app.get("/billing/usage", None).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "unauthorized");

    let (status, body) = app.get("/billing/usage", Some("not-a-jwt")).await;
    assert_eq!(status, 401);
    assert!(body["error"]["message"].as_str().unwrap().contains("malformed"), "{body}");

    // Signed with another secret.
    let other = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &docket_server::Authenticator::claims(
            "x",
            None,
            &[],
            &["billing:read".into()],
            &["docket-billing".into()],
            time::Duration::hours(1),
        ),
        &jsonwebtoken::EncodingKey::from_secret(b"some-other-secret-entirely-different"),
    )
    .unwrap();
    let (status, body) = app.get("/billing/usage", Some(&other)).await;
    assert_eq!(status, 401);
    assert!(body["error"]["message"].as_str().unwrap().contains("signature"), "{body}");

    let auth = docket_server::Authenticator::from_config(&app.config).unwrap();
    let mut claims = csm_claims();
    claims.exp = time::OffsetDateTime::now_utc().unix_timestamp() - 3600;
    let expired = auth.sign(&claims).unwrap();
    let (status, body) = app.get("/billing/usage", Some(&expired)).await;
    assert_eq!(status, 401);
    assert!(body["error"]["message"].as_str().unwrap().contains("expired"), "{body}");
}

#[tokio::test]
async fn wrong_role_scope_or_audience_is_403() {
    let app = spawn_app().await;
    let cases = [
        (app.token(None, &["CaseCoordinator"], &["billing:read"], &["docket-billing"]), "roles"),
        (app.token(None, &["CustomerSuccessManager"], &["query:read"], &["docket-billing"]), "scope"),
        (app.token(None, &["CustomerSuccessManager"], &["billing:read"], &["docket-api"]), "audience"),
    ];
    for (token, what) in cases {
        let (status, body) = app.get("/billing/usage", Some(&token)).await;
        assert_eq!(status, 403, "{what}: {body}");
        assert_eq!(body["error"]["code"], "forbidden");
        assert!(body["error"]["message"].as_str().unwrap().contains(what), "{what}: {body}");
    }
    let admin = app.token(None, &["PlatformAdmin"], &["billing:read"], &["docket-billing"]);
    assert_eq!(app.get("/billing/usage", Some(&admin)).await.0, 200);
}

#[tokio::test]
async fn rs256_tokens_verify_with_the_configured_public_key() {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let public = format!("{fixtures}/test_rsa_public.pem");
    let private = format!("{fixtures}/test_rsa_private.pem");
    let app = spawn_app_with(&["--jwt-public-key", &public, "--jwt-private-key", &private]).await;
    let token = app.csm_token();
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    let (status, body) = app.get("/billing/usage", Some(&token)).await;
    assert_eq!(status, 200, "{body}");

    // An RS256 token from a key the server does not trust is refused.
    let untrusted = std::fs::read(format!("{fixtures}/other_rsa_private.pem")).unwrap();
    let claims = csm_claims();
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_rsa_pem(&untrusted).unwrap(),
    )
    .unwrap();
    let (status, body) = app.get("/billing/usage", Some(&forged)).await;
    assert_eq!(status, 401, "{body}");
}

#[tokio::test]
async fn the_generated_secret_is_private_and_reused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().display().to_string();
    let parse = |args: &[&str]| {
        use clap::Parser;
        #[derive(Parser)]
        struct A {
            #[command(flatten)]
            c: docket_server::Config,
        }
        let mut argv = vec!["docket", "--storage", &storage];
        argv.extend_from_slice(args);
        A::try_parse_from(argv).unwrap().c
    };
    let mut config = parse(&[]);
    config.jwt_secret = None;
    let a = docket_server::Authenticator::from_config(&config).unwrap();
    let secret_file = dir.path().join("secrets/jwt_secret");
    let mode = std::fs::metadata(&secret_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let b = docket_server::Authenticator::from_config(&config).unwrap();
    let claims =
        docket_server::Authenticator::claims("s", None, &[], &[], &["docket-api".into()], time::Duration::hours(1));
    let token = a.sign(&claims).unwrap();
    assert!(b.verify(&token).is_ok(), "a second start verifies tokens of the first");
}

#[tokio::test]
async fn rs256_tokens_verify_with_a_jwks_file_by_kid() {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let app = spawn_app_with(&["--jwks-file", &format!("{fixtures}/test_jwks.json")]).await;
    let private = std::fs::read(format!("{fixtures}/test_rsa_private.pem")).unwrap();
    let claims = csm_claims();
    let sign = |kid: &str| {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, &claims, &jsonwebtoken::EncodingKey::from_rsa_pem(&private).unwrap()).unwrap()
    };
    let (status, body) = app.get("/billing/usage", Some(&sign("docket-test-key"))).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = app.get("/billing/usage", Some(&sign("some-other-kid"))).await;
    assert_eq!(status, 401, "a kid the JWKS does not hold");
}

/// Sign raw claims with the test app's HS256 secret.
fn hs256(claims: &serde_json::Value, alg: jsonwebtoken::Algorithm) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(alg),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(b"test-secret-0123456789-abcdefghijklmnop"),
    )
    .unwrap()
}

fn raw_claims(now: i64) -> serde_json::Value {
    serde_json::json!({
        "sub": "csm", "roles": ["CustomerSuccessManager"], "scope": "billing:read",
        "aud": "docket-billing", "iat": now, "exp": now + 600,
    })
}

async fn refused(app: &crate::helpers::TestApp, token: &str, why: &str) {
    let (status, body) = app.get("/billing/usage", Some(token)).await;
    assert_eq!(status, 401, "{why}: {body}");
    assert_eq!(body["error"]["code"], "unauthorized", "{why}: {body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains(why), "expected '{why}' in: {message}");
    assert!(!message.contains(token), "the token is echoed: {message}");
}

#[tokio::test]
async fn hostile_tokens_are_refused_with_their_reason() {
    let app = spawn_app().await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let good = hs256(&raw_claims(now), jsonwebtoken::Algorithm::HS256);
    assert_eq!(app.get("/billing/usage", Some(&good)).await.0, 200, "the baseline token works");

    // The secret's algorithm is HS256: the same secret under HS384 is another algorithm.
    refused(&app, &hs256(&raw_claims(now), jsonwebtoken::Algorithm::HS384), "algorithm").await;
    // alg none: an unsigned token.
    use base64::Engine;
    let b64 = |v: &serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let unsigned = format!("{}.{}.", b64(&serde_json::json!({"alg": "none", "typ": "JWT"})), b64(&raw_claims(now)));
    refused(&app, &unsigned, "malformed").await;

    let mut c = raw_claims(now);
    c["nbf"] = serde_json::json!(now + 3600);
    refused(&app, &hs256(&c, jsonwebtoken::Algorithm::HS256), "not valid yet").await;

    let mut c = raw_claims(now);
    c["exp"] = serde_json::json!(253_402_300_799i64); // 9999-12-31
    refused(&app, &hs256(&c, jsonwebtoken::Algorithm::HS256), "lifetime").await;
    let mut c = raw_claims(now);
    c["exp"] = serde_json::json!(now + 25 * 3600);
    refused(&app, &hs256(&c, jsonwebtoken::Algorithm::HS256), "DOCKET_JWT_MAX_TTL").await;
    let mut c = raw_claims(now);
    c.as_object_mut().unwrap().remove("iat");
    refused(&app, &hs256(&c, jsonwebtoken::Algorithm::HS256), "'iat'").await;
    let mut c = raw_claims(now);
    c["iat"] = serde_json::json!(now + 3600);
    c["exp"] = serde_json::json!(now + 3700);
    refused(&app, &hs256(&c, jsonwebtoken::Algorithm::HS256), "future").await;
    let mut c = raw_claims(now);
    c["iat"] = serde_json::json!(now - 7200);
    c["exp"] = serde_json::json!(now - 3600);
    refused(&app, &hs256(&c, jsonwebtoken::Algorithm::HS256), "expired").await;

    // Audience is checked per endpoint: a product token on a billing endpoint is 403.
    let mut c = raw_claims(now);
    c["aud"] = serde_json::json!(["docket-api"]);
    let (status, body) = app.get("/billing/usage", Some(&hs256(&c, jsonwebtoken::Algorithm::HS256))).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("audience"), "{body}");
}

#[tokio::test]
async fn a_configured_issuer_is_required_and_set_by_docket() {
    let app = spawn_app_with(&["--jwt-issuer", "https://id.example.com/"]).await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    refused(&app, &hs256(&raw_claims(now), jsonwebtoken::Algorithm::HS256), "'iss'").await;
    let mut c = raw_claims(now);
    c["iss"] = serde_json::json!("https://evil.example.com/");
    refused(&app, &hs256(&c, jsonwebtoken::Algorithm::HS256), "DOCKET_JWT_ISSUER").await;
    // Tokens docket signs carry the issuer.
    let (status, body) = app.get("/billing/usage", Some(&app.csm_token())).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn short_secrets_and_keyless_configurations_are_refused_at_start() {
    use clap::Parser;
    #[derive(Parser)]
    struct A {
        #[command(flatten)]
        c: docket_server::Config,
    }
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().display().to_string();
    for secret in ["x", "0123456789abcdef0123456789abcde"] {
        let config = A::try_parse_from(["docket", "--storage", &storage, "--jwt-secret", secret]).unwrap().c;
        let err = docket_server::Authenticator::from_config(&config).err().expect("a short secret is refused");
        let message = err.to_string();
        assert!(message.contains("DOCKET_JWT_SECRET") && message.contains("32"), "{message}");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let served = docket_server::serve(config, listener, async {}).await;
        assert!(served.is_err_and(|e| e.to_string().contains("DOCKET_JWT_SECRET")), "the server does not start");
    }
    let config = A::try_parse_from(["docket", "--storage", &storage, "--jwt-hs256", "off"]).unwrap().c;
    assert!(docket_server::Authenticator::from_config(&config).is_err(), "no key at all");
    assert!(A::try_parse_from(["docket", "--jwt-max-ttl", "forever"]).is_err());
}

#[tokio::test]
async fn hs256_is_off_once_an_rs256_key_is_configured() {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let public = format!("{fixtures}/test_rsa_public.pem");
    let app = spawn_app_with(&["--jwt-public-key", &public]).await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    // A valid HS256 token under the configured secret, and the public key used as an HMAC
    // secret (algorithm confusion): neither is accepted.
    refused(&app, &hs256(&raw_claims(now), jsonwebtoken::Algorithm::HS256), "HS256").await;
    let confused = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &raw_claims(now),
        &jsonwebtoken::EncodingKey::from_secret(&std::fs::read(&public).unwrap()),
    )
    .unwrap();
    refused(&app, &confused, "HS256").await;
    // Turned back on explicitly, the shared secret works beside the key.
    let both = spawn_app_with(&["--jwt-public-key", &public, "--jwt-hs256", "on"]).await;
    assert_eq!(both.get("/billing/usage", Some(&hs256(&raw_claims(now), jsonwebtoken::Algorithm::HS256))).await.0, 200);
}

/// Log lines written by this test binary (a global subscriber, installed once).
pub(crate) fn captured_logs() -> std::sync::Arc<std::sync::Mutex<Vec<u8>>> {
    use std::sync::{Arc, Mutex, OnceLock};
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = logs.clone();
        let writer = move || Capture(sink.clone());
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(writer)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
        logs
    })
    .clone()
}

struct Capture(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn denied_requests_are_logged_with_their_reason_but_never_the_token() {
    let logs = captured_logs();
    let app = spawn_app().await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut c = raw_claims(now);
    c["sub"] = serde_json::json!("mallory-401");
    c["exp"] = serde_json::json!(now + 48 * 3600);
    let too_long = hs256(&c, jsonwebtoken::Algorithm::HS256);
    assert_eq!(app.get("/billing/usage", Some(&too_long)).await.0, 401);
    let no_scope = app.token(Some("acme-denied"), &["CaseCoordinator"], &["query:read"], &["docket-api"]);
    assert_eq!(app.get("/ingest", Some(&no_scope)).await.0, 403);

    let text = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    let denied: Vec<&str> = text.lines().filter(|l| l.contains("request denied")).collect();
    let unauthorized = denied.iter().find(|l| l.contains("lifetime")).expect("the 401 is logged");
    assert!(unauthorized.contains("INFO") && unauthorized.contains("/billing/usage"), "{unauthorized}");
    assert!(unauthorized.contains("status=401"), "{unauthorized}");
    let forbidden = denied.iter().find(|l| l.contains("acme-denied")).expect("the 403 is logged with its tenant");
    assert!(forbidden.contains("status=403") && forbidden.contains("route=/ingest"), "{forbidden}");
    assert!(forbidden.contains("subject=\"tester\"") && forbidden.contains("ingest:read"), "{forbidden}");
    for token in [&too_long, &no_scope] {
        let signature = token.rsplit('.').next().unwrap();
        assert!(!text.contains(signature), "a token reached the log");
    }
}
