//! The lab's `echo` scenario ends with osi-trace's hop view of its two links:
//! each datagram once, MACs rewritten, TTL one lower, ARP on its own link.

use std::time::Duration;

use harness::Need;
use lab::{fields, Lab};
use osi_trace::json::Record;

#[test]
fn the_echo_scenario_shows_each_datagram_once_across_the_router() {
    if !harness::require!(Need::Netns, Need::Tool("tshark")) {
        return;
    }
    let run = Lab::default().run("scenarios.sh echo", Duration::from_secs(90)).unwrap();
    assert!(run.status.success(), "{}\n{}", run.stdout, run.stderr);
    let out = &run.stdout;
    assert!(out.contains("osi-trace --read link1.pcap --hop link2.pcap"), "{out}");
    assert!(!out.contains("first 14"), "the tshark table is gone for echo: {out}");
    // As many pairs as TCP segments tshark finds on link1 (all of them cross the router).
    let tcp = fields(&run.path("link1.pcap"), "tcp", &["frame.number"]).unwrap().len();
    assert_eq!(tcp, 10, "one echo: ten segments");
    assert!(out.contains(&format!("{tcp} datagrams seen on both links")), "{out}");
    assert!(out.contains(&format!("MACs rewritten on {tcp}")), "{out}");
    assert!(out.contains(&format!("TTL or hop limit one lower on {tcp}")), "{out}");
    assert!(out.contains("4 frames seen on one link only: 4 ARP."), "{out}");
    let syn = "    L3  10.0.1.2 → 10.0.2.2 TTL 64            │ 10.0.1.2 → 10.0.2.2 TTL 63";
    assert!(out.lines().any(|l| l.starts_with(syn)), "{out}");
    // The run as explorer pages, named at the end: link1's trace, and the hop view.
    for (page, mode) in [("echo.html", "\"mode\":\"trace\""), ("echo-hop.html", "\"mode\":\"hop\"")] {
        let html = std::fs::read_to_string(run.path(page)).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>") && html.contains(mode), "{page}");
        assert!(out.contains(&run.path(page).display().to_string()), "{page} is named: {out}");
    }
}

/// Through 10 % loss on the router: what it dropped is on the incoming link only
/// ("not forwarded"), each retransmission that got through is one more pair, and
/// every TCP frame of both links is in the view exactly once.
#[test]
fn dropped_segments_stay_on_one_link_and_retransmissions_cross() {
    if !harness::require!(Need::Netns, Need::Tool("tshark")) {
        return;
    }
    let script = lab::serve_and_capture("server-basic", "10.0.2.2")
        + "head -c 65536 /dev/urandom >\"$LAB_DIR/payload\"\n\
           on client client --host 10.0.2.2 --file \"$LAB_DIR/payload\" --quiet --timeout 60 --color never \
           >\"$LAB_DIR/client.log\" 2>&1\n\
           capture stop\n";
    let run = Lab::with(&["--loss", "10"]).run(&script, Duration::from_secs(120)).unwrap();
    assert!(run.status.success(), "{}\n{}\n{}", run.stdout, run.stderr, run.read("client.log"));
    let mut cmd = std::process::Command::new(harness::bin("osi-trace"));
    cmd.arg("--read").arg(run.path("link1.pcap")).arg("--hop").arg(run.path("link2.pcap")).arg("--json");
    let out = harness::run(cmd, b"", Duration::from_secs(60)).unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (mut pairs, mut dropped, mut missed) = (0, [0, 0], [0, 0]);
    let mut seen = std::collections::HashSet::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        match serde_json::from_str::<Record>(line).unwrap() {
            Record::Start(_) => {}
            Record::Hop(h) => {
                assert_eq!(h.before.ttl, h.after.ttl + 1, "{h:?}");
                assert!(
                    seen.insert((h.before.link.clone(), h.before.frame))
                        && seen.insert((h.after.link.clone(), h.after.frame))
                );
                pairs += usize::from(h.tcp.is_some());
            }
            Record::HopOnly(o) if o.reason == "not_forwarded" => {
                assert!(seen.insert((o.link.clone(), o.frame)));
                dropped[usize::from(o.link == "link2")] += 1;
            }
            // The two captures stop one after the other: a last frame may be in one only.
            Record::HopOnly(o) if o.reason == "missed_on_other" => {
                assert!(seen.insert((o.link.clone(), o.frame)));
                missed[usize::from(o.link == "link2")] += 1;
            }
            Record::HopOnly(o) => assert_eq!(o.reason, "arp", "{o:?}"),
            other => panic!("not a hop record: {other:?}"),
        }
    }
    let tcp = |link: &str| fields(&run.path(link), "tcp", &["frame.number"]).unwrap().len();
    let (tcp1, tcp2) = (tcp("link1.pcap"), tcp("link2.pcap"));
    eprintln!(
        "{pairs} segments crossed, {dropped:?} dropped (link1, link2); tshark: {tcp1} and {tcp2} TCP frames"
    );
    assert!(
        missed[0] + missed[1] <= 2,
        "{missed:?} copies missing from a capture: more than its last frames"
    );
    assert_eq!(pairs + dropped[0] + missed[0], tcp1, "link1: each TCP frame crossed or was dropped");
    assert_eq!(pairs + dropped[1] + missed[1], tcp2, "link2: each TCP frame crossed or was dropped");
    assert!(dropped[0] + dropped[1] > 0, "10 % loss dropped nothing");
    // Each retransmission tshark sees on the client's link that the router let through is a pair.
    let retransmitted = fields(
        &run.path("link2.pcap"),
        "tcp.analysis.retransmission && ip.src == 10.0.1.2",
        &["frame.number"],
    )
    .unwrap();
    assert!(!retransmitted.is_empty() || dropped[0] == 0, "a dropped client segment is sent again");
}

/// Live, on the router's two interfaces: the same pairs as the hop view of
/// dumpcap's captures of the same run (MACs, TTLs, addresses, IP id, TCP).
#[test]
fn the_live_hop_view_on_the_router_matches_the_view_of_its_captures() {
    if !harness::require!(Need::Netns, Need::Tool("tshark")) {
        return;
    }
    // The capture ends at its --duration, a deadline far past the echo's few milliseconds.
    let script = lab::serve_and_capture("server-basic", "10.0.2.2")
        + "on router osi-trace --interface eth0 --interface eth1 --hop --duration 4 --json \
             >\"$LAB_DIR/live.json\" 2>\"$LAB_DIR/live.err\" &\n\
           live=$!\n\
           wait-ready \"$LAB_DIR/live.err\"\n\
           on client client --host 10.0.2.2 --color never -q >\"$LAB_DIR/client.log\" 2>&1\n\
           wait \"$live\"\n\
           capture stop\n";
    let run = Lab::default().run(&script, Duration::from_secs(90)).unwrap();
    assert!(run.status.success(), "{}\n{}\n{}", run.stdout, run.stderr, run.read("live.err"));
    let pairs = |json: &str| -> Vec<String> {
        json.lines()
            .filter_map(|l| match serde_json::from_str::<Record>(l).unwrap() {
                // What the router changed and kept; frame numbers and times differ between captures.
                Record::Hop(h) => Some(format!(
                    "{:?} {:?} {} {} {} {} {:?} {:?}",
                    (&h.before.eth_src, &h.before.eth_dst, h.before.ttl),
                    (&h.after.eth_src, &h.after.eth_dst, h.after.ttl),
                    h.before.link == "eth0" || h.before.link == "link1",
                    h.src,
                    h.dst,
                    h.protocol,
                    h.ip_id,
                    h.tcp
                )),
                _ => None,
            })
            .collect()
    };
    let live = pairs(&run.read("live.json"));
    let mut cmd = std::process::Command::new(harness::bin("osi-trace"));
    cmd.arg("--read").arg(run.path("link1.pcap")).arg("--hop").arg(run.path("link2.pcap")).arg("--json");
    let out = harness::run(cmd, b"", Duration::from_secs(60)).unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let files = pairs(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(live.len(), 10, "one echo, ten segments across the router: {live:#?}");
    assert_eq!(live, files);
}
