//! osi-trace live on two links at once (`lo` and a veth link of a namespace
//! the test creates): the ladder and the JSON say which link each segment
//! and control frame was seen on; on one link they say nothing of it.

mod common;

use common::{records, segments, Lab, Proc};

/// The link a row of this lab belongs on, from an address of it.
fn link_of(addr: &str) -> &'static str {
    if addr.starts_with("127.") {
        "lo"
    } else {
        "va"
    }
}

/// `--interface lo --interface va` with `--ladder` and with `--json`: every
/// arrow ends with its link in a `link` column, every JSON record has a
/// `link` field, and both name the link its addresses belong to; with one
/// `--interface` the JSON has no `link` field.
#[test]
fn on_two_links_the_ladder_and_json_name_the_link_of_each_segment() -> anyhow::Result<()> {
    let Some(lab) = Lab::for_test(&harness::test_name!(), "links", &[])? else {
        return Ok(());
    };
    let port = "7012";
    let trace = |args: &[&str], ready: &str| -> anyhow::Result<Proc> {
        let mut all = args.to_vec();
        all.extend(["--port", port, "--duration", "30", "--color", "never", "--width", "0"]);
        lab.trace(&all, ready)
    };
    let two = ["--interface", "lo", "--interface", "va", "--connections", "2"];
    let ladder = trace(&[&two[..], &["--ladder"]].concat(), "READY capturing on lo, va")?;
    let json = trace(&[&two[..], &["--json"]].concat(), "READY capturing on lo, va")?;
    let one = trace(&["--interface", "va", "--connections", "1", "--json"], "READY capturing on va")?;
    // One echo on lo inside namespace a, one over the veth link to b.
    lab.echo(&lab.a, "127.0.0.1", port)?;
    lab.echo(&lab.b, "10.77.0.2", port)?;

    let (status, out, err) = ladder.finish()?;
    assert!(status.success(), "{err:?}");
    let mut link = "";
    let mut arrows = Vec::new();
    for l in out.lines() {
        if let Some(title) = l.strip_prefix("stream ") {
            let client = title.split("client ").nth(1).unwrap_or("");
            link = link_of(client);
        } else if l.trim_start().starts_with("time ") {
            assert!(l.ends_with("  link"), "the heading names the column: {l:?}\n{out}");
        } else if l.contains('▶') || l.contains('◀') {
            let want = format!("  [{link}]");
            assert!(l.ends_with(&want), "an arrow of a connection on {link}: {l:?}\n{out}");
            arrows.push(link);
        }
    }
    let on = |v: &[&str], link: &str| v.iter().filter(|l| **l == link).count();
    assert_eq!((on(&arrows, "lo"), on(&arrows, "va")), (10, 10), "{out}");

    let (status, out, err) = json.finish()?;
    assert!(status.success(), "{err:?}");
    let rows = segments(&out);
    let links: Vec<&str> = rows.iter().map(|j| j["link"].as_str().unwrap_or("none")).collect();
    for (j, link) in rows.iter().zip(&links) {
        assert_eq!(*link, link_of(j["src"].as_str().unwrap_or("")), "{j}");
    }
    assert_eq!((on(&links, "lo"), on(&links, "va")), (10, 10), "{out}");
    // ARP for 10.77.0.2 before the first SYN to it: on va, where it was seen.
    let control = records(&out, "control");
    assert!(control.iter().any(|j| j["protocol"] == "arp"), "{out}");
    assert!(control.iter().all(|j| j["link"] == "va"), "{out}");

    let (status, out, err) = one.finish()?;
    assert!(status.success(), "{err:?}");
    assert_eq!(segments(&out).len(), 10, "{out}");
    assert!(!out.contains("\"link\""), "one link, no link field:\n{out}");
    Ok(())
}
