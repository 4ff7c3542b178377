//! The classic BPF program the kernel runs on every frame before it reaches
//! the capture: keep one copy per frame and only TCP on the chosen port.

use socket2::SockFilter;

use super::SNAPLEN;

/// Classic BPF, as `tcpdump -d 'tcp port N'` would write it, plus one test
/// tcpdump's libpcap adds itself on loopback: drop the outgoing copy.
pub fn filter(port: Option<u16>) -> Vec<SockFilter> {
    const LD_W_ABS: u16 = 0x20;
    const LD_H_ABS: u16 = 0x28;
    const LD_B_ABS: u16 = 0x30;
    const LD_H_IND: u16 = 0x48;
    const LDX_MSH: u16 = 0xb1;
    const JEQ: u16 = 0x15;
    const JSET: u16 = 0x45;
    const RET: u16 = 0x06;
    const SKF_AD_PKTTYPE: u32 = 0xfffff000 + 4;
    const PACKET_OUTGOING: u32 = 4;
    let f = SockFilter::new;
    let keep = SNAPLEN;
    match port {
        Some(p) => {
            let p = u32::from(p);
            vec![
                /* 0 */ f(LD_W_ABS, 0, 0, SKF_AD_PKTTYPE),
                /* 1 */ f(JEQ, 19, 0, PACKET_OUTGOING), // → drop (21)
                /* 2 */ f(LD_H_ABS, 0, 0, 12),
                /* 3 */ f(JEQ, 0, 6, 0x86dd), // IPv6? else → 10
                /* 4 */ f(LD_B_ABS, 0, 0, 20),
                /* 5 */ f(JEQ, 0, 15, 6), // TCP? else → drop
                /* 6 */ f(LD_H_ABS, 0, 0, 54),
                /* 7 */ f(JEQ, 12, 0, p), // → keep (20)
                /* 8 */ f(LD_H_ABS, 0, 0, 56),
                /* 9 */ f(JEQ, 10, 11, p), // → keep / drop
                /* 10 */ f(JEQ, 0, 10, 0x0800), // IPv4? else → drop
                /* 11 */ f(LD_B_ABS, 0, 0, 23),
                /* 12 */ f(JEQ, 0, 8, 6), // TCP? else → drop
                /* 13 */ f(LD_H_ABS, 0, 0, 20),
                /* 14 */ f(JSET, 6, 0, 0x1fff), // a later fragment → drop
                /* 15 */ f(LDX_MSH, 0, 0, 14), // X = IPv4 header length
                /* 16 */ f(LD_H_IND, 0, 0, 14),
                /* 17 */ f(JEQ, 2, 0, p), // → keep
                /* 18 */ f(LD_H_IND, 0, 0, 16),
                /* 19 */ f(JEQ, 0, 1, p), // → keep / drop
                /* 20 */ f(RET, 0, 0, keep),
                /* 21 */ f(RET, 0, 0, 0),
            ]
        }
        None => vec![
            /* 0 */ f(LD_W_ABS, 0, 0, SKF_AD_PKTTYPE),
            /* 1 */ f(JEQ, 8, 0, PACKET_OUTGOING), // → drop (10)
            /* 2 */ f(LD_H_ABS, 0, 0, 12),
            /* 3 */ f(JEQ, 0, 2, 0x86dd),
            /* 4 */ f(LD_B_ABS, 0, 0, 20),
            /* 5 */ f(JEQ, 3, 4, 6), // → keep (9) / drop (10)
            /* 6 */ f(JEQ, 0, 3, 0x0800),
            /* 7 */ f(LD_B_ABS, 0, 0, 23),
            /* 8 */ f(JEQ, 0, 1, 6),
            /* 9 */ f(RET, 0, 0, keep),
            /* 10 */ f(RET, 0, 0, 0),
        ],
    }
}
