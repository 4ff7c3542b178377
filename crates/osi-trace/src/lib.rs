//! osi-trace: what your socket code did on the wire, segment by segment,
//! explained by OSI layer, TCP state and the socket call that caused it.

pub mod analysis;
pub mod arp;
pub mod capture;
pub mod control;
pub mod control_words;
pub mod decode;
pub mod frame;
pub mod icmp;
pub mod icmpv6;
pub mod pcap;
pub mod render;
