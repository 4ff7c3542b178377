//! Sequence-number arithmetic (RFC 9293 §3.4): 32-bit numbers that wrap, compared
//! modulo 2³². A leaf: the TCP header's D-SACK test and the analysis share it.

/// `a` before `b` in sequence space (RFC 9293's modular comparison).
pub fn seq_lt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

/// `a` after `b` in sequence space.
pub fn seq_gt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_wrap_around_zero() {
        assert!(seq_lt(u32::MAX - 1, 2) && seq_gt(2, u32::MAX - 1));
        assert!(!seq_lt(5, 5) && !seq_gt(5, 5));
        assert!(seq_lt(1, 2) && !seq_lt(2, 1));
    }
}
