//! The Vietnamese of a simultaneous open's words (`render::words::simopen`): same
//! facts, same order, sentence for sentence the English.

use std::fmt;

use crate::analysis::{Annotated, Side};

/// The role, as `words::simopen::describe` writes it.
pub fn describe(step: u8, again: bool, from: Side, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let who = from.name();
    match (step, again) {
        (1, _) => write!(f, "mở đồng thời: SYN của {who} (cả hai đầu đều gọi connect())"),
        (2, false) => write!(f, "mở đồng thời: SYN+ACK của {who}"),
        (2, true) => write!(f, "mở đồng thời: lại SYN+ACK của {who}"),
        _ => write!(f, "mở đồng thời: ACK của {who}, {who} ESTABLISHED"),
    }
}

/// The cause, as `words::simopen::cause` writes it (`one`: a self-connect).
pub fn cause(n: &Annotated, step: u8, one: bool, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let (who, peer) = (n.from.name(), n.from.other().name());
    match (step, one) {
        (1, true) => write!(
            f,
            "connect() của {who}, tới chính địa chỉ và cổng của nó: tự kết nối (self-connect), một socket \
             vừa là client vừa là server, và SYN của nó quay về chính nó"
        ),
        (1, false) => write!(f, "connect() của {who}"),
        (2, true) => write!(
            f,
            "kernel của {who}, bên trong connect(): SYN của chính nó quay về khi nó đang chờ ở SYN_SENT, \
             nên nó trả lời SYN+ACK, cho chính nó"
        ),
        (2, false) => write!(
            f,
            "kernel của {who}, bên trong connect(): SYN của {peer} đến khi nó đang chờ ở SYN_SENT, nên \
             nó trả lời SYN+ACK"
        ),
        (_, true) => write!(
            f,
            "kernel của {who}: SYN+ACK của chính nó quay về và xác nhận SYN của nó, nên nó ESTABLISHED \
             và connect() trả về; nó ACK ngay"
        ),
        (_, false) => write!(
            f,
            "kernel của {who}: SYN+ACK của {peer} xác nhận SYN của nó, nên nó ESTABLISHED và connect() \
             của nó trả về; nó ACK ngay"
        ),
    }?;
    if step == 2 && n.is_retransmission() {
        f.write_str(" (Wireshark gọi nó là truyền lại: nó lặp lại số thứ tự của SYN)")?;
    }
    if step == 3 && n.seg.tcp.dsack() == Some(true) {
        f.write_str("; khối D-SACK của nó cho biết SYN trong SYN+ACK đó đến hai lần")?;
    }
    Ok(())
}

/// Why the server's state is `?` before its own SYN in a split handshake.
pub const ACK_BEFORE_SYN: &str =
    "nó ACK SYN trước khi gửi SYN của chính nó, bắt tay tách đôi: không trạng thái nào của RFC 9293 làm vậy";
