//! Unit tests of the decoder, on crafted bytes.

use super::craft::*;
use super::flags::*;
use super::tcp::options;
use super::*;
use crate::frame::LinkType;

#[test]
fn a_loopback_syn_decodes_at_every_layer() {
    let f = frame(0, 45678, 65432, 1000, 0, SYN, 65495, &SYN_OPTIONS, b"");
    let s = segment(&f).unwrap();
    assert!(s.link.is_loopback_placeholder());
    assert_eq!(s.ip.src.to_string(), "127.0.0.1");
    assert_eq!((s.ip.ttl, s.ip.total_len, s.ip.id, s.ip.df), (64, 60, Some(0x1234), true));
    assert_eq!((s.tcp.src_port, s.tcp.dst_port, s.tcp.seq), (45678, 65432, 1000));
    assert!(s.tcp.has(SYN) && !s.tcp.has(ACK));
    let o = &s.tcp.options;
    assert_eq!((o.mss, o.wscale, o.sack_perm, o.timestamps), (Some(65495), Some(7), true, Some((1, 0))));
    assert_eq!((s.payload_len, s.payload.len()), (0, 0));
}

#[test]
fn payload_is_cut_at_the_ip_length_not_the_frame() {
    let mut f = frame(0, 1, 2, 5, 6, PSH | ACK, 512, &[], b"Hello");
    f.data.extend_from_slice(&[0; 6]); // Ethernet padding
    let s = segment(&f).unwrap();
    assert_eq!(s.payload, b"Hello");
    assert_eq!(s.payload_len, 5);
}

#[test]
fn a_frame_cut_by_the_snap_length_keeps_the_announced_length() {
    let mut f = frame(0, 1, 2, 5, 6, ACK, 512, &[], &[7; 100]);
    f.data.truncate(14 + 20 + 20 + 10);
    let s = segment(&f).unwrap();
    assert_eq!((s.payload.len(), s.payload_len), (10, 100));
}

#[test]
fn ipv6_and_cooked_and_raw_links() {
    // Raw IPv6 + TCP SYN-ACK, 20-byte TCP header.
    let mut d = vec![0x60, 0, 0, 0, 0, 20, 6, 64];
    d.extend_from_slice(&[0; 15]);
    d.push(1); // ::1
    d.extend_from_slice(&[0; 15]);
    d.push(1);
    d.extend_from_slice(&[
        0xff,
        0x98,
        0xb2,
        0x6e,
        0,
        0,
        0,
        9,
        0,
        0,
        0,
        2,
        0x50,
        SYN | ACK,
        0xff,
        0xff,
        0,
        0,
        0,
        0,
    ]);
    let f =
        Frame { ts: Default::default(), link: LinkType::RawIp, orig_len: d.len() as u32, data: d.clone() };
    let s = segment(&f).unwrap();
    assert_eq!(s.ip.src.to_string(), "::1");
    assert_eq!((s.ip.ttl, s.ip.total_len, s.ip.id), (64, 60, None));
    assert_eq!((s.tcp.src_port, s.tcp.dst_port, s.tcp.seq, s.tcp.ack), (65432, 45678, 9, 2));
    // The same behind an SLL2 header (EtherType first).
    let mut sll2 = vec![0x86, 0xdd];
    sll2.extend_from_slice(&[0; 18]);
    sll2.extend_from_slice(&d);
    let f =
        Frame { ts: Default::default(), link: LinkType::LinuxSll2, orig_len: sll2.len() as u32, data: sll2 };
    assert_eq!(segment(&f).unwrap().tcp.seq, 9);
}

#[test]
fn non_tcp_and_non_ip_are_skipped_with_a_reason() {
    let mut arp = frame(0, 1, 2, 0, 0, 0, 0, &[], b"");
    arp.data[12..14].copy_from_slice(&[0x08, 0x06]);
    // An IPv4 header under ARP's EtherType: ARP that cannot be read, said with its carrier.
    let err = decode(&arp).unwrap_err();
    assert!(matches!(&err, Skip::BadControl { carrier, .. } if **carrier == Skip::NotIp(0x0806)), "{err:?}");
    assert!(err.to_string().starts_with("not IP (EtherType 0x0806): ARP for hardware type 17664"), "{err}");
    let mut udp = frame(0, 1, 2, 0, 0, 0, 0, &[], b"");
    udp.data[14 + 9] = 17;
    assert_eq!(decode(&udp), Err(Skip::NotTcp(17)));
}

#[test]
fn malformed_headers_never_panic() {
    let good = frame(0, 45678, 65432, 1000, 0, SYN, 65495, &SYN_OPTIONS, b"abc");
    // Every truncation of a good frame.
    for n in 0..good.data.len() {
        let mut f = good.clone();
        f.data.truncate(n);
        let _ = decode(&f);
    }
    // Bogus IHL, bogus total length, bogus data offset, bogus option lengths.
    for (at, val) in [
        (14, 0x41),
        (14, 0x4f),
        (16, 0),
        (17, 1),
        (14 + 20 + 12, 0x10),
        (14 + 20 + 12, 0xf0),
        (14 + 20 + 21, 0),
        (14 + 20 + 21, 0xff),
    ] {
        let mut f = good.clone();
        f.data[at] = val;
        let _ = decode(&f);
    }
    // Random bytes on every link type.
    let mut x = 12345u32;
    for link in [
        LinkType::Ethernet,
        LinkType::LinuxSll,
        LinkType::LinuxSll2,
        LinkType::RawIp,
        LinkType::Null,
        LinkType::Ppp,
    ] {
        for len in 0..200 {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x = x.wrapping_mul(1664525).wrapping_add(1013904223);
                    (x >> 24) as u8
                })
                .collect();
            let _ = decode(&Frame { ts: Default::default(), link, orig_len: len as u32, data });
        }
    }
    let mut f = good.clone();
    f.data[14] = 0x44;
    assert!(matches!(segment(&f), Err(Skip::BadHeader { layer: "IPv4", .. })));
    let mut f = good.clone();
    f.data[14 + 20 + 12] = 0x40; // data offset 16 bytes
    assert!(matches!(segment(&f), Err(Skip::BadHeader { layer: "TCP", .. })));
}

#[test]
fn options_with_a_bad_length_are_marked_not_trusted() {
    let o = options(&[2, 4, 0xff]);
    assert!(o.malformed);
    let o = options(&[1, 1, 4, 2, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2, 0]);
    assert!(o.sack_perm && o.sack_blocks == 1 && !o.malformed);
    assert_eq!(o.sack, [(1, 2)]);
}

#[test]
fn a_header_whose_options_the_snap_length_cut_is_read_as_far_as_it_goes() {
    let mut f = frame(0, 45678, 65432, 1000, 0, SYN, 65495, &SYN_OPTIONS, b"");
    f.data.truncate(14 + 20 + 26); // 6 option bytes: MSS and SACK permitted
    let s = segment(&f).unwrap();
    let o = &s.tcp.options;
    assert_eq!(
        (o.mss, o.sack_perm, o.timestamps, o.cut, o.malformed),
        (Some(65495), true, None, true, false)
    );
    // The same bytes, but the frame on the wire was that short (cut before the capture):
    // still a segment, as tshark shows it, read as far as it goes and with no payload.
    f.orig_len = f.data.len() as u32;
    let s = segment(&f).unwrap();
    assert_eq!(
        (s.tcp.src_port, s.tcp.options.mss, s.tcp.options.cut, s.payload_len),
        (45678, Some(65495), true, 0)
    );
}

#[test]
fn all_twelve_flag_bits_are_kept() {
    let mut f = frame(0, 1, 2, 5, 6, ACK | PSH, 512, &[], b"x");
    f.data[14 + 20 + 12] |= 0x0f; // reserved bits and AE
    let s = segment(&f).unwrap();
    assert_eq!((s.tcp.flags, s.tcp.flags12, s.tcp.header_len), (ACK | PSH, 0xf18, 20));
}
