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
