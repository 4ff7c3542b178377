//! The Vietnamese of a segment's words (`render::words`, from `words/segment.rs`): its role, the socket
//! call or kernel behind it, why an end's state is unknown, how a connection
//! ended. Same facts, same order, sentence for sentence the English.

use std::fmt;

use crate::analysis::{Annotated, End, Role, Side, State};
use crate::render::words::Sack;

/// Why an end's state is `?`, as [`crate::render::words::States`] says it.
pub fn unknown_state(end: Side, n: &Annotated) -> &'static str {
    match (end, &n.role) {
        (Side::Server, Role::Refused) => "RST có thể là của một tường lửa",
        (Side::Server, _) if n.answered => "RST trả lời nó có thể là của một tường lửa",
        (Side::Server, _) if n.client_state == State::SynSent => "chưa thấy server trả lời",
        _ => "RST có thể đã không được chấp nhận",
    }
}

/// Why both ends' states are `?` in a connection the capture joined after its handshake.
pub const JOINED_STATES: &str = "cả hai không rõ: bản bắt gói bắt đầu sau bắt tay";

/// The role, as [`crate::render::words::Describe`] writes it (`joined`: the capture
/// began after the handshake).
pub fn describe(role: &Role, from: Side, joined: bool, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let who = from.name();
    let peer = from.other().name();
    match role {
        Role::Simultaneous { step, again } => super::simopen::describe(*step, *again, from, f),
        Role::Handshake(1) => f.write_str("bắt tay 1/3: SYN"),
        Role::Handshake(_) => f.write_str("bắt tay 2/3: SYN+ACK"),
        Role::HandshakeAck { again: false, .. } => f.write_str("bắt tay 3/3: ACK"),
        Role::HandshakeAck { again: true, .. } => f.write_str("lại ACK cho SYN+ACK"),
        Role::Data { bytes, total } => write!(f, "dữ liệu {who}→{peer}: {bytes} byte (tổng {total})"),
        Role::Ack { acked } if *acked > 0 => write!(f, "ACK xác nhận {acked} byte"),
        Role::Ack { .. } => f.write_str("ACK"),
        Role::WindowUpdate => f.write_str("cập nhật cửa sổ (window update)"),
        Role::KeepAlive => f.write_str("giữ kết nối (keep-alive)"),
        Role::WindowProbe { update_lost: false } => {
            f.write_str("dò cửa sổ (persist timer): cửa sổ của đầu bên kia bằng 0")
        }
        Role::WindowProbe { update_lost: true } => {
            write!(f, "dò cửa sổ (persist timer): {who} vẫn coi cửa sổ của {peer} bằng 0")
        }
        Role::Fin { crossing, first, acks_fin, data } => {
            let with = With(*data);
            if *crossing {
                write!(f, "đóng kết nối: FIN của {who}{with} bắt chéo FIN của {peer} (hai bên cùng đóng)")
            } else if joined && !*acks_fin {
                write!(f, "đóng kết nối: FIN của {who}{with}")
            } else if *first {
                write!(f, "đóng kết nối: FIN của {who}{with} (đóng chủ động)")
            } else if *acks_fin {
                write!(f, "đóng kết nối: FIN+ACK của {who}{with}: xác nhận FIN của {peer} và cũng đóng")
            } else {
                write!(f, "đóng kết nối: FIN của {who}{with} (đóng bị động)")
            }
        }
        Role::FinAck { last: true, again: false } => write!(f, "đóng kết nối: ACK cuối, cho FIN của {peer}"),
        Role::FinAck { last: false, again: false } => write!(f, "đóng kết nối: ACK cho FIN của {peer}"),
        Role::FinAck { again: true, .. } => write!(f, "đóng kết nối: lại ACK, cho FIN {peer} gửi lại"),
        Role::Refused => f.write_str("RST: kết nối bị từ chối"),
        Role::Reset => write!(f, "RST: {who} hủy (reset) kết nối"),
        Role::ChallengeAck => f.write_str("ACK thách thức (challenge ACK, RFC 5961)"),
        Role::StaleReset => write!(f, "RST: {who} không còn kết nối này"),
    }
}

/// ` kèm N byte` after a FIN that carries data; nothing after one without.
struct With(u32);

impl fmt::Display for With {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0 => Ok(()),
            n => write!(f, " kèm {n} byte"),
        }
    }
}

/// What follows the socket call when the peer's RST above was not heeded.
pub fn reset_unheeded(n: &Annotated, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let (who, peer) = (n.from.name(), n.from.other().name());
    write!(f, "; vậy RST của {peer} ở trên chưa hề đóng {who} (mất trên đường, hoặc không được chấp nhận)")
}

/// `; 206.5 ms sau bản gửi trước`, given the interval already written.
pub const AFTER_LAST_COPY: &str = "sau bản gửi trước";

/// The socket call (or the kernel) behind a segment, past the three cases the
/// English decides first (a retransmission, older bytes, a SACK answer), which
/// come as the functions below.
pub fn socket_call(n: &Annotated, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let who = n.from.name();
    let peer = n.from.other().name();
    match n.role {
        Role::Simultaneous { step, .. } => super::simopen::cause(n, step, n.src == n.dst, f),
        Role::Handshake(1) => write!(f, "connect() của {who}"),
        Role::Handshake(_) => f.write_str("kernel của server, cho socket đang lắng nghe, trước mọi accept()"),
        Role::HandshakeAck { again: false, syn_acks } if syn_acks > 1 => write!(
            f,
            "kernel của client: connect() trả về ở ACK đầu tiên của nó cho một SYN+ACK, tức ACK này, \
             trừ khi một ACK đã mất trước đường truyền (link) này (server đã gửi SYN+ACK {syn_acks} lần)"
        ),
        Role::HandshakeAck { again: false, .. } => {
            f.write_str("kernel của client bên trong connect(), giờ connect() trả về")
        }
        Role::HandshakeAck { again: true, .. } => f.write_str(
            "kernel của client: SYN+ACK lại đến, và một SYN trên kết nối đã thiết lập được trả lời bằng \
             một ACK cho số kernel đang chờ (challenge ACK, RFC 5961 §4.2); connect() đã trả về ở ACK \
             đầu tiên, không có lời gọi socket",
        ),
        Role::Data { .. } => write!(f, "send()/sendall() của {who}"),
        Role::Ack { .. } => write!(f, "kernel của {who} (không có lời gọi socket)"),
        Role::WindowUpdate => write!(f, "recv() của {who} đã giải phóng chỗ; kernel báo điều đó"),
        Role::KeepAlive => write!(f, "kernel của {who} (bộ định thời SO_KEEPALIVE)"),
        Role::WindowProbe { update_lost: false } => {
            write!(f, "kernel của {who} (persist timer), không có lời gọi socket")
        }
        Role::WindowProbe { update_lost: true } => write!(
            f,
            "kernel của {who} (persist timer), không có lời gọi socket: bản cập nhật cửa sổ của {peer} \
             thấy ở đây chưa bao giờ tới được nó (mất trên đường); quá sớm sau segment cuối của {peer} \
             để là keep-alive"
        ),
        Role::Fin { first, crossing, data, .. } => {
            if first || crossing || n.joined_late {
                write!(f, "close() hoặc shutdown(SHUT_WR) của {who}, hoặc tiến trình kết thúc")?;
            } else {
                write!(f, "close() của {who} (thường sau khi recv() của nó trả về 0)")?;
            }
            if data > 0 {
                f.write_str("; FIN đi cùng segment dữ liệu cuối, xếp hàng sau các byte chưa gửi")?;
            }
            Ok(())
        }
        Role::FinAck { again: true, .. } if n.state_of(n.from) == State::TimeWait => write!(
            f,
            "kernel của {who}, ở TIME_WAIT: FIN của {peer} lại đến (ACK đầu tiên đã mất), nên nó ACK \
             lại; TIME_WAIT chờ chính điều này"
        ),
        Role::FinAck { .. } => write!(f, "kernel của {who} (không có lời gọi socket)"),
        Role::Refused if n.seg.link.is_loopback_placeholder() => write!(
            f,
            "kernel của {who}: không socket nào lắng nghe ở port đó; connect() thất bại với ECONNREFUSED"
        ),
        Role::Refused => write!(
            f,
            "kernel của {who} (không socket nào lắng nghe ở port đó), hoặc một tường lửa trên đường trả \
             lời thay nó; connect() thất bại với ECONNREFUSED"
        ),
        Role::Reset => write!(f, "close() của {who} khi còn dữ liệu chưa đọc, hoặc SO_LINGER 0"),
        Role::ChallengeAck => write!(
            f,
            "kernel của {who}: số thứ tự của RST không phải số nó đang chờ, nên nó giữ kết nối và ACK \
             số nó chờ; chỉ một RST đúng số đó mới đóng kết nối"
        ),
        Role::StaleReset => {
            write!(f, "kernel của {who}: một segment đến cho kết nối nó đã đóng; nó trả lời bằng RST")
        }
    }
}

/// A retransmission's cause; `after` is `; 206.5 ms sau bản gửi trước` or empty.
pub fn retransmission(who: &str, after: &dyn fmt::Display, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(f, "kernel của {who}: truyền lại, không có lời gọi socket mới{after}")
}

/// Data below bytes already seen: not a send().
pub fn older_bytes(who: &str, after: &dyn fmt::Display, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(
        f,
        "kernel của {who}: byte cũ hơn đến sau byte mới hơn, nên không phải send(): truyền lại nhanh \
         (trong vòng một round trip sau byte mới nhất), hoặc bị đảo thứ tự trên đường{after}"
    )
}

/// An ACK that repeats the last one, by what its SACK blocks say.
pub(in crate::render) fn sack_answer(who: &str, sack: Sack, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let said = if !sack.dsack {
        "byte đến phía trên một lỗ hổng (các khối SACK của nó): nó lại ACK byte cuối cùng đúng thứ tự"
    } else {
        "byte nó đã có lại đến lần nữa (một khối D-SACK): nó lại ACK đúng byte đó"
    };
    write!(f, "kernel của {who}: {said}")
}

/// How a connection ended, as [`crate::render::words::end`] says it.
pub fn end(e: End) -> &'static str {
    match e {
        End::Graceful => "êm đẹp (FIN cả hai chiều)",
        End::Reset { refused: true } => "bị từ chối (RST trả lời SYN)",
        End::Reset { refused: false } => "bị hủy (RST)",
        End::Open => "vẫn mở",
    }
}
