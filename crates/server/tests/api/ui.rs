//! The web UI behind the API: a browser navigation to a page gets the UI (or, in a binary built
//! without it, a 503 saying how to build it); API paths keep precedence, and everything else
//! keeps the API's JSON 404 and 405.

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::Value;

use crate::helpers::spawn_app;

const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

#[tokio::test]
async fn a_browser_navigation_to_a_page_gets_the_ui_even_where_the_api_takes_other_methods() {
    let app = spawn_app().await;
    // /onboarding is also `POST /onboarding`: a GET from a browser is the page, not a 405.
    for page in ["/", "/onboarding", "/dashboard", "/dashboard/tenants/acme", "/workspace/search", "/no/such/page"] {
        let res = app.client.get(format!("{}{page}", app.base)).header(ACCEPT, BROWSER_ACCEPT).send().await.unwrap();
        let status = res.status().as_u16();
        let content_type = res.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        if docket_server::ui::available() {
            assert_eq!(status, 200, "{page}");
            assert!(content_type.starts_with("text/html"), "{page}: {content_type}");
            let body = res.text().await.unwrap();
            assert!(body.contains("id=\"root\""), "{page}: {body}");
        } else {
            assert_eq!(status, 503, "{page}");
            let body: Value = res.json().await.unwrap();
            assert!(body["error"]["message"].as_str().unwrap().contains("scripts/serve.sh"), "{body}");
        }
    }
}

#[tokio::test]
async fn api_paths_keep_precedence_and_other_requests_keep_json_errors() {
    let app = spawn_app().await;
    // An API GET from a browser is still the API's answer.
    let plans =
        app.client.get(format!("{}/billing/plans", app.base)).header(ACCEPT, BROWSER_ACCEPT).send().await.unwrap();
    assert_eq!(plans.status(), 200);
    let body: Value = plans.json().await.unwrap();
    assert!(body["plans"].is_array(), "{body}");

    // A client that does not ask for HTML gets the JSON 404 and 405, never the page.
    let missing = app.client.get(format!("{}/no/such/endpoint", app.base)).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found", "{body}");

    let wrong_method =
        app.client.get(format!("{}/onboarding", app.base)).header(ACCEPT, "application/json").send().await.unwrap();
    assert_eq!(wrong_method.status(), 405);
    let body: Value = wrong_method.json().await.unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed", "{body}");

    // Not a navigation: a POST to a page's address is the API's 404.
    let post = app.client.post(format!("{}/dashboard", app.base)).header(ACCEPT, BROWSER_ACCEPT).send().await.unwrap();
    assert_eq!(post.status(), 404);
}

#[tokio::test]
async fn the_ui_types_are_generated_from_the_document_the_server_serves() {
    // The UI's TypeScript types are generated from frontend/src/api/openapi.json (its own test
    // checks that); this one checks that the document is the one the server serves, so an API
    // change without `npm run gen:api` fails here.
    let app = spawn_app().await;
    let served: Value =
        app.client.get(format!("{}/openapi.json", app.base)).send().await.unwrap().json().await.unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../frontend/src/api/openapi.json");
    let committed: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(
        served == committed,
        "frontend/src/api/openapi.json differs from GET /openapi.json: save the served document there \
         and run `npm run gen:api -- src/api/openapi.json` in frontend/"
    );
}
