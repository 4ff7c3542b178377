//! The Vietnamese of the closing words: a connection's summary (its ends,
//! duration, handshake time, how it ended, what each way carried), the table's
//! head and its notes, and the `--rtt` lines. Vietnamese nouns take no plural.

use std::time::Duration;

use super::super::fit::{plain, span};
use super::super::{fit_line, format_secs};
use crate::analysis::{AckRtt, Estimate, Summary};
use colored::Colorize;

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

/// After the ends of a connection joined after its handshake, as `render::joined_note` says it.
pub const JOINED: &str = " (bắt được từ sau bắt tay: vai trò đoán theo port, trạng thái không rõ)";

/// A connection's summary, as [`crate::render::summary`] lays it out.
pub fn summary(s: &Summary, width: usize) -> Vec<String> {
    let rtt = match (s.handshake_rtt, s.handshake_time) {
        (Some(_), Some(all)) if s.syn_ack_retransmissions > 0 => {
            let mut resent = vec![format!("{} lần truyền lại SYN+ACK", s.syn_ack_retransmissions)];
            if s.syn_retransmissions > 0 {
                resent.insert(0, format!("{} lần truyền lại SYN", s.syn_retransmissions));
            }
            format!(
                "bắt tay {} (gồm {}, nên không phải thời gian khứ hồi (round-trip time))",
                ms(all),
                resent.join(" và ")
            )
        }
        (Some(rtt), Some(all)) if s.syn_retransmissions > 0 => format!(
            "bắt tay {} (gồm {} lần truyền lại SYN, nên không phải thời gian khứ hồi (round-trip time); \
             {} tính từ SYN cuối)",
            ms(all),
            s.syn_retransmissions,
            ms(rtt)
        ),
        (Some(rtt), _) => format!("RTT bắt tay {}", ms(rtt)),
        (None, Some(all)) => format!(
            "mở đồng thời (cả hai đầu đều gọi connect()), bắt tay {} từ SYN đầu tiên tới khi cả hai đầu \
             ESTABLISHED{} (không phải thời gian khứ hồi)",
            ms(all),
            match s.syn_retransmissions {
                0 => String::new(),
                n => format!(", gồm {n} lần truyền lại SYN"),
            }
        ),
        (None, _) => "không thấy RTT bắt tay".to_string(),
    };
    let head = format!(
        "stream {}: client {} → server {}{}",
        s.stream,
        s.client,
        s.server,
        if s.joined_late { super::super::joined_note() } else { "" }
    );
    let when =
        format!("thời lượng {}, {rtt}, kết thúc: {}", format_secs(s.duration()), super::segment::end(s.end));
    let flows = format!(
        "client → server: {} segment, {} byte;  server → client: {} segment, {} byte",
        s.to_server.segments, s.to_server.bytes, s.to_client.segments, s.to_client.bytes
    );
    let mut v = fit_line(&[span(head, |t| t.bold().to_string())], width, "", "    ");
    v.extend(fit_line(&[span(when, plain)], width, "  ", "    "));
    v.extend(fit_line(&[span(flows, plain)], width, "  ", "    "));
    v
}

/// The summary table's head.
pub fn table_head(connections: u64, segments: u64) -> String {
    format!("Tóm tắt: {connections} kết nối, {segments} segment TCP")
}

/// Connections past the table's cap.
pub fn more_connections(n: u64) -> String {
    format!("… và {n} kết nối nữa (dùng --json để xem tất cả)")
}

/// Open connections the analysis forgot to stay within its memory bound.
pub fn forgotten(n: u64, max_open: usize) -> String {
    format!(
        "{n} kết nối bị quên khi vẫn còn mở, kết nối im lâu nhất trước (theo dõi tối đa {max_open} kết nối mở)"
    )
}

/// Ladders not drawn: `each` says whether the cap is a connection's own.
pub fn not_drawn(n: u64, each: bool, cap: usize) -> String {
    if each {
        format!("… {n} segment nữa không được vẽ (--ladder giữ tối đa {cap} hàng cho một kết nối)")
    } else {
        format!("… {n} kết nối nữa không được vẽ (--ladder giữ tối đa {cap} hàng cùng lúc)")
    }
}

/// The `--rtt` line below a segment whose ACK gives a sample.
pub fn segment_rtt(r: &AckRtt) -> String {
    let mut text = format!("RTT {}: ACK cho frame {} (ack_rtt)", ms(r.rtt), r.acks_frame);
    if r.ambiguous {
        text.push_str(
            "; không dùng cho RTO: các byte đó đã được gửi hai lần, không biết bản nào được trả lời (Karn)",
        );
    }
    text
}

/// The head of a direction's `--rtt` line without a sample.
pub fn rtt_no_sample(dir: &str, skipped: u64) -> String {
    format!("RTT của các segment {dir}: không có mẫu{}", karn(skipped))
}

/// `, k bị bỏ theo quy tắc Karn` (nothing for 0).
pub fn karn(skipped: u64) -> String {
    match skipped {
        0 => String::new(),
        k => format!(", {k} bị bỏ theo quy tắc Karn"),
    }
}

/// A direction's `--rtt` line; the numbers come formatted, in the English's
/// order: min, max, SRTT, RTTVAR, G, RTO computed, RTO, the RFC's floor,
/// Linux's floor, SRTT + Linux's floor.
pub fn rtt_direction(dir: &str, e: &Estimate, n: [String; 10]) -> String {
    let [min, max, srtt, rttvar, g, raw, rto, rfc_min, linux, floor] = n;
    format!(
        "RTT của các segment {dir}: {} mẫu (nhỏ nhất {min}, lớn nhất {max}){}; RFC 6298: SRTT {srtt}, \
         RTTVAR {rttvar}, RTO = SRTT + max(G {g}, 4·RTTVAR) = {raw} → {rto} (mức tối thiểu của RFC là \
         {rfc_min}); Linux giữ số hạng 4·RTTVAR ≥ {linux} (TCP_RTO_MIN): RTO ≥ SRTT + 200 ms = {floor}",
        e.samples,
        karn(e.karn_skipped),
    )
}
