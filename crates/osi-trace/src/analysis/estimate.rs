//! RFC 6298's round-trip estimate and Wireshark's RTT sample, as values: the
//! facts `rtt` computes and the summaries carry. A leaf: it knows no connection.

use std::time::Duration;

/// RFC 6298's clock granularity G. Our clock is the capture's: its
/// timestamps tick in microseconds.
pub const G: Duration = Duration::from_micros(1);
/// RFC 6298 (2.4): "Whenever RTO is computed, if it is less than 1 second,
/// then the RTO SHOULD be rounded up to 1 second."
pub const RFC_RTO_MIN: Duration = Duration::from_secs(1);
/// Linux's floor, `TCP_RTO_MIN` (HZ/5) in include/net/tcp.h: the kernel keeps
/// its variance term at least this large, so its RTO is at least SRTT + 200 ms.
pub const LINUX_RTO_MIN: Duration = Duration::from_millis(200);

/// The RTT sample an ACK gives: the frame it acknowledges and the time since it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AckRtt {
    /// Wireshark's `tcp.analysis.acks_frame`.
    pub acks_frame: u64,
    /// Wireshark's `tcp.analysis.ack_rtt` (Wireshark omits it when it is 0).
    pub rtt: Duration,
    /// Some of the acknowledged bytes were sent more than once: which copy the
    /// ACK answers is unknown, so Karn's rule (RFC 6298 §3) keeps the sample
    /// out of the estimate.
    pub ambiguous: bool,
}

/// RFC 6298's estimator for one direction's segments: SRTT and RTTVAR,
/// α = 1/8, β = 1/4, K = 4.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Estimate {
    /// SRTT and RTTVAR in seconds; `None` before the first sample.
    pub srtt: Option<f64>,
    pub rttvar: f64,
    /// Samples used, and samples Karn's rule kept out.
    pub samples: u64,
    pub karn_skipped: u64,
    /// The smallest and the largest sample used, seconds.
    pub min: f64,
    pub max: f64,
}

impl Estimate {
    /// RFC 6298 §2.2 (first sample) and §2.3 (each later one): RTTVAR is
    /// updated with the old SRTT, then SRTT.
    pub fn sample(&mut self, r: f64) {
        match self.srtt {
            None => {
                self.srtt = Some(r);
                self.rttvar = r / 2.0;
                (self.min, self.max) = (r, r);
            }
            Some(srtt) => {
                self.rttvar = 0.75 * self.rttvar + 0.25 * (srtt - r).abs();
                self.srtt = Some(0.875 * srtt + 0.125 * r);
                (self.min, self.max) = (self.min.min(r), self.max.max(r));
            }
        }
        self.samples += 1;
    }

    /// SRTT + max(G, K·RTTVAR), seconds, before any floor.
    pub fn rto_computed(&self) -> Option<f64> {
        self.srtt.map(|s| s + G.as_secs_f64().max(4.0 * self.rttvar))
    }

    /// The RTO as RFC 6298 sets it: rounded up to its 1 s minimum.
    pub fn rto(&self) -> Option<f64> {
        self.rto_computed().map(|r| r.max(RFC_RTO_MIN.as_secs_f64()))
    }
}

/// A connection's two estimates: of the client's segments and of the server's.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RoundTrips {
    pub to_server: Estimate,
    pub to_client: Estimate,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    /// RFC 6298 by hand, samples 100, 200, 100 ms:
    /// 1st: SRTT = 0.1, RTTVAR = 0.05, RTO = 0.1 + 4·0.05 = 0.3 → 1 s.
    /// 2nd: RTTVAR = ¾·0.05 + ¼·|0.1 − 0.2| = 0.0625; SRTT = ⅞·0.1 + ⅛·0.2 = 0.1125;
    ///      RTO = 0.1125 + 0.25 = 0.3625.
    /// 3rd: RTTVAR = ¾·0.0625 + ¼·|0.1125 − 0.1| = 0.05; SRTT = ⅞·0.1125 + ⅛·0.1 = 0.1109375;
    ///      RTO = 0.1109375 + 0.2 = 0.3109375.
    #[test]
    fn rfc6298_arithmetic_on_a_hand_computed_sequence() {
        let mut e = Estimate::default();
        assert_eq!((e.srtt, e.rto()), (None, None));
        e.sample(0.1);
        assert!(close(e.srtt.unwrap(), 0.1) && close(e.rttvar, 0.05));
        assert!(close(e.rto_computed().unwrap(), 0.3) && close(e.rto().unwrap(), 1.0));
        e.sample(0.2);
        assert!(close(e.srtt.unwrap(), 0.1125) && close(e.rttvar, 0.0625));
        assert!(close(e.rto_computed().unwrap(), 0.3625));
        e.sample(0.1);
        assert!(close(e.srtt.unwrap(), 0.1109375) && close(e.rttvar, 0.05));
        assert!(close(e.rto_computed().unwrap(), 0.3109375));
        assert_eq!((e.samples, e.min, e.max), (3, 0.1, 0.2));
    }

    #[test]
    fn the_clock_granularity_bounds_the_variance_term_below() {
        let mut e = Estimate::default();
        // Two equal samples of 10 µs: RTTVAR = ¾·5 µs = 3.75 µs, 4·RTTVAR = 15 µs > G.
        e.sample(10e-6);
        e.sample(10e-6);
        assert!(close(e.rto_computed().unwrap(), 25e-6));
        // A zero RTT: RTTVAR 0, so the RTO is SRTT + G.
        let mut z = Estimate::default();
        z.sample(0.0);
        assert!(close(z.rto_computed().unwrap(), G.as_secs_f64()));
    }
}
