//! The capture's words for what goes wrong before the first frame: an unknown
//! interface, a link type it cannot decode, a missing permission (with the
//! three ways out, and why one of them may be closed on this machine); the
//! one line for an interface that goes down mid-capture, the warning for a
//! full buffer, and what the capture was doing when the system failed it.

use std::io;

use pnet::datalink::{self, NetworkInterface};

use super::hints_vi as vi;

pub(super) fn find_interface(name: &str) -> anyhow::Result<NetworkInterface> {
    let all = datalink::interfaces();
    if let Some(i) = all.iter().find(|i| i.name == name) {
        return Ok(i.clone());
    }
    let names: Vec<String> = all.into_iter().map(|i| i.name).collect();
    if kit::lang::vi() {
        return Err(vi::no_interface(name, &names.join(", ")).into());
    }
    Err(kit::hinted(format!("no interface named {name:?}"), format!("interfaces here: {}", names.join(", ")))
        .into())
}

pub(super) fn read_sys(path: &str) -> Option<String> {
    std::fs::read_to_string(path).ok().map(|s| s.trim().to_string())
}

/// The refusal for an interface whose frames start with a link header
/// osi-trace cannot decode (ppp, infiniband, …): say so rather than misread them.
pub(super) fn unsupported_link(name: &str, hatype: u16) -> anyhow::Error {
    if kit::lang::vi() {
        return vi::unsupported_link(name, hatype).into();
    }
    kit::hinted(
        format!(
            "{name} has link type ARPHRD {hatype}, which osi-trace cannot decode live \
             (it reads Ethernet-framed links such as lo and veth, and raw IP ones such as tun)"
        ),
        format!("record it with `tcpdump -i {name} -w FILE` and read that with `osi-trace --read FILE`"),
    )
    .into()
}

/// The line for a capture that ended because its interface went down or away.
pub(super) fn went_down(name: &str) -> anyhow::Error {
    if kit::lang::vi() {
        return vi::went_down(name).into();
    }
    kit::hinted(
        format!(
            "{name} went down during the capture (ENETDOWN); the counts above cover the frames until then"
        ),
        format!("bring it up (`ip link set {name} up`) and capture again"),
    )
    .into()
}

/// The warning, said once, when osi-trace's own buffer (`--buffer`) is full
/// and frames the kernel handed over are being dropped.
pub(super) fn buffer_full(budget: usize) -> String {
    if kit::lang::vi() {
        return vi::buffer_full(budget >> 20);
    }
    format!("its buffer of {} MiB is full, frames are being dropped (raise --buffer)", budget >> 20)
}

/// The error for a failed `socket(AF_PACKET, …)`: permission denied gets the
/// three ways out; `sys` reads a /proc file (a parameter, to test it).
pub(super) fn permission_error(
    e: io::Error,
    iface: &str,
    sys: impl Fn(&str) -> Option<String>,
) -> anyhow::Error {
    if !matches!(e.raw_os_error(), Some(libc::EPERM) | Some(libc::EACCES)) {
        return anyhow::Error::new(e).context(match kit::lang::vi() {
            true => vi::no_packet_socket(iface),
            false => format!("cannot open a packet socket on {iface}"),
        });
    }
    let exe = std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_else(|_| "osi-trace".into());
    if kit::lang::vi() {
        return vi::permission(iface, &exe, userns_restricted(sys).as_deref()).into();
    }
    let mut hint = format!(
        "run as root; or once `sudo setcap cap_net_raw=eip {exe}`; \
         or in your own network namespace: `unshare --user --map-root-user --net` \
         then `ip link set lo up`"
    );
    if let Some(why) = userns_restricted(sys) {
        hint.push_str(&format!(" (but this machine restricts unprivileged user namespaces: {why})"));
    }
    kit::hinted(format!("cannot capture on {iface}: permission denied (capturing needs CAP_NET_RAW)"), hint)
        .into()
}

/// Why an unprivileged `unshare --user` would fail here, if a known switch says so.
fn userns_restricted(sys: impl Fn(&str) -> Option<String>) -> Option<String> {
    let on = |path: &str, value: &str| sys(path).is_some_and(|v| v == value);
    if on("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1") {
        return Some("AppArmor's kernel.apparmor_restrict_unprivileged_userns=1".into());
    }
    if on("/proc/sys/kernel/unprivileged_userns_clone", "0") {
        return Some("kernel.unprivileged_userns_clone=0".into());
    }
    if on("/proc/sys/user/max_user_namespaces", "0") {
        return Some("user.max_user_namespaces=0".into());
    }
    None
}

/// What the capture was doing when the system failed it (the error's context).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Doing<'a> {
    InterfaceIndex,
    Filter,
    /// Setting up the capture ring on these interfaces.
    Ring(&'a str),
    StartThread,
    /// Reading from the packet socket on these interfaces.
    Reading(&'a str),
    ThreadFailed,
}

pub(super) fn doing(d: Doing) -> String {
    if kit::lang::vi() {
        return vi::doing(d);
    }
    match d {
        Doing::InterfaceIndex => "interface index".into(),
        Doing::Filter => "attaching the BPF filter".into(),
        Doing::Ring(on) => format!("cannot set up the capture ring on {on}"),
        Doing::StartThread => "starting the capture thread".into(),
        Doing::Reading(on) => format!("reading from the packet socket on {on}"),
        Doing::ThreadFailed => "the capture thread failed".into(),
    }
}
