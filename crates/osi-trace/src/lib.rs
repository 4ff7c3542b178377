//! osi-trace: what your socket code did on the wire, segment by segment,
//! explained by OSI layer, TCP state and the socket call that caused it.

pub mod analysis;
pub mod capture;
pub mod decode;
pub mod frame;
pub mod pcap;
pub mod render;
