//! The lab's `echo` scenario ends with osi-trace's hop view of its two links:
//! each datagram once, MACs rewritten, TTL one lower, ARP on its own link.

use std::time::Duration;

use harness::Need;
use lab::{fields, Lab};

#[test]
fn the_echo_scenario_shows_each_datagram_once_across_the_router() {
    let test = "the_echo_scenario_shows_each_datagram_once_across_the_router";
    if !harness::require(test, Need::Netns) || !harness::require(test, Need::Tool("tshark")) {
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
}
