//! What the frame loop says on the side, in the reader's language: a
//! warning on stderr, the note that a stopped capture still shows its
//! backlog, a run stopped by Ctrl-C or SIGTERM, the hop view's memory bounds,
//! and why a frame was skipped (`frame 7: skipped, not IP …`). The facts
//! (numbers, EtherTypes, protocol numbers, signal names) are the same in both.

use kit::lang::vi;

use crate::decode::Skip;

/// Said once when a live capture ended (Ctrl-C, `--duration`) with `n`
/// captured frames still to show.
pub fn backlog(n: u64) -> String {
    match vi() {
        true => format!(
            "osi-trace: capture đã dừng; đang hiện {n} frame nó đã bắt được (Ctrl-C lần nữa thì dừng ngay)"
        ),
        false => format!(
            "osi-trace: capture ended; showing the {n} frames it had captured (Ctrl-C again stops now)"
        ),
    }
}

/// A file not read to its end: `by` is `Ctrl-C` or `SIGTERM`, `what` the file,
/// `writing` whether `--write` or `--tsg` had begun a file.
pub fn interrupted(by: &str, what: &str, writing: bool) -> String {
    if vi() {
        let kept = match writing {
            true => "; các file của --write và --tsg chỉ được đặt vào chỗ khi đã đọc hết capture",
            false => "",
        };
        return format!("{by} đã dừng việc đọc trước khi hết {what}{kept}");
    }
    let kept = match writing {
        true => "; the files of --write and --tsg are put in place only when the whole capture was read",
        false => "",
    };
    format!("stopped by {by} before the end of {what}{kept}")
}

/// The hop view forgot `n` frames waiting for their copy (at most `held` at once).
pub fn hop_forgotten(n: u64, held: usize) -> String {
    kit::warning_line("osi-trace", &match vi() {
        true => format!(
            "{n} frame bị quên khi chờ bản sao của chúng trên link kia (giữ nhiều nhất {held} frame cùng lúc): \
             hiện như chỉ thấy trên một link"
        ),
        false => format!(
            "{} forgotten while waiting for their copy on the other link (at most {held} are held at once): \
             shown as seen on one link only",
            kit::plural(n, "frame")
        ),
    })
}

/// The hop view did not keep `n` facts about the links (more than `max`).
pub fn hop_facts_not_kept(n: u64, max: usize) -> String {
    kit::warning_line("osi-trace", &match vi() {
        true => format!(
            "{n} thông tin về các link không được giữ (quá {max} địa chỉ hoặc MAC): lý do đưa ra cho một frame \
             chỉ thấy trên một link có thể sai"
        ),
        false => format!(
            "{} about the links not kept (more than {max} addresses or MACs): a reason given for a frame seen \
             on one link only may be wrong",
            kit::plural(n, "fact")
        ),
    })
}

/// A live hop capture held its most frames on one link.
pub fn hop_frames_cap(max: usize, link: &str) -> String {
    kit::warning_line(
        "osi-trace",
        &match vi() {
            true => format!("{max} frame trên {link}: capture dừng ở đây"),
            false => format!("{max} frames on {link}: the capture stops here"),
        },
    )
}

/// `frame N: skipped, WHY`.
pub fn skipped(frame: u64, why: &Skip) -> String {
    match vi() {
        true => format!("frame {frame}: bỏ qua, {}", skip(why)),
        false => format!("frame {frame}: skipped, {why}"),
    }
}

/// Why a frame was skipped, in Vietnamese (the English is [`Skip`]'s Display).
fn skip(why: &Skip) -> String {
    match why {
        Skip::NotIp(t) => format!("không phải IP (EtherType 0x{t:04x})"),
        Skip::NotIpOver { link, protocol } => format!("{link} giao thức 0x{protocol:04x}, không phải IP"),
        Skip::UnsupportedLink(n) => format!("kiểu link {n}, osi-trace không giải mã"),
        Skip::NotTcp(p) => format!("giao thức IP {p}, không phải TCP"),
        Skip::Fragment => "mảnh IP (IP fragment; frame hoàn tất datagram sẽ hiện TCP của nó)".to_string(),
        Skip::Truncated { layer, need, have } => format!("header {layer} bị cắt: {have} trên {need} byte"),
        Skip::BadHeader { layer, why } => format!("header {layer} sai dạng: {why}"),
        Skip::BadControl { carrier, why } => format!("{}: {why}", skip(carrier)),
    }
}
