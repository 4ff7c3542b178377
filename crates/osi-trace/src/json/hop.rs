//! The hop view's `--json` records: a [`HopRecord`] (`"type": "hop"`) per
//! datagram seen on both links, a [`HopOnlyRecord`] (`"type": "hop_only"`) per
//! frame seen on one; both are variants of [`super::Record`].

use serde::{Deserialize, Serialize};

use crate::decode::flags::ACK;
use crate::hop::{HopView, Only, Pair, Seen, What};
use crate::render::words::control::{explain, Names};
use crate::render::words::hop as hop_words;
use crate::render::{flag_names, mac};

/// One copy of a datagram, on one link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CopyRecord {
    /// Source MAC (`eth.src`); null on a link without MACs.
    pub eth_src: Option<String>,
    pub eth_dst: Option<String>,
    /// Frame number in this link's file (`frame.number`).
    pub frame: u64,
    /// The link's name, e.g. `link1`.
    pub link: String,
    /// IPv4 TTL (`ip.ttl`) or IPv6 hop limit (`ipv6.hlim`).
    pub ttl: u8,
}

/// The TCP fields of a forwarded segment: the same on both links.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HopTcpRecord {
    /// Relative to the receiver's ISN (`tcp.ack`), raw when its SYN was not
    /// captured; null without the ACK flag.
    pub ack: Option<u32>,
    pub dstport: u16,
    /// e.g. `SYN, ACK`.
    pub flags: String,
    /// Payload bytes (`tcp.len`).
    pub len: u32,
    /// Relative to the sender's ISN (`tcp.seq`), raw when its SYN was not captured.
    pub seq: u32,
    pub srcport: u16,
}

/// A datagram seen on both links.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HopRecord {
    /// The copy after the router.
    pub after: CopyRecord,
    /// The copy before the router.
    pub before: CopyRecord,
    /// IP destination address: the same on both links.
    pub dst: String,
    /// IPv4 identification (`ip.id`); null for IPv6.
    pub ip_id: Option<u16>,
    /// IPv4 protocol or IPv6 next header, as a number (6 TCP, 1 ICMP, 58 ICMPv6).
    pub protocol: u8,
    /// Seconds from the copy before the router to the copy after it; null when
    /// the two files' clocks disagree.
    pub router_time: Option<f64>,
    pub src: String,
    pub tcp: Option<HopTcpRecord>,
    /// What the datagram carries, in words (as in the text view).
    pub text: String,
    /// Seconds since the first frame of either file, of the copy before the router.
    pub time: f64,
}

/// A frame seen on one link only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HopOnlyRecord {
    pub eth_src: Option<String>,
    pub eth_dst: Option<String>,
    pub frame: u64,
    pub link: String,
    /// Why it is on this link only: `arp`, `link_local`, `router_sent`, `missed_on_other`, `to_router`,
    /// `not_forwarded`, `fragment`, `unknown`, `not_ip`.
    pub reason: String,
    /// The reason in words, as in the text view.
    pub reason_text: String,
    /// What the frame carries, in words.
    pub text: String,
    pub time: f64,
}

fn macs(s: &Seen) -> (Option<String>, Option<String>) {
    s.macs.map_or((None, None), |(src, dst)| (Some(mac(&src).to_string()), Some(mac(&dst).to_string())))
}

fn copy(p: &Pair, i: usize, names: &[String; 2]) -> CopyRecord {
    let (eth_src, eth_dst) = macs(&p.copies[i]);
    CopyRecord { eth_src, eth_dst, frame: p.copies[i].frame, link: names[i].clone(), ttl: p.datagram(i).ttl }
}

impl HopRecord {
    pub fn new(view: &HopView, p: &Pair, names: &[String; 2]) -> HopRecord {
        // JSON is language-neutral: its texts are English whatever --lang says.
        let _en = kit::lang::English::now();
        let d = p.datagram(p.from);
        let tcp = d.tcp.map(|t| {
            let (seq, ack) = view.relative(d).unwrap_or((t.seq, t.ack));
            let (srcport, dstport, len) = (t.src_port, t.dst_port, t.len);
            let ack = t.has(ACK).then_some(ack);
            HopTcpRecord { ack, dstport, flags: flag_names(t.flags).to_string(), len, seq, srcport }
        });
        HopRecord {
            after: copy(p, 1 - p.from, names),
            before: copy(p, p.from, names),
            dst: d.dst.to_string(),
            ip_id: d.id,
            protocol: d.protocol,
            router_time: p.router_time().map(|t| t.as_secs_f64()),
            src: d.src.to_string(),
            tcp,
            text: hop_words::carries(view, d),
            time: p.before().ts.saturating_sub(view.start).as_secs_f64(),
        }
    }
}

impl HopOnlyRecord {
    pub fn new(view: &HopView, o: &Only, names: &[String; 2]) -> HopOnlyRecord {
        let _en = kit::lang::English::now();
        let (eth_src, eth_dst) = macs(&o.seen);
        let text = match &o.seen.what {
            What::Datagram(d) => hop_words::carries(view, d),
            What::Arp(c) => explain(c, &Names::default(), None, o.asked),
            What::Other(why) => why.clone(),
        };
        HopOnlyRecord {
            eth_src,
            eth_dst,
            frame: o.seen.frame,
            link: names[o.link].clone(),
            reason: hop_words::reason_name(o.why).to_string(),
            reason_text: hop_words::why(o, names),
            text,
            time: o.seen.ts.saturating_sub(view.start).as_secs_f64(),
        }
    }
}
