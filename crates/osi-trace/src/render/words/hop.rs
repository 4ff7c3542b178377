//! The words of the hop view: what a datagram carries, what changed at the
//! router per layer (L2 MACs, L3 TTL / hop limit, L4 not at all), why a frame
//! is on one link only, and the closing counts. Facts in, English out (each
//! phrase asks [`vi`] and hands over to its Vietnamese in `lang::hop`).

use std::net::IpAddr;
use std::time::Duration;

use crate::decode::flags::ACK;
use crate::hop::matcher::MAX_HELD;
use crate::hop::{Datagram, HopView, Only, Pair, Tally, What, Why, MAX_FLOWS};
use crate::render::lang::hop as vi_words;
use crate::render::words::control::{explain, Names};
use crate::render::{flag_names, mac};
use kit::lang::vi;
use kit::plural;

/// The view's title: which file is which link.
pub fn title(names: &[String; 2], files: &[String; 2]) -> String {
    if vi() {
        return vi_words::title(names, files);
    }
    format!(
        "Hop view: {} = {}, {} = {}; each datagram seen on both links once, its copies side by side",
        names[0], files[0], names[1], files[1]
    )
}

/// `only on link1 #3: ` before a frame seen on one link.
pub fn only_on(name: &str, frame: u64) -> String {
    if vi() {
        return format!("chỉ trên {name} #{frame}: ");
    }
    format!("only on {name} #{frame}: ")
}

/// What a datagram carries, in one line: TCP's ports, flags and numbers, or
/// what an ICMP message says, with the IP addresses.
pub fn carries(view: &HopView, d: &Datagram) -> String {
    match (&d.tcp, &d.control) {
        (Some(t), _) => {
            format!("TCP {}:{} → {}:{} {}", ip(d.src), t.src_port, ip(d.dst), t.dst_port, tcp(view, d))
        }
        (None, Some(c)) => explain(c, &Names::default(), None, None),
        (None, None) => format!("{} {} → {}", protocol(d.protocol), d.src, d.dst),
    }
}

/// L4 of a forwarded datagram, without the addresses (the L3 row has them).
pub fn l4(view: &HopView, d: &Datagram) -> String {
    match (&d.tcp, &d.control) {
        (Some(t), _) => format!("TCP {} → {} {}", t.src_port, t.dst_port, tcp(view, d)),
        (None, Some(c)) => explain(c, &Names::default(), None, None),
        (None, None) => protocol(d.protocol),
    }
}

fn ip(a: IpAddr) -> String {
    match a {
        IpAddr::V4(a) => a.to_string(),
        IpAddr::V6(a) => format!("[{a}]"),
    }
}

fn protocol(p: u8) -> String {
    match p {
        17 => "UDP".into(),
        p => format!("IP protocol {p}"),
    }
}

/// `[SYN, ACK] seq=0 ack=1 len=0`, relative numbers as tshark shows them.
fn tcp(view: &HopView, d: &Datagram) -> String {
    let Some(t) = d.tcp else { return String::new() };
    let (seq, ack) = view.relative(d).unwrap_or((t.seq, t.ack));
    let ack = if t.has(ACK) { format!(" ack={ack}") } else { String::new() };
    format!("[{}] seq={seq}{ack} len={}", flag_names(t.flags), t.len)
}

/// `link1 #3 → link2 #3` (or `←`): the frame on each link, the arrow the way
/// the datagram went through the router; link1 always on the left.
pub fn direction(p: &Pair, names: &[String; 2]) -> String {
    let arrow = if p.from == 0 { "→" } else { "←" };
    format!("{} #{} {arrow} {} #{}", names[0], p.copies[0].frame, names[1], p.copies[1].frame)
}

/// How long the router held it: `27 µs in the router`.
pub fn router_time(p: &Pair) -> String {
    if vi() {
        return vi_words::router_time(p.router_time());
    }
    match p.router_time() {
        Some(t) => format!("{} in the router", micros(t)),
        None => "stamped earlier after the router than before it: the two files' clocks disagree".into(),
    }
}

pub fn micros(t: Duration) -> String {
    if t.subsec_nanos() % 1000 == 0 {
        format!("{} µs", t.as_micros())
    } else {
        format!("{:.3} µs", t.as_nanos() as f64 / 1000.0)
    }
}

/// L2 of one copy: `02:00:00:00:01:02 → 02:00:00:00:01:01`.
pub fn l2_cell(p: &Pair, i: usize) -> String {
    p.copies[i].macs.map_or_else(|| no_macs().into(), |(s, d)| format!("{} → {}", mac(&s), mac(&d)))
}

/// L3 of one copy: `10.0.1.2 → 10.0.2.2 TTL 64` (IPv6: `hop limit 64`).
pub fn l3_cell(p: &Pair, i: usize) -> String {
    let d = p.datagram(i);
    format!("{} → {} {} {}", d.src, d.dst, ttl_name(d), d.ttl)
}

fn no_macs() -> &'static str {
    if vi() {
        "(đường truyền này không có MAC)"
    } else {
        "(no MACs on this link)"
    }
}

fn ttl_name(d: &Datagram) -> &'static str {
    if d.id.is_some() {
        "TTL"
    } else {
        "hop limit"
    }
}

/// What happened to L2 at the router.
pub fn l2_verdict(p: &Pair) -> String {
    if vi() {
        return vi_words::l2_verdict(p).into();
    }
    if p.macs_rewritten() {
        "rewritten".into()
    } else if p.copies[0].macs.is_some() && p.copies[0].macs == p.copies[1].macs {
        "unchanged: no router rewrote them (one link captured twice?)".into()
    } else {
        "not comparable: a link without MACs, or only one changed".into()
    }
}

/// What happened to L3 at the router.
pub fn l3_verdict(p: &Pair) -> String {
    let (b, a) = (p.datagram(p.from), p.datagram(1 - p.from));
    let name = ttl_name(b);
    if vi() {
        return vi_words::l3_verdict(name, b.ttl.saturating_sub(a.ttl));
    }
    match b.ttl.saturating_sub(a.ttl) {
        0 => format!("{name} unchanged: no router lowered it"),
        1 => format!("{name} one lower"),
        n => format!("{name} {n} lower"),
    }
}

/// What happened above L3: nothing, which is how the two copies were matched.
pub fn l4_verdict() -> &'static str {
    if vi() {
        "không đổi: cùng các byte trên cả hai đường truyền"
    } else {
        "unchanged: the same bytes on both links"
    }
}

/// The stable name of a reason, for JSON.
pub fn reason_name(w: Why) -> &'static str {
    match w {
        Why::Arp { .. } => "arp",
        Why::LinkLocal => "link_local",
        Why::RouterSent => "router_sent",
        Why::Missed => "missed_on_other",
        Why::ToRouter => "to_router",
        Why::NotForwarded { .. } => "not_forwarded",
        Why::Fragment => "fragment",
        Why::Forgotten => "forgotten",
        Why::Unknown => "unknown",
        Why::NotIp => "not_ip",
    }
}

/// Why a frame is on its link only, in words.
pub fn why(o: &Only, names: &[String; 2]) -> String {
    let (here, other) = (&names[o.link], &names[1 - o.link]);
    let d = match &o.seen.what {
        What::Datagram(d) => Some(d),
        _ => None,
    };
    let dst = d.map_or_else(String::new, |d| d.dst.to_string());
    let src = d.map_or_else(String::new, |d| d.src.to_string());
    if vi() {
        return vi_words::why(o, [here.as_str(), other.as_str()], [&src, &dst]);
    }
    match o.why {
        Why::Arp { request, by_router, for_router, answered } => {
            let (sender, target) = match &o.seen.what {
                What::Arp(c) => (c.message.src(), c.message.dst()),
                _ => return "ARP is link-local (L2): never forwarded".into(),
            };
            let unanswered = if answered { "" } else { "; nobody answers" };
            match (request, by_router, for_router) {
                (true, _, true) => format!("ARP is link-local (L2), never forwarded: the router answers it itself{unanswered}"),
                (true, true, _) => format!("ARP is link-local (L2), never forwarded: the router itself asks on {here} for {target}'s MAC{unanswered}"),
                (true, false, _) => format!("ARP is link-local (L2), never forwarded: {sender} asks on {here} for {target}'s MAC{unanswered}"),
                (false, true, _) => format!("ARP is link-local (L2), never forwarded: the router's own answer, on {here} only"),
                (false, false, _) => format!("ARP is link-local (L2), never forwarded: {sender}'s answer, on {here} only"),
            }
        }
        Why::LinkLocal => match d {
            Some(d) if d.is_neighbour_discovery() => {
                format!("neighbour discovery is link-local: hop limit {}, never forwarded (RFC 4861)", d.ttl)
            }
            _ => format!("sent to {dst}, an address of this link only: never forwarded"),
        },
        Why::RouterSent => format!("the router sent it itself, from its own MAC on {here}: nothing came from {other}"),
        Why::Missed => format!(
            "the router forwarded it from {other} (its source, {src}, is beyond {other}), but the capture of {other} lacks that copy: it began later, ended sooner or lost it"
        ),
        Why::ToRouter => format!("addressed to the router itself ({dst}): it ends there"),
        Why::NotForwarded { unanswered: true } => format!(
            "never seen on {other}: the router did not forward it; {dst}'s MAC was asked for on {other} and nobody answered"
        ),
        Why::NotForwarded { unanswered: false } => format!(
            "never seen on {other}: the router did not forward it (dropped by a firewall, a full queue or no route), or the capture ended first"
        ),
        Why::Fragment => format!("an IP fragment with no identical copy on {other}: the view matches whole, unchanged datagrams"),
        Why::Forgotten => format!(
            "not matched: more than {MAX_HELD} frames waited for their copy at once, so the one waiting longest was forgotten, and so is its copy on {other} if one comes (memory bound)"
        ),
        Why::Unknown => format!("not seen on {other}, and neither from nor to a router MAC these captures show"),
        Why::NotIp => "neither IP nor ARP: not for a router to forward".into(),
    }
}

/// The closing lines: how many datagrams crossed, what changed on them, the
/// router's times, and what stayed on one link.
pub fn summary(t: &Tally, names: &[String; 2]) -> Vec<String> {
    if vi() {
        return vi_words::summary(t, names);
    }
    let mut v = Vec::new();
    if t.pairs == 0 {
        v.push(format!(
            "No datagram seen on both links: nothing crossed the router between {} and {}.",
            names[0], names[1]
        ));
    } else {
        v.push(format!(
            "{} seen on both links ({} → {}: {}, {} ← {}: {}): MACs rewritten on {} (L2 is per link: the router sends from its own MAC to the next hop's), TTL or hop limit one lower on {}; IP addresses and everything above L3 the same on all {}.",
            plural(t.pairs, "datagram"),
            names[0],
            names[1],
            t.way[0],
            names[0],
            names[1],
            t.way[1],
            t.rewritten,
            t.lower,
            t.pairs,
        ));
        if let (Some(lo), Some(hi), Some(median)) = (t.times.lowest(), t.times.highest(), t.times.median()) {
            let median = match t.times.coarse() {
                false => micros(median),
                true => format!("about {} (to {})", micros(median), micros(t.times.grain())),
            };
            v.push(format!(
                "In the router: from {} to {}, median {median} (from one link's capture to the other's).",
                micros(lo),
                micros(hi),
            ));
        }
    }
    if t.only_total > 0 {
        let kinds: Vec<String> =
            t.only.iter().map(|(w, n)| format!("{n} {}", kind_words(reason_name(*w)))).collect();
        v.push(format!("{} seen on one link only: {}.", plural(t.only_total, "frame"), kinds.join(", ")));
    }
    if t.raw_segments > 0 {
        v.push(format!(
            "{} shown with raw sequence numbers: their connections' SYNs were forgotten (at most {MAX_FLOWS} TCP flows are followed at once).",
            plural(t.raw_segments, "TCP segment"),
        ));
    }
    v
}

fn kind_words(reason: &str) -> &'static str {
    match reason {
        "arp" => "ARP",
        "link_local" => "link-local",
        "router_sent" => "sent by the router itself",
        "missed_on_other" => "missing from the other link's capture",
        "to_router" => "addressed to the router",
        "not_forwarded" => "not forwarded",
        "fragment" => "fragments",
        "forgotten" => "forgotten while waiting for their copy (memory bound)",
        "not_ip" => "neither IP nor ARP",
        _ => "unexplained",
    }
}
