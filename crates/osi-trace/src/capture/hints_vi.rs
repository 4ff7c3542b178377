//! The Vietnamese of what goes wrong before or during a live capture
//! (`hints.rs` beside it): an unknown interface, a link type osi-trace cannot
//! decode, a missing permission and the three ways out, a link gone down.

use kit::Hinted;

/// No interface of that name; `names` lists those there are.
pub(super) fn no_interface(name: &str, names: &str) -> Hinted {
    kit::hinted(format!("không có interface nào tên {name:?}"), format!("các interface ở đây: {names}"))
}

/// A link type osi-trace cannot decode live.
pub(super) fn unsupported_link(name: &str, hatype: u16) -> Hinted {
    kit::hinted(
        format!(
            "{name} có kiểu link ARPHRD {hatype}, loại osi-trace không giải mã được khi bắt trực tiếp \
             (nó đọc các link đóng khung Ethernet như lo và veth, và các link IP thô như tun)"
        ),
        format!("hãy ghi nó bằng `tcpdump -i {name} -w FILE` rồi đọc bằng `osi-trace --read FILE`"),
    )
}

/// The interface went down mid-capture.
pub(super) fn went_down(name: &str) -> Hinted {
    kit::hinted(
        format!("{name} đã down trong lúc bắt gói (ENETDOWN); các con số ở trên tính các frame tới lúc đó"),
        format!("hãy bật nó lên (`ip link set {name} up`) rồi bắt gói lại"),
    )
}

/// osi-trace's own buffer is full (`mib` MiB).
pub(super) fn buffer_full(mib: usize) -> String {
    format!("bộ đệm {mib} MiB của nó đã đầy, các frame đang bị bỏ (hãy tăng --buffer)")
}

/// A packet socket that could not be opened, for a reason other than permission.
pub(super) fn no_packet_socket(iface: &str) -> String {
    format!("không mở được packet socket trên {iface}")
}

/// Permission denied: the three ways out, and why one may be closed here.
pub(super) fn permission(iface: &str, exe: &str, restricted: Option<&str>) -> Hinted {
    let mut hint = format!(
        "hãy chạy bằng root; hoặc một lần `sudo setcap cap_net_raw=eip {exe}`; hoặc trong network \
         namespace của riêng bạn: `unshare --user --map-root-user --net` rồi `ip link set lo up`"
    );
    if let Some(why) = restricted {
        hint.push_str(&format!(" (nhưng máy này hạn chế user namespace không đặc quyền: {why})"));
    }
    kit::hinted(format!("không bắt gói được trên {iface}: bị từ chối quyền (bắt gói cần CAP_NET_RAW)"), hint)
}

/// What the capture was doing when the system failed it.
pub(super) fn doing(d: super::hints::Doing) -> String {
    use super::hints::Doing;
    match d {
        Doing::InterfaceIndex => "chỉ số của interface".into(),
        Doing::Filter => "khi gắn bộ lọc BPF".into(),
        Doing::Ring(on) => format!("không dựng được vòng đệm bắt gói (capture ring) trên {on}"),
        Doing::StartThread => "khi khởi động thread bắt gói".into(),
        Doing::Reading(on) => format!("khi đọc từ packet socket trên {on}"),
        Doing::ThreadFailed => "thread bắt gói đã thất bại".into(),
    }
}
