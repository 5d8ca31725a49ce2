//! Ingest roots over HTTP: granted per tenant, named relative to their root in every answer.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with};

fn writer(app: &TestApp, tenant: &str) -> String {
    app.token(Some(tenant), &["CaseCoordinator"], &["ingest:write", "ingest:read", "query:read"], &["docket-api"])
}

async fn finished(app: &TestApp, token: &str, job: &Value) -> Value {
    let id = job["job_id"].as_str().expect("job id");
    for _ in 0..400 {
        let (status, job) = app.get(&format!("/ingest/{id}"), Some(token)).await;
        if status == 200 {
            return job;
        }
        assert_eq!(status, 202, "{job}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("job {id} did not finish");
}

#[tokio::test]
async fn each_tenant_reads_only_its_own_roots_and_sees_relative_sources() {
    let dir = tempfile::tempdir().unwrap();
    let (harbor, meridian) = (dir.path().join("harbor-matters"), dir.path().join("meridian-matters"));
    std::fs::create_dir_all(harbor.join("claim")).unwrap();
    std::fs::create_dir_all(&meridian).unwrap();
    std::fs::write(harbor.join("claim/memo.txt"), "Harbor memo about the late delivery.").unwrap();
    std::fs::write(meridian.join("strategy.txt"), "Meridian settlement strategy, privileged.").unwrap();
    std::os::unix::fs::symlink(meridian.join("strategy.txt"), harbor.join("claim/link.txt")).unwrap();
    let roots = format!("harbor-counsel={};meridian-legal={}", harbor.display(), meridian.display());
    let app = spawn_app_with(&["--ingest-roots", &roots]).await;
    app.onboard("Harbor Counsel", 10).await;
    app.onboard("Meridian Legal", 10).await;
    let (h, m) = (writer(&app, "harbor-counsel"), writer(&app, "meridian-legal"));
    let secret_dir = dir.path().display().to_string();

    // Another tenant's root, by root name or by absolute path: refused, naming the field.
    for path in [json!("meridian-matters/strategy.txt"), json!(meridian.join("strategy.txt"))] {
        let (status, body) =
            app.post("/ingest", &json!({"sources": [{"type": "local", "path": path}]}), Some(&h)).await;
        assert!(status == 422 || status == 404, "{status} {body}");
        assert_eq!(body["error"]["details"]["fields"][0]["field"], "sources[0].path", "{body}");
    }

    let (status, job) =
        app.post("/ingest", &json!({"sources": [{"type": "local", "path": "harbor-matters"}]}), Some(&h)).await;
    assert_eq!(status, 202, "{job}");
    let job = finished(&app, &h, &job).await;
    assert_eq!((job["ingested"].as_u64(), job["failed"].as_u64()), (Some(1), Some(1)), "{job}");
    assert_eq!(job["errors"][0]["source"], "harbor-matters/claim/link.txt", "{job}");
    assert!(!job.to_string().contains(&secret_dir), "an absolute server path in {job}");
    let (_, docs) = app.get("/documents", Some(&h)).await;
    assert_eq!(docs["documents"][0]["source"], "harbor-matters/claim/memo.txt", "{docs}");
    let (_, hits) = app.get("/query?q=privileged", Some(&h)).await;
    assert_eq!(hits["total_hits"], 0, "{hits}");

    // The other tenant reads its own root.
    let (status, job) =
        app.post("/ingest", &json!({"sources": [{"type": "local", "path": "meridian-matters"}]}), Some(&m)).await;
    assert_eq!(status, 202, "{job}");
    assert_eq!(finished(&app, &m, &job).await["ingested"], 1);
}

#[tokio::test]
async fn a_bare_folder_in_ingest_roots_is_a_configuration_error() {
    use clap::Parser;
    #[derive(Parser)]
    struct A {
        #[command(flatten)]
        c: docket_server::Config,
    }
    let err = A::try_parse_from(["docket", "--ingest-roots", "/srv/matters"]).err().expect("refused");
    assert!(err.to_string().contains("names no tenant"), "{err}");
}
