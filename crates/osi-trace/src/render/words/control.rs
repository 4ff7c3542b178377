//! The English of the network's own messages: what an ARP, ICMP or neighbour
//! discovery frame says, who sent it and why, and what the socket call waiting
//! behind it will see. Facts in, one sentence out; the caller supplies names.

use std::net::IpAddr;

use crate::decode::arp::{mac_to_string, ArpOp};
use crate::decode::control::{Control, Message};
use crate::decode::icmp::{Icmp, Quoted, Unreachable};
use crate::decode::icmpv6::Icmpv6;
use crate::neighbours::{is_probe, Asked};

/// Names for the hosts of a trace ("client", "router"…); an address without
/// one is written as itself.
#[derive(Debug, Clone, Default)]
pub struct Names(pub Vec<(IpAddr, String)>);

impl Names {
    pub(crate) fn of(&self, addr: IpAddr) -> String {
        self.0.iter().find(|(a, _)| *a == addr).map_or_else(|| addr.to_string(), |(_, n)| n.clone())
    }
}

/// The packet that was waiting for an ARP or neighbour answer, when the caller
/// knows it (the sender's next IP packet in the trace).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    /// A SYN: connect() is what needs the MAC.
    Syn,
    /// Another TCP segment.
    Segment,
    /// Something else (ICMP, UDP).
    Packet,
}

/// One line explaining `c`; `waiting` is the packet held back by an ARP /
/// neighbour request, if known; `asked`, for a reply, how the request it
/// answers was sent, if the trace held it.
pub fn explain(c: &Control, names: &Names, waiting: Option<Waiting>, asked: Option<Asked>) -> String {
    if kit::lang::vi() {
        return crate::render::lang::control::explain(c, names, waiting, asked);
    }
    match &c.message {
        Message::Arp(a) => {
            let (who, target) = (names.of(IpAddr::V4(a.sender_ip)), a.target_ip);
            match a.op {
                ArpOp::Request if a.is_gratuitous() => {
                    format!("L2 ARP: {who} announces {target} is at {} (gratuitous)", mac_to_string(&a.sender_mac))
                }
                ArpOp::Request if is_probe(c) => format!(
                    "L2 ARP request, unicast to {}: {who}'s kernel checks that {target} still answers at the MAC it has cached (a reachability probe, Linux's NUD PROBE: nothing confirmed that MAC for a while); packets to {target} keep going to it meanwhile",
                    c.macs.map_or_else(String::new, |(_, dst)| mac_to_string(&dst))
                ),
                ArpOp::Request => format!(
                    "L2 ARP request{}: {who}'s kernel {} the MAC of the next hop {target} before {} can leave",
                    if c.macs.is_some() { ", broadcast" } else { "" },
                    needs(waiting),
                    held(waiting)
                ),
                ArpOp::Reply => {
                    let asker = names.of(IpAddr::V4(a.target_ip));
                    format!(
                        "L2 ARP reply, to {asker} only: {} is {}at {}; {}",
                        a.sender_ip,
                        if asked == Some(Asked::Probe) { "still " } else { "" },
                        mac_to_string(&a.sender_mac),
                        replied(&asker, asked)
                    )
                }
                ArpOp::Other(op) => format!("L2 ARP operation {op} from {who}"),
            }
        }
        Message::Icmp { src, dst, len: _, ttl: _, icmp } => {
            let (from, to) = (names.of(IpAddr::V4(*src)), names.of(IpAddr::V4(*dst)));
            match icmp {
                Icmp::EchoRequest { id, seq } => format!("L3 ICMP echo request (ping) {from} → {to}, id {id} seq {seq}"),
                Icmp::EchoReply { id, seq } => format!("L3 ICMP echo reply {from} → {to}, id {id} seq {seq}"),
                Icmp::Unreachable { why, quoted } => format!(
                    "L3 ICMP destination unreachable ({}) from {from}{}{}",
                    reason(*why),
                    about(quoted, names),
                    consequence(*why, quoted, false)
                ),
                Icmp::FragNeeded { next_hop_mtu, quoted } => format!(
                    "L3 ICMP fragmentation needed from {from}: its next link takes at most {next_hop_mtu} bytes and the packet has Don't Fragment set{}; {to}'s kernel lowers its path MTU to {next_hop_mtu} (a send that big then fails with EMSGSIZE; TCP sends smaller segments)",
                    about(quoted, names)
                ),
                Icmp::TimeExceeded { in_transit, quoted } => time_exceeded(&from, *in_transit, quoted, names, "TTL"),
                Icmp::Other { kind, code } => format!("L3 ICMP type {kind} code {code} from {from}"),
            }
        }
        Message::Icmpv6 { src, dst, icmp, .. } => {
            let (from, to) = (names.of(IpAddr::V6(*src)), names.of(IpAddr::V6(*dst)));
            match icmp {
                Icmpv6::NeighbourSolicitation { target, .. } if is_probe(c) => format!(
                    "L3 ICMPv6 neighbour solicitation (IPv6's ARP), unicast to {to}: {from}'s kernel checks that {target} still answers at the MAC it has cached (a reachability probe, Linux's NUD PROBE: nothing confirmed that MAC for a while); packets to {target} keep going to it meanwhile"
                ),
                Icmpv6::NeighbourSolicitation { target, .. } => format!(
                    "L3 ICMPv6 neighbour solicitation (IPv6's ARP), to {target}'s multicast group: {from}'s kernel {} the MAC of {target} before {} can leave",
                    needs(waiting),
                    held(waiting)
                ),
                Icmpv6::NeighbourAdvertisement { target, router, target_mac, .. } => format!(
                    "L3 ICMPv6 neighbour advertisement to {to}: {target} is {}at {}{}{}",
                    if asked == Some(Asked::Probe) { "still " } else { "" },
                    target_mac.as_ref().map_or_else(|| "(no MAC given)".into(), mac_to_string),
                    if *router { " (a router)" } else { "" },
                    asked.map_or_else(String::new, |_| format!("; {}", replied(&to, asked)))
                ),
                Icmpv6::EchoRequest { id, seq } => format!("L3 ICMPv6 echo request (ping) {from} → {to}, id {id} seq {seq}"),
                Icmpv6::EchoReply { id, seq } => format!("L3 ICMPv6 echo reply {from} → {to}, id {id} seq {seq}"),
                Icmpv6::Unreachable { why, quoted } => format!(
                    "L3 ICMPv6 destination unreachable ({}) from {from}{}{}",
                    reason(*why),
                    about(quoted, names),
                    consequence(*why, quoted, true)
                ),
                Icmpv6::PacketTooBig { mtu, quoted } => format!(
                    "L3 ICMPv6 packet too big from {from}: its next link takes at most {mtu} bytes, and IPv6 routers never fragment{}; {to}'s kernel lowers its path MTU to {mtu}",
                    about(quoted, names)
                ),
                Icmpv6::TimeExceeded { in_transit, quoted } => {
                    time_exceeded(&from, *in_transit, quoted, names, "hop limit")
                }
                Icmpv6::RouterSolicitation => format!("L3 ICMPv6 router solicitation from {from}"),
                Icmpv6::RouterAdvertisement => format!("L3 ICMPv6 router advertisement from {from}"),
                Icmpv6::MulticastListener => format!("L3 ICMPv6 multicast listener report from {from}"),
                Icmpv6::Other { kind, code } => format!("L3 ICMPv6 type {kind} code {code} from {from}"),
            }
        }
    }
}

/// What the asker's kernel does with a reply, by the request it answers.
fn replied(asker: &str, asked: Option<Asked>) -> String {
    match asked {
        Some(Asked::Probe) => format!(
            "it answers a probe: {asker}'s kernel marks the cached MAC confirmed (REACHABLE) again; no packet was waiting for it"
        ),
        Some(Asked::Everyone) => format!("{asker}'s kernel caches it and sends what was waiting"),
        None => format!("{asker}'s kernel caches it (a packet held for the answer can leave now)"),
    }
}

fn needs(waiting: Option<Waiting>) -> &'static str {
    match waiting {
        Some(Waiting::Syn) => "(connect()) needs",
        _ => "needs",
    }
}

fn held(waiting: Option<Waiting>) -> &'static str {
    match waiting {
        Some(Waiting::Syn) => "its SYN",
        Some(Waiting::Segment) => "its TCP segment",
        _ => "the IP packet",
    }
}

fn reason(why: Unreachable) -> String {
    match why {
        Unreachable::Network => "no route to the network".into(),
        Unreachable::Host => "host".into(),
        Unreachable::Protocol => "protocol".into(),
        Unreachable::Port => "port".into(),
        Unreachable::Prohibited => "administratively prohibited".into(),
        Unreachable::Other(code) => format!("code {code}"),
    }
}

/// ", about TCP 10.0.1.2:46424 → 10.0.2.2:65432 seq 2847362219 (TTL 63 when it got there)".
fn about(quoted: &Option<Quoted>, names: &Names) -> String {
    let Some(q) = quoted else { return String::new() };
    let proto = match q.protocol {
        6 => "TCP".to_string(),
        17 => "UDP".to_string(),
        1 => "ICMP".to_string(),
        58 => "ICMPv6".to_string(),
        p => format!("protocol {p}"),
    };
    let ends = match q.ports {
        Some((s, d)) => format!("{}:{s} → {}:{d}", names.of(q.src), names.of(q.dst)),
        None => format!("{} → {}", names.of(q.src), names.of(q.dst)),
    };
    let seq = q.tcp_seq.map(|s| format!(" seq {s}")).unwrap_or_default();
    format!(", about {proto} {ends}{seq}")
}

/// What Linux does with the error, as measured in the lab: an ICMP (IPv4) host
/// unreachable ends a connect() in SYN_SENT at once; ICMPv6's is a soft error
/// (the SYN is retried).
fn consequence(why: Unreachable, quoted: &Option<Quoted>, v6: bool) -> &'static str {
    let about_tcp = quoted.is_some_and(|q| q.protocol == 6);
    match (why, about_tcp, v6) {
        (Unreachable::Host, true, false) => {
            "; a connect() waiting on that SYN fails at once with EHOSTUNREACH (\"No route to host\")"
        }
        (Unreachable::Host, true, true) => "; for TCP a soft error: the kernel keeps retrying the SYN",
        _ => "",
    }
}

fn time_exceeded(
    from: &str,
    in_transit: bool,
    quoted: &Option<Quoted>,
    names: &Names,
    field: &str,
) -> String {
    if in_transit {
        format!(
            "L3 time exceeded from {from}: the packet's {field} reached 0 there, so it was dropped{} (traceroute finds each router this way)",
            about(quoted, names)
        )
    } else {
        format!("L3 time exceeded from {from}: fragment reassembly timed out{}", about(quoted, names))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::arp::tests::{hex, REPLY, REQUEST};
    use crate::decode::{decode, Decoded};
    use crate::frame::{Frame, LinkType};
    use std::time::Duration;

    fn lab_names() -> Names {
        Names(
            [("10.0.1.2", "client"), ("10.0.1.1", "router"), ("10.0.2.2", "server")]
                .iter()
                .map(|(a, n)| (a.parse().unwrap(), n.to_string()))
                .collect(),
        )
    }

    fn say(frame: &str, waiting: Option<Waiting>) -> String {
        let data = hex(frame);
        let f = Frame { ts: Duration::ZERO, link: LinkType::Ethernet, orig_len: data.len() as u32, data };
        let Ok(Decoded::Control(c)) = decode(&f) else { panic!("not a control message: {frame}") };
        explain(&c, &lab_names(), waiting, Some(Asked::Everyone))
    }

    #[test]
    fn arp_before_a_syn_names_connect() {
        assert_eq!(
            say(REQUEST, Some(Waiting::Syn)),
            "L2 ARP request, broadcast: client's kernel (connect()) needs the MAC of the next hop 10.0.1.1 before its SYN can leave"
        );
        assert_eq!(
            say(REPLY, None),
            "L2 ARP reply, to client only: 10.0.1.1 is at 02:00:00:00:01:01; client's kernel caches it and sends what was waiting"
        );
    }

    #[test]
    fn host_unreachable_about_a_syn_tells_what_connect_returns() {
        // Frame 10 of icmp-link1.pcap.
        let frame = "020000000102020000000101080045c0005857a0000040010c430a0001010a00010203013ec7000000004500003ce36540003f0641530a0001020a000202b558ff98a9b74cab00000000a002ff0017320000020405500402080a3c6408dc000000000103030a";
        assert_eq!(
            say(frame, None),
            "L3 ICMP destination unreachable (host) from router, about TCP client:46424 → server:65432 seq 2847362219; a connect() waiting on that SYN fails at once with EHOSTUNREACH (\"No route to host\")"
        );
    }
}
