//! Unit tests of the layers between link and TCP, on crafted bytes: VLAN
//! stacks, PPPoE, MPLS, PPP, tunnels, IPv6 extension headers and IP lengths.

use std::time::Duration;

use super::craft::frame;
use super::flags::*;
use super::*;
use crate::frame::LinkType;

/// An IPv4 + TCP datagram (20 + 20 + 5 bytes "Hello"), ports 1234 → 80, seq 7.
fn inner_v4() -> Vec<u8> {
    frame(0, 1234, 80, 7, 9, PSH | ACK, 512, &[], b"Hello").data[14..].to_vec()
}

/// An IPv6 + TCP datagram with `ext` extension headers (first next-header `first`).
fn inner_v6(first: u8, ext: &[u8], payload_len: u16) -> Vec<u8> {
    let mut d = vec![0x60, 0, 0, 0];
    d.extend_from_slice(&payload_len.to_be_bytes());
    d.extend_from_slice(&[first, 64]);
    d.extend_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    d.extend_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    d.extend_from_slice(ext);
    d.extend_from_slice(&inner_v4()[20..]);
    d
}

/// An outer IPv4 header of protocol `proto` around `payload`.
fn outer_v4(proto: u8, payload: &[u8]) -> Vec<u8> {
    let total = (20 + payload.len()) as u16;
    let mut d = vec![0x45, 0];
    d.extend_from_slice(&total.to_be_bytes());
    d.extend_from_slice(&[0, 1, 0, 0, 63, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
    d.extend_from_slice(payload);
    d
}

fn ethernet(ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut d = vec![2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2];
    d.extend_from_slice(&ethertype.to_be_bytes());
    d.extend_from_slice(payload);
    d
}

fn on(link: LinkType, data: Vec<u8>) -> Result<Segment, Skip> {
    segment(&Frame { ts: Duration::ZERO, link, orig_len: data.len() as u32, data })
}

/// The inner segment is the same whatever carried it.
fn assert_inner(s: &Segment) {
    assert_eq!((s.tcp.src_port, s.tcp.dst_port, s.tcp.seq, s.payload_len), (1234, 80, 7, 5));
    assert_eq!(s.payload, b"Hello");
}

#[test]
fn stacked_vlan_tags_qinq() {
    let mut tags = vec![0x20, 100, 0x81, 0x00, 0x00, 200, 0x08, 0x00];
    tags.extend_from_slice(&inner_v4());
    let s = on(LinkType::Ethernet, ethernet(0x88a8, &tags)).unwrap();
    assert_inner(&s);
    assert!(matches!(s.link, Link::Ethernet { ethertype: 0x88a8, .. }));
    assert_eq!(
        s.outer,
        vec![Encap::Vlan { tpid: 0x88a8, id: 100, pcp: 1 }, Encap::Vlan { tpid: 0x8100, id: 200, pcp: 0 }]
    );
    assert_eq!(s.outer[0].layer(), "L2");
}

#[test]
fn pppoe_session_and_ppp_links() {
    let ip = inner_v4();
    let mut pppoe = vec![0x11, 0, 0x00, 0x2a];
    pppoe.extend_from_slice(&((ip.len() + 2) as u16).to_be_bytes());
    pppoe.extend_from_slice(&[0x00, 0x21]);
    pppoe.extend_from_slice(&ip);
    let s = on(LinkType::Ethernet, ethernet(0x8864, &pppoe)).unwrap();
    assert_inner(&s);
    assert_eq!(s.outer, vec![Encap::Pppoe { session: 0x2a, protocol: 0x21 }]);
    // PPP with HDLC framing, and with a compressed protocol field.
    for head in [&[0xff, 0x03, 0x00, 0x21][..], &[0x21][..]] {
        let s = on(LinkType::Ppp, [head, &ip].concat()).unwrap();
        assert_inner(&s);
        assert_eq!(s.link, Link::Ppp { protocol: 0x21 });
    }
    assert_eq!(
        on(LinkType::Ppp, vec![0xc0, 0x21, 1]),
        Err(Skip::NotIpOver { link: "PPP", protocol: 0xc021 })
    );
}

#[test]
fn an_mpls_label_stack() {
    // Label 16 (TTL 64), then label 17 with bottom of stack.
    let mut labels = vec![0x00, 0x01, 0x00, 64, 0x00, 0x01, 0x11, 63];
    labels.extend_from_slice(&inner_v4());
    let s = on(LinkType::Ethernet, ethernet(0x8847, &labels)).unwrap();
    assert_inner(&s);
    assert_eq!(
        s.outer,
        vec![Encap::Mpls { label: 16, tc: 0, ttl: 64 }, Encap::Mpls { label: 17, tc: 0, ttl: 63 }]
    );
}

#[test]
fn ip_in_ip_and_6in4() {
    let s = on(LinkType::RawIp, outer_v4(4, &inner_v4())).unwrap();
    assert_inner(&s);
    assert!(matches!(&s.outer[..], [Encap::Ip(o)] if o.src.to_string() == "10.0.0.1"));
    assert_eq!(s.ip.src.to_string(), "127.0.0.1");
    let s = on(LinkType::Ethernet, ethernet(0x0800, &outer_v4(41, &inner_v6(6, &[], 25)))).unwrap();
    assert_inner(&s);
    assert_eq!(s.ip.src.to_string(), "fe80::1");
}

#[test]
fn gre_plain_with_a_key_and_with_ethernet_inside() {
    let mut gre = vec![0, 0, 0x08, 0x00];
    gre.extend_from_slice(&inner_v4());
    let s = on(LinkType::RawIp, outer_v4(47, &gre)).unwrap();
    assert_inner(&s);
    assert_eq!(s.outer[1], Encap::Gre { protocol: 0x0800, key: None });
    // Key and sequence number present, an Ethernet frame inside (0x6558).
    let mut gre = vec![0x30, 0, 0x65, 0x58, 0, 0, 0, 42, 0, 0, 0, 1];
    gre.extend_from_slice(&ethernet(0x0800, &inner_v4()));
    let s = on(LinkType::RawIp, outer_v4(47, &gre)).unwrap();
    assert_inner(&s);
    assert_eq!(s.outer[1], Encap::Gre { protocol: 0x6558, key: Some(42) });
    assert!(matches!(s.outer[2], Encap::Ethernet { ethertype: 0x0800, .. }));
}

fn udp(dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut d = vec![0xc0, 0x00];
    d.extend_from_slice(&dport.to_be_bytes());
    d.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    d.extend_from_slice(&[0, 0]);
    d.extend_from_slice(payload);
    d
}

#[test]
fn vxlan_and_geneve() {
    let mut vx = vec![0x08, 0, 0, 0, 0, 0, 0x2a, 0];
    vx.extend_from_slice(&ethernet(0x0800, &inner_v4()));
    let s = on(LinkType::Ethernet, ethernet(0x0800, &outer_v4(17, &udp(4789, &vx)))).unwrap();
    assert_inner(&s);
    assert_eq!(s.outer[1], Encap::Udp { src_port: 0xc000, dst_port: 4789 });
    assert_eq!(s.outer[2], Encap::Vxlan { vni: 42 });
    assert_eq!(s.outer.iter().map(Encap::layer).collect::<Vec<_>>(), ["L3", "L4", "L4", "L2"]);
    // Geneve with one 4-byte option word, Ethernet inside.
    let mut gv = vec![0x01, 0, 0x65, 0x58, 0, 0, 7, 0, 1, 2, 3, 4];
    gv.extend_from_slice(&ethernet(0x0800, &inner_v4()));
    let s = on(LinkType::RawIp, outer_v4(17, &udp(6081, &gv))).unwrap();
    assert_inner(&s);
    assert_eq!(s.outer[2], Encap::Geneve { vni: 7, protocol: 0x6558 });
    // UDP to any other port is not a tunnel.
    assert_eq!(on(LinkType::RawIp, outer_v4(17, &udp(53, &[0; 12]))), Err(Skip::NotTcp(17)));
}

#[test]
fn ipv6_extension_headers_are_walked() {
    // Hop-by-hop (8), routing (8), destination options (8), AH (12), then TCP.
    let ext = [
        &[43, 0, 1, 4, 0, 0, 0, 0][..],
        &[60, 0, 0, 0, 0, 0, 0, 0],
        &[51, 0, 1, 4, 0, 0, 0, 0],
        &[6, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1],
    ]
    .concat();
    let s = on(LinkType::RawIp, inner_v6(0, &ext, 36 + 25)).unwrap();
    assert_inner(&s);
    assert_eq!((s.ip.header_len, s.ip.total_len), (76, 101));
    // A jumbogram: payload length 0 and the hop-by-hop Jumbo Payload option.
    let hbh = [6, 0, 0xc2, 4, 0, 0, 0, 8 + 25];
    let s = on(LinkType::RawIp, inner_v6(0, &hbh, 0)).unwrap();
    assert_inner(&s);
    // An atomic fragment (offset 0, no more) is whole; a real one waits for reassembly.
    let s = on(LinkType::RawIp, inner_v6(44, &[6, 0, 0, 0, 0, 0, 0, 9], 8 + 25)).unwrap();
    assert_inner(&s);
    assert_eq!(on(LinkType::RawIp, inner_v6(44, &[6, 0, 0, 1, 0, 0, 0, 9], 8 + 25)), Err(Skip::Fragment));
    // ESP: encrypted, no TCP to see.
    assert_eq!(on(LinkType::RawIp, inner_v6(50, &[0; 8], 8 + 25)), Err(Skip::NotTcp(50)));
    // A cut extension header.
    assert!(matches!(
        on(LinkType::RawIp, inner_v6(0, &[], 25)),
        Err(Skip::BadHeader { .. } | Skip::Truncated { .. })
    ));
}

#[test]
fn ip_total_length_zero_and_longer_than_the_frame() {
    // TSO/GRO: the header says 0; the frame says 45.
    let mut d = inner_v4();
    d[2..4].copy_from_slice(&[0, 0]);
    let s = on(LinkType::RawIp, d).unwrap();
    assert_inner(&s);
    assert_eq!((s.ip.total_len, s.ip.length), (45, IpLength::ZeroInHeader));
    assert!(crate::render::words::layers::length_note(&s.ip.length).is_some_and(|n| n.contains("TSO")));
    // The header says 1045 but the frame, captured whole, held 45: take what is there.
    let mut d = inner_v4();
    d[2..4].copy_from_slice(&1045u16.to_be_bytes());
    let s = on(LinkType::RawIp, d).unwrap();
    assert_inner(&s);
    assert_eq!((s.ip.total_len, s.ip.length), (45, IpLength::LongerThanFrame { header: 1045 }));
    // Cut by the snap length instead: the wire had it all, the header is right.
    let mut f = frame(0, 1234, 80, 7, 9, ACK, 512, &[], &[1; 1000]);
    f.data.truncate(60);
    let s = segment(&f).unwrap();
    assert_eq!((s.ip.length, s.payload_len, s.payload.len()), (IpLength::Header, 1000, 6));
}

#[test]
fn nested_tunnels_are_bounded() {
    let mut d = inner_v4();
    for _ in 0..20 {
        d = outer_v4(4, &d);
    }
    assert!(matches!(on(LinkType::RawIp, d), Err(Skip::BadHeader { layer: "tunnel", .. })));
}

/// Every cut and every byte value at every offset of each encapsulation: a
/// reason, never a panic.
#[test]
fn damaged_encapsulations_never_panic() {
    let mut gre = vec![0xb0, 0, 0x65, 0x58, 0, 0, 0, 0, 0, 0, 0, 42, 0, 0, 0, 1];
    gre.extend_from_slice(&ethernet(0x8100, &[&[0, 5, 0x08, 0x00][..], &inner_v4()].concat()));
    let mut gv = vec![0x01, 0, 0x88, 0x47, 0, 0, 7, 0, 1, 2, 3, 4, 0, 1, 0x11, 64];
    gv.extend_from_slice(&inner_v4());
    let frames = [
        (LinkType::RawIp, outer_v4(47, &gre)),
        (LinkType::RawIp, outer_v4(17, &udp(6081, &gv))),
        (
            LinkType::Ethernet,
            ethernet(
                0x8864,
                &[
                    &[0x11, 0, 0, 1, 0, 47, 0, 0x57][..],
                    &inner_v6(0, &[44, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0], 41),
                ]
                .concat(),
            ),
        ),
    ];
    for (link, data) in frames {
        for n in 0..data.len() {
            let _ = on(link, data[..n].to_vec());
            for v in [0, 0xff, 0x80, 0x3f, 4, 6, 41, 47] {
                let mut d = data.clone();
                d[n] = v;
                let _ = on(link, d);
            }
        }
    }
}

/// Seen in tcpdump's own test captures: MPLS over PPP, WCCP inside GRE, IP over InfiniBand.
#[test]
fn mpls_over_ppp_wccp_in_gre_and_ip_over_infiniband() {
    let mut ppp = vec![0xff, 0x03, 0x02, 0x81, 0x00, 0x01, 0x01, 64];
    ppp.extend_from_slice(&inner_v4());
    let s = on(LinkType::Ppp, ppp).unwrap();
    assert_inner(&s);
    assert_eq!(s.outer, vec![Encap::Mpls { label: 16, tc: 0, ttl: 64 }]);
    // WCCP: a 4-byte redirect header, or IPv4 at once.
    for redirect in [&[0x00, 0x00, 0x00, 0x00][..], &[]] {
        let mut gre = vec![0, 0, 0x88, 0x3e];
        gre.extend_from_slice(redirect);
        gre.extend_from_slice(&inner_v4());
        assert_inner(&on(LinkType::RawIp, outer_v4(47, &gre)).unwrap());
    }
    let mut ib = vec![0; 40];
    ib.extend_from_slice(&[0x08, 0x00, 0, 0]);
    ib.extend_from_slice(&inner_v4());
    let s = on(LinkType::IpOverIb, ib).unwrap();
    assert_inner(&s);
    assert_eq!(s.link, Link::IpOverIb { ethertype: 0x0800 });
}
