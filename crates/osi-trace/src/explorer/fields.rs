//! Each layer of a decoded frame as byte ranges and fields (layer, field,
//! value, offset, length), for the explorer's layers tree and byte pane.
//! Pure: the decoder says where each layer starts ([`Layout`]); here only the
//! fixed field positions inside each header are named, as Wireshark names
//! them (`ip.ttl`, `tcp.seq`, …), so that a test can hold them against
//! tshark's PDML `pos`/`size`.

use crate::decode::{Encap, Layout, Link, Segment};
use crate::render::{flag_names, mac, words};

use super::records::{FieldRecord, LayerRecord};
use super::words::fields as words_of;

/// The layers of one frame, outermost first, each with its fields. `data`:
/// the frame's captured bytes (values of fields the decoder does not keep,
/// e.g. checksums, are read from them).
pub fn layers(seg: &Segment, data: &[u8]) -> Vec<LayerRecord> {
    let l = &seg.layout;
    let mut out = Vec::with_capacity(4 + seg.outer.len());
    // Each layer ends where the next one that is in this frame starts.
    let starts: Vec<Option<usize>> =
        l.outer.iter().copied().chain([l.ip, l.tcp, payload_at(seg, l)]).collect();
    let next_after = |i: usize| starts[i..].iter().flatten().next().copied().unwrap_or(data.len());
    out.push(link(&seg.link, next_after(0)));
    for (i, (e, at)) in seg.outer.iter().zip(&l.outer).enumerate() {
        if let Some(at) = *at {
            let len = next_after(i + 1).saturating_sub(at);
            let text = words::layers::encap(e).to_string();
            out.push(LayerRecord {
                layer: e.layer().into(),
                name: encap_name(e),
                text: text.clone(),
                offset: at,
                length: len,
                fields: vec![field("encap", text, at, len)],
            });
        }
    }
    let n = seg.outer.len();
    if let Some(at) = l.ip {
        out.push(ip(seg, data, at, next_after(n + 1).saturating_sub(at)));
    }
    if let Some(at) = l.tcp {
        out.push(tcp(seg, data, at));
    }
    if let Some(at) = payload_at(seg, l).filter(|_| !seg.payload.is_empty()) {
        let len = seg.payload.len().min(data.len().saturating_sub(at));
        let text = if seg.payload.len() < seg.payload_len as usize {
            words::layers::cut_payload(seg.payload_len, seg.payload.len())
        } else {
            format!("{} {}", seg.payload_len, words_of().bytes)
        };
        let value = kit::escape(&seg.payload, 64);
        out.push(LayerRecord {
            layer: "L7".into(),
            name: words_of().data.into(),
            text,
            offset: at,
            length: len,
            fields: vec![field("tcp.payload", value, at, len)],
        });
    }
    out
}

fn payload_at(seg: &Segment, l: &Layout) -> Option<usize> {
    l.tcp.map(|t| t + seg.tcp.header_len)
}

fn field(name: &str, value: impl Into<String>, offset: usize, length: usize) -> FieldRecord {
    FieldRecord { field: name.into(), value: value.into(), offset, length }
}

fn link(link: &Link, len: usize) -> LayerRecord {
    let w = words_of();
    let (name, text, fields) = match link {
        Link::Ethernet { src, dst, ethertype } => {
            let note = if link.is_loopback_placeholder() { w.loopback } else { "" };
            (
                "Ethernet",
                format!("Ethernet {} → {}{note}", mac(src), mac(dst)),
                vec![
                    field("eth.dst", mac(dst).to_string(), 0, 6),
                    field("eth.src", mac(src).to_string(), 6, 6),
                    field("eth.type", format!("0x{ethertype:04x}"), 12, 2),
                ],
            )
        }
        Link::Cooked { ethertype, v2 } => {
            let name = if *v2 { "Linux cooked capture v2" } else { "Linux cooked capture" };
            (name, format!("{name}, type 0x{ethertype:04x}"), vec![field("link", name, 0, len)])
        }
        Link::Raw => (w.no_link_header, w.none_recorded.into(), vec![]),
        Link::Null => {
            let text = words::layers::words().bsd_loopback.into();
            ("BSD loopback", text, vec![field("link", w.address_family, 0, len)])
        }
        Link::Ppp { protocol } => {
            ("PPP", format!("PPP, protocol 0x{protocol:04x}"), vec![field("link", "PPP", 0, len)])
        }
        Link::IpOverIb { ethertype } => (
            "IP over InfiniBand",
            format!("IP over InfiniBand, type 0x{ethertype:04x}"),
            vec![field("link", "IPoIB", 0, len)],
        ),
    };
    LayerRecord { layer: "L2".into(), name: name.into(), text, offset: 0, length: len, fields }
}

fn encap_name(e: &Encap) -> String {
    let w = words_of();
    let name = match e {
        Encap::Vlan { tpid: 0x8100, .. } => "802.1Q VLAN tag",
        Encap::Vlan { .. } => "802.1ad service tag",
        Encap::Pppoe { .. } => "PPPoE",
        Encap::Mpls { .. } => "MPLS label",
        Encap::Ip(ip) if ip.id.is_some() => return format!("IPv4 ({})", w.tunnel),
        Encap::Ip(_) => return format!("IPv6 ({})", w.tunnel),
        Encap::Gre { .. } => "GRE",
        Encap::Udp { .. } => return format!("UDP ({})", w.tunnel),
        Encap::Vxlan { .. } => "VXLAN",
        Encap::Geneve { .. } => "Geneve",
        Encap::Ethernet { .. } => return format!("Ethernet ({})", w.inside_tunnel),
    };
    name.into()
}

/// A big-endian number of `n` bytes at `at`, if captured.
fn be(data: &[u8], at: usize, n: usize) -> Option<u32> {
    data.get(at..at + n).map(|b| b.iter().fold(0u32, |v, &x| v << 8 | u32::from(x)))
}

fn hex(v: Option<u32>, digits: usize) -> String {
    v.map_or(words_of().not_captured.into(), |v| format!("0x{v:0digits$x}"))
}

fn ip(seg: &Segment, data: &[u8], at: usize, len: usize) -> LayerRecord {
    let ip = &seg.ip;
    let w = words_of();
    let mut f = Vec::with_capacity(12);
    let (name, text) = if let Some(id) = ip.id {
        f.push(field("ip.version", format!("4, {} {} {}", w.header, ip.header_len, w.bytes), at, 1));
        f.push(field("ip.dsfield", hex(be(data, at + 1, 1), 2), at + 1, 1));
        f.push(field("ip.len", ip.total_len.to_string(), at + 2, 2));
        f.push(field("ip.id", format!("0x{id:04x} ({id})"), at + 4, 2));
        let flags = match (ip.df, ip.fragment.is_some_and(|f| f.more)) {
            (true, _) => "DF (don't fragment)",
            (false, true) => "MF (more fragments)",
            (false, false) => w.no_flags,
        };
        f.push(field("ip.flags", flags, at + 6, 1));
        f.push(field("ip.frag_offset", ip.fragment.map_or(0, |f| f.offset).to_string(), at + 6, 2));
        f.push(field("ip.ttl", ip.ttl.to_string(), at + 8, 1));
        f.push(field("ip.proto", be(data, at + 9, 1).map_or("?".into(), |p| p.to_string()), at + 9, 1));
        f.push(field("ip.checksum", hex(be(data, at + 10, 2), 4), at + 10, 2));
        f.push(field("ip.src", ip.src.to_string(), at + 12, 4));
        f.push(field("ip.dst", ip.dst.to_string(), at + 16, 4));
        if ip.header_len > 20 {
            let options = format!("{} {}", ip.header_len - 20, w.bytes);
            f.push(field("ip.options", options, at + 20, ip.header_len - 20));
        }
        ("IPv4", format!("IPv4 {} → {}, TTL {}", ip.src, ip.dst, ip.ttl))
    } else {
        f.push(field("ipv6.version", "6", at, 1));
        f.push(field("ipv6.flow", hex(be(data, at + 1, 3).map(|v| v & 0xfffff), 5), at + 1, 3));
        f.push(field("ipv6.plen", ip.total_len.saturating_sub(40).to_string(), at + 4, 2));
        f.push(field("ipv6.nxt", be(data, at + 6, 1).map_or("?".into(), |p| p.to_string()), at + 6, 1));
        f.push(field("ipv6.hlim", ip.ttl.to_string(), at + 7, 1));
        f.push(field("ipv6.src", ip.src.to_string(), at + 8, 16));
        f.push(field("ipv6.dst", ip.dst.to_string(), at + 24, 16));
        if ip.header_len > 40 {
            let ext = format!("{} {}", ip.header_len - 40, w.bytes);
            f.push(field("ipv6.ext", ext, at + 40, ip.header_len - 40));
        }
        ("IPv6", format!("IPv6 {} → {}, hop limit {}", ip.src, ip.dst, ip.ttl))
    };
    let mut text = text;
    if let Some(note) = words::layers::length_note(&ip.length) {
        text.push_str(&format!(" ({note})"));
    }
    LayerRecord { layer: "L3".into(), name: name.into(), text, offset: at, length: len, fields: f }
}

fn tcp(seg: &Segment, data: &[u8], at: usize) -> LayerRecord {
    let (w, lw) = (words_of(), words::layers::words());
    let t = &seg.tcp;
    let o = &t.options;
    let mut opts = Vec::new();
    if let Some(m) = o.mss {
        opts.push(format!("MSS {m}"));
    }
    if let Some(w) = o.wscale {
        opts.push(format!("window scale {w} (×{})", 1u32 << w.min(14)));
    }
    if o.sack_perm {
        opts.push("SACK permitted".into());
    }
    if o.sack_blocks > 0 {
        opts.push(format!("SACK {} {}", o.sack_blocks, lw.blocks));
    }
    if let Some((v, e)) = o.timestamps {
        opts.push(format!("timestamps {v}/{e}"));
    }
    if o.malformed {
        opts.push(lw.malformed_options.into());
    }
    let mut f = vec![
        field("tcp.srcport", t.src_port.to_string(), at, 2),
        field("tcp.dstport", t.dst_port.to_string(), at + 2, 2),
        field("tcp.seq", format!("{} {}", w.raw, t.seq), at + 4, 4),
        field("tcp.ack", format!("{} {}", w.raw, t.ack), at + 8, 4),
        field("tcp.hdr_len", format!("{} {}", t.header_len, w.bytes), at + 12, 1),
        field("tcp.flags", format!("0x{:03x} {}", t.flags12, flag_names(t.flags)), at + 12, 2),
        field("tcp.window_size_value", t.window.to_string(), at + 14, 2),
        field("tcp.checksum", hex(be(data, at + 16, 2), 4), at + 16, 2),
        field("tcp.urgent_pointer", be(data, at + 18, 2).map_or("?".into(), |u| u.to_string()), at + 18, 2),
    ];
    if t.header_len > 20 {
        let list = if opts.is_empty() { w.padding_only.to_string() } else { opts.join(", ") };
        f.push(field("tcp.options", list, at + 20, t.header_len - 20));
    }
    let text = format!("TCP {} → {}, flags {}", t.src_port, t.dst_port, flag_names(t.flags));
    LayerRecord { layer: "L4".into(), name: "TCP".into(), text, offset: at, length: t.header_len, fields: f }
}
