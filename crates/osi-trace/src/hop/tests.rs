//! The matching on the lab's recorded captures of both links.

use std::path::PathBuf;

use super::*;
use crate::pcap::CaptureReader;

fn read(name: &str) -> Vec<Seen> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../lab/tests/captures").join(name);
    let mut r = CaptureReader::open(&path).unwrap();
    let mut v = Vec::new();
    while let Some(f) = r.next_frame() {
        v.push(see(v.len() as u64 + 1, &f.unwrap()));
    }
    v
}

/// The view of two links' frames: what the first reading learned, every row
/// in order, and what showing the last one needed (the flows' ISNs).
struct Shown {
    study: view::Study,
    rows: Vec<Row>,
    view: HopView,
}

impl Shown {
    fn pairs(&self) -> impl Iterator<Item = &Pair> {
        self.rows.iter().filter_map(|r| match r {
            Row::Pair(p) => Some(&**p),
            Row::Only(_) => None,
        })
    }
}

fn match_links(a: Vec<Seen>, b: Vec<Seen>) -> Shown {
    let frames = |v: &Vec<Seen>| v.clone().into_iter().map(Ok);
    let study = view::study([&mut frames(&a), &mut frames(&b)], crate::render::hop::cells_width).unwrap();
    let (mut rows, mut last) = (Vec::new(), HopView::default());
    view::rows(&study, [&mut frames(&a), &mut frames(&b)], |v, r| {
        rows.push(r.clone());
        last = v.clone();
        Ok(())
    })
    .unwrap();
    Shown { study, rows, view: last }
}

fn only(view: &Shown) -> Vec<(usize, u64, Why)> {
    view.rows
        .iter()
        .filter_map(|r| match r {
            Row::Only(o) => Some((o.link, o.seen.frame, o.why)),
            Row::Pair(_) => None,
        })
        .collect()
}

#[test]
fn every_tcp_segment_of_the_echo_crosses_the_router_once() {
    let view = match_links(read("echo-link1.pcap"), read("echo-link2.pcap"));
    let pairs: Vec<&Pair> = view.pairs().collect();
    assert_eq!(pairs.len(), 10);
    for p in &pairs {
        // Same frame numbers on both links in this capture; TTL 64 → 63 each way.
        assert_eq!(p.copies[0].frame, p.copies[1].frame);
        assert_eq!((p.datagram(p.from).ttl, p.datagram(1 - p.from).ttl), (64, 63));
        assert!(p.router_time().is_some_and(|t| t.as_micros() < 1000), "{p:?}");
    }
    assert_eq!(
        pairs.iter().filter(|p| p.from == 0).count(),
        6,
        "client → server: SYN, ACK, data, ACK, FIN, ACK"
    );
    let arp = |request, by_router, for_router| Why::Arp { request, by_router, for_router, answered: true };
    assert_eq!(
        only(&view),
        [
            (0, 1, arp(true, false, true)),
            (0, 2, arp(false, true, false)),
            (1, 1, arp(true, true, false)),
            (1, 2, arp(false, false, false))
        ]
    );
    assert_eq!(view.view.relative(pairs[1].datagram(0)), Some((0, 1)), "the SYN+ACK: seq 0, ack 1");
}

#[test]
fn ipv6_pairs_lower_the_hop_limit_and_leave_neighbour_discovery_on_its_link() {
    let view = match_links(read("echo6-link1.pcap"), read("echo6-link2.pcap"));
    assert_eq!(view.pairs().count(), 10);
    let only = only(&view);
    assert_eq!(only.len(), 6);
    assert!(only.iter().all(|o| o.2 == Why::LinkLocal), "{only:?}");
}

#[test]
fn without_arp_the_syns_stop_at_the_router_which_answers_with_icmp() {
    let view = match_links(read("no-arp-link1.pcap"), read("no-arp-link2.pcap"));
    assert_eq!(view.pairs().count(), 0);
    assert!(view.study.related);
    let only = only(&view);
    let count = |w: Why| only.iter().filter(|o| o.2 == w).count();
    assert_eq!(count(Why::NotForwarded { unanswered: true }), 4);
    assert_eq!(count(Why::RouterSent), 3);
    assert_eq!(count(Why::Arp { request: true, by_router: false, for_router: false, answered: false }), 4);
}

#[test]
fn unrelated_captures_are_told_apart() {
    let view = match_links(read("echo-link1.pcap"), read("echo6-link2.pcap"));
    assert!(!view.study.related);
    assert_eq!(view.pairs().count(), 0);
}

/// A segment sent twice byte for byte (IPv6 has no id to tell them apart): the
/// first copy on one link pairs with the first on the other, in both directions.
#[test]
fn identical_copies_pair_in_order() {
    let syn = read("echo6-link1.pcap")
        .into_iter()
        .find(|s| matches!(&s.what, What::Datagram(d) if d.tcp.is_some()))
        .unwrap();
    let copy = |frame: u64, ms: u64, ttl: u8| {
        let mut s = syn.clone();
        s.frame = frame;
        s.ts = Duration::from_millis(ms);
        if let What::Datagram(d) = &mut s.what {
            d.ttl = ttl;
        }
        s
    };
    let view = match_links(vec![copy(1, 0, 64), copy(2, 1000, 64)], vec![copy(1, 1, 63), copy(2, 1001, 63)]);
    let pairs: Vec<(u64, u64)> = view.pairs().map(|p| (p.copies[0].frame, p.copies[1].frame)).collect();
    assert_eq!(pairs, [(1, 1), (2, 2)]);
    assert!(view.pairs().all(|p| p.from == 0 && p.router_time() == Some(Duration::from_millis(1))));
    // The other way (the copy with the higher TTL on link2), and one copy lost.
    let view = match_links(vec![copy(1, 5, 63)], vec![copy(1, 4, 64), copy(2, 900, 64)]);
    assert_eq!(view.pairs().map(|p| p.from).collect::<Vec<_>>(), [1]);
    // Sent to the router's MAC (learned from the pair) and never seen on link1: not forwarded.
    assert_eq!(only(&view), [(1, 2, Why::NotForwarded { unanswered: false })]);
}
