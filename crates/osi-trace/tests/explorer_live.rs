//! The explorer live: a capture on a veth link between two namespaces the test
//! creates writes the same records into its page as it prints with --json.

mod common;
#[path = "explorer/page.rs"]
mod page;

use common::Lab;

#[test]
fn a_live_capture_writes_its_records_into_the_page() -> anyhow::Result<()> {
    let Some(lab) = Lab::for_test(&harness::test_name!(), "xhtml", &[])? else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let html = dir.path().join("live.html");
    let port = "7011";
    let args = [
        "--interface",
        "va",
        "--port",
        port,
        "--connections",
        "1",
        "--duration",
        "30",
        "--json",
        "--html",
        &html.to_string_lossy(),
        "--programs",
        "server-basic,client",
    ];
    let ours = lab.trace(&args, "READY capturing on va")?;
    lab.echo(&lab.b, "10.77.0.2", port)?;
    let (status, json, err) = ours.finish()?;
    assert!(status.success(), "{err:?}");
    let data = page::embedded(&std::fs::read_to_string(&html)?)?;
    let lines = page::lines(json.as_bytes());
    assert!(lines.iter().filter(|l| l["type"] == "segment").count() >= 10, "{json}");
    assert_eq!(data["records"].as_array().expect("records"), &lines);
    assert_eq!(data["page"]["source"], "live on va");
    // Every segment has its frame's bytes, and the SYN's call is connect.
    let segments: Vec<_> = lines.iter().filter(|l| l["type"] == "segment").collect();
    assert_eq!(data["frames"].as_array().map(Vec::len), Some(segments.len()));
    assert_eq!((segments[0]["call"].as_str(), segments[0]["by"].as_str()), (Some("connect"), Some("client")));
    assert!(err.iter().any(|l| l.starts_with("wrote ") && l.contains("live.html")), "{err:?}");
    Ok(())
}
