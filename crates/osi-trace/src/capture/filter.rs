//! The classic BPF program the kernel runs on every frame before it reaches
//! the capture: keep one copy per frame on `lo`, only the chosen interfaces,
//! and only TCP on the chosen port — as `tcpdump -d 'tcp port N'` would —
//! plus the control traffic around it: ARP, ICMP and ICMPv6 (a next hop's
//! MAC, an unreachable host, a path MTU), all of it, whatever the port.
//!
//! Header fields are loaded relative to the network header (`SKF_NET_OFF`)
//! and the EtherType from the kernel's `skb->protocol`, so one program fits
//! every link type: Ethernet (lo, veth) and raw IP (tun) alike.

use socket2::SockFilter;

use super::SNAPLEN;

// Classic BPF opcodes (linux/filter.h).
const LD_W_ABS: u16 = 0x20;
const LD_H_ABS: u16 = 0x28;
const LD_B_ABS: u16 = 0x30;
const LD_H_IND: u16 = 0x48;
const LDX_MSH: u16 = 0xb1;
const JEQ: u16 = 0x15;
const JSET: u16 = 0x45;
const RET: u16 = 0x06;
// Ancillary loads: values the kernel knows about the frame, not bytes in it.
const SKF_AD_OFF: u32 = 0xfffff000;
const AD_PROTOCOL: u32 = SKF_AD_OFF; // the EtherType, skb->protocol
const AD_PKTTYPE: u32 = SKF_AD_OFF + 4; // PACKET_HOST, PACKET_OUTGOING, …
const AD_IFINDEX: u32 = SKF_AD_OFF + 8; // the interface it was seen on
const AD_HATYPE: u32 = SKF_AD_OFF + 28; // that interface's ARPHRD type
/// Offsets from here on count from the network (IP) header.
const NET: u32 = 0xfff00000; // SKF_NET_OFF, -0x100000

/// One instruction with symbolic jump targets, resolved by [`assemble`].
enum Op {
    /// Load or return: no jump.
    Plain(u16, u32),
    /// Conditional jump: (opcode, constant, target if true, target if false).
    Jump(u16, u32, Label, Label),
    /// Where a jump lands.
    Mark(Label),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Label {
    Next,
    Keep,
    Drop,
    Outgoing,
    L3,
    V4,
}

/// What the program keeps.
#[derive(Debug, Clone, Default)]
pub struct FilterSpec {
    /// TCP to or from this port only; all TCP when `None`.
    pub port: Option<u16>,
    /// Only frames seen on these interfaces (by index); any interface when empty.
    pub ifindexes: Vec<u32>,
}

/// The program for `spec`, ready for `Socket::attach_filter`.
pub fn filter(spec: &FilterSpec) -> Vec<SockFilter> {
    program(spec).into_iter().map(|(code, jt, jf, k)| SockFilter::new(code, jt, jf, k)).collect()
}

/// One instruction: (opcode, jump if true, jump if false, constant).
type Insn = (u16, u8, u8, u32);

fn program(spec: &FilterSpec) -> Vec<Insn> {
    use Label::*;
    use Op::{Jump, Mark, Plain};
    let mut p = Vec::new();
    if let Some((last, rest)) = spec.ifindexes.split_last() {
        // Bound to every interface: keep the chosen ones.
        p.push(Plain(LD_W_ABS, AD_IFINDEX));
        for i in rest {
            p.push(Jump(JEQ, *i, Outgoing, Next));
        }
        p.push(Jump(JEQ, *last, Outgoing, Drop));
    }
    // Loopback hands over each frame twice, leaving (PACKET_OUTGOING) and
    // arriving: drop the first copy there, as libpcap does. On any other link
    // the outgoing frames are the ones this host sends: keep them.
    p.extend([Mark(Outgoing), Plain(LD_W_ABS, AD_PKTTYPE)]);
    p.push(Jump(JEQ, u32::from(libc::PACKET_OUTGOING), Next, L3));
    p.push(Plain(LD_W_ABS, AD_HATYPE));
    p.push(Jump(JEQ, u32::from(libc::ARPHRD_LOOPBACK), Drop, L3));
    // L2.5: ARP, whatever it asks (no ports).
    p.extend([Mark(L3), Plain(LD_W_ABS, AD_PROTOCOL)]);
    p.push(Jump(JEQ, 0x0806, Keep, Next));
    // L3: IPv6 carrying ICMPv6 (neighbour discovery, errors) or TCP (without
    // extension headers).
    p.push(Jump(JEQ, 0x86dd, Next, V4));
    p.push(Plain(LD_B_ABS, NET + 6));
    p.push(Jump(JEQ, 58, Keep, Next));
    match spec.port {
        None => p.push(Jump(JEQ, 6, Keep, Drop)),
        Some(port) => {
            let port = u32::from(port);
            p.push(Jump(JEQ, 6, Next, Drop));
            p.push(Plain(LD_H_ABS, NET + 40));
            p.push(Jump(JEQ, port, Keep, Next));
            p.push(Plain(LD_H_ABS, NET + 42));
            p.push(Jump(JEQ, port, Keep, Drop));
        }
    }
    p.push(Mark(V4));
    // IPv4 carrying ICMP (errors quote the port in their payload: all are kept) or TCP.
    p.push(Jump(JEQ, 0x0800, Next, Drop));
    p.push(Plain(LD_B_ABS, NET + 9));
    p.push(Jump(JEQ, 1, Keep, Next));
    match spec.port {
        None => p.push(Jump(JEQ, 6, Keep, Drop)),
        Some(port) => {
            let port = u32::from(port);
            p.push(Jump(JEQ, 6, Next, Drop));
            // L4 ports: only the first fragment carries them.
            p.push(Plain(LD_H_ABS, NET + 6));
            p.push(Jump(JSET, 0x1fff, Drop, Next));
            p.push(Plain(LDX_MSH, NET)); // X = IPv4 header length
            p.push(Plain(LD_H_IND, NET));
            p.push(Jump(JEQ, port, Keep, Next));
            p.push(Plain(LD_H_IND, NET + 2));
            p.push(Jump(JEQ, port, Keep, Drop));
        }
    }
    p.extend([Mark(Keep), Plain(RET, SNAPLEN), Mark(Drop), Plain(RET, 0)]);
    assemble(&p)
}

/// Resolves labels into the relative jump offsets classic BPF wants.
fn assemble(ops: &[Op]) -> Vec<Insn> {
    let mut at = Vec::new();
    let mut pc = 0usize;
    for op in ops {
        match op {
            Op::Mark(l) => at.push((*l, pc)),
            _ => pc += 1,
        }
    }
    let target = |l: Label, pc: usize| -> u8 {
        if l == Label::Next {
            return 0;
        }
        // Every label is marked once, after its jumps, and the programs are
        // a few dozen instructions: the offset fits in u8 (tests check both).
        let to = at.iter().find(|(m, _)| *m == l).map_or(pc + 1, |(_, to)| *to);
        u8::try_from(to - (pc + 1)).unwrap_or(u8::MAX)
    };
    let mut out = Vec::new();
    for op in ops {
        match *op {
            Op::Mark(_) => {}
            Op::Plain(code, k) => out.push((code, 0, 0, k)),
            Op::Jump(code, k, t, f) => {
                let pc = out.len();
                out.push((code, target(t, pc), target(f, pc), k));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_jump_lands_inside_the_program_on_a_return_or_a_load() {
        for spec in [
            FilterSpec::default(),
            FilterSpec { port: Some(65432), ifindexes: vec![] },
            FilterSpec { port: Some(1), ifindexes: vec![1, 7, 9] },
            FilterSpec { port: None, ifindexes: vec![3] },
        ] {
            let p = program(&spec);
            assert_eq!(p[p.len() - 2], (RET, 0, 0, SNAPLEN), "{spec:?}");
            assert_eq!(p[p.len() - 1], (RET, 0, 0, 0), "{spec:?}");
            for (pc, (code, jt, jf, _)) in p.iter().enumerate() {
                if *code == JEQ || *code == JSET {
                    for j in [jt, jf] {
                        let to = pc + 1 + usize::from(*j);
                        assert!(to < p.len() && *j != u8::MAX, "{spec:?}: jump at {pc} to {to}");
                    }
                }
            }
        }
    }

    /// A frame as the filter sees it: what the kernel knows, and the bytes from the IP header on.
    struct Seen {
        protocol: u16,
        pkttype: u8,
        hatype: u16,
        net: Vec<u8>,
    }

    /// Runs a program as the kernel's classic BPF interpreter does (for the
    /// opcodes used here): the snap length kept, 0 to drop.
    fn run(p: &[Insn], f: &Seen) -> u32 {
        let (mut a, mut x, mut pc) = (0u32, 0usize, 0usize);
        // A load past the frame's end drops it, as in the kernel.
        let at = |k: u32, x: usize, n: usize| -> Option<u32> {
            let i = usize::try_from(k.checked_sub(NET)?).ok()? + x;
            Some(f.net.get(i..i + n)?.iter().fold(0, |v, b| v << 8 | u32::from(*b)))
        };
        loop {
            let (code, jt, jf, k) = p[pc];
            pc += 1;
            let loaded = match code {
                LD_W_ABS => Some(match k {
                    AD_PROTOCOL => u32::from(f.protocol),
                    AD_PKTTYPE => u32::from(f.pkttype),
                    AD_HATYPE => u32::from(f.hatype),
                    _ => panic!("unexpected word load {k:#x}"),
                }),
                LD_H_ABS => at(k, 0, 2),
                LD_B_ABS => at(k, 0, 1),
                LD_H_IND => at(k, x, 2),
                LDX_MSH => {
                    x = usize::from(f.net[0] & 0x0f) * 4;
                    continue;
                }
                JEQ | JSET => {
                    let hit = if code == JEQ { a == k } else { a & k != 0 };
                    pc += usize::from(if hit { jt } else { jf });
                    continue;
                }
                RET => return k,
                _ => panic!("unexpected opcode {code:#x}"),
            };
            match loaded {
                Some(v) => a = v,
                None => return 0,
            }
        }
    }

    /// An IPv4 header (20 bytes) with `proto`, then two ports.
    fn v4(proto: u8, sport: u16, dport: u16) -> Seen {
        let mut net = vec![0x45, 0, 0, 28, 0, 1, 0x40, 0, 64, proto, 0, 0, 10, 0, 1, 2, 10, 0, 2, 2];
        net.extend(sport.to_be_bytes().into_iter().chain(dport.to_be_bytes()).chain([0; 4]));
        Seen { protocol: 0x0800, pkttype: libc::PACKET_HOST, hatype: 1, net }
    }

    /// An IPv6 header (40 bytes) with `next`, then two ports.
    fn v6(next: u8, sport: u16, dport: u16) -> Seen {
        let mut net = vec![0x60, 0, 0, 0, 0, 8, next, 64];
        net.extend([0; 32]);
        net.extend(sport.to_be_bytes().into_iter().chain(dport.to_be_bytes()).chain([0; 4]));
        Seen { protocol: 0x86dd, pkttype: libc::PACKET_HOST, hatype: 1, net }
    }

    #[test]
    fn with_a_port_the_filter_keeps_its_tcp_and_all_arp_icmp_and_icmpv6() {
        let arp = Seen { protocol: 0x0806, pkttype: libc::PACKET_BROADCAST, hatype: 1, net: vec![0; 28] };
        for port in [None, Some(80)] {
            let p = program(&FilterSpec { port, ifindexes: vec![] });
            let kept = |f: &Seen| run(&p, f) == SNAPLEN;
            assert!(kept(&arp), "ARP, {port:?}");
            assert!(kept(&v4(1, 0x0800, 0)), "ICMP (an echo request), {port:?}");
            assert!(kept(&v6(58, 0x8700, 0)), "ICMPv6 (a neighbour solicitation), {port:?}");
            assert!(kept(&v4(6, 40000, 80)) && kept(&v4(6, 80, 40000)), "TCP to and from 80, {port:?}");
            assert!(kept(&v6(6, 40000, 80)) && kept(&v6(6, 80, 40000)), "TCP over IPv6, {port:?}");
            assert!(!kept(&v4(17, 40000, 80)) && !kept(&v6(17, 40000, 80)), "UDP, {port:?}");
            assert_eq!(kept(&v4(6, 40000, 81)), port.is_none(), "TCP on another port, {port:?}");
            assert_eq!(kept(&v6(6, 81, 40000)), port.is_none(), "TCP over IPv6 on another port, {port:?}");
            // On lo, the outgoing copy of anything is dropped: each frame once.
            let lo = |f: Seen| Seen { pkttype: libc::PACKET_OUTGOING, hatype: libc::ARPHRD_LOOPBACK, ..f };
            assert!(!kept(&lo(v4(1, 0x0800, 0))) && !kept(&lo(v4(6, 40000, 80))), "lo's outgoing copy");
            assert!(kept(&Seen { pkttype: libc::PACKET_OUTGOING, ..v4(1, 0x0800, 0) }), "sent on a veth");
        }
    }

    #[test]
    fn the_outgoing_copy_is_dropped_only_on_loopback() {
        let p = program(&FilterSpec { port: Some(80), ifindexes: vec![] });
        let drop = p.len() - 1;
        // ld pkttype; jeq OUTGOING → ld hatype; jeq LOOPBACK → drop, else go on.
        assert_eq!(p[0], (LD_W_ABS, 0, 0, AD_PKTTYPE));
        assert_eq!((p[1].0, p[1].1, p[1].3), (JEQ, 0, 4));
        assert_eq!(p[2], (LD_W_ABS, 0, 0, AD_HATYPE));
        assert_eq!((p[3].0, 3 + 1 + usize::from(p[3].1), p[3].3), (JEQ, drop, 772));
        assert_eq!(3 + 1 + usize::from(p[3].2), 4, "other links go on to the IP test");
        assert_eq!(1 + 1 + usize::from(p[1].2), 4, "incoming frames go on to the IP test");
    }
}
