//! Looking ahead at a SYN's answer. Until a SYN is answered, the server's
//! state is unknown (`?`): a SYN+ACK means the kernel made a SYN_RECEIVED
//! request, an RST that nothing listens (CLOSED), and a retransmitted SYN that
//! the first one was dropped (a full accept queue): the server end stays
//! LISTEN. The rows wait here until their answer is seen, then go on in capture
//! order, bounded by [`HOLD`]; live, also by time ([`Lookahead::expire`], [`LIVE_WAIT`]),
//! so that a live trace shows the same states as the file read back, where the
//! answer comes at all within that time.

use std::collections::{HashMap, VecDeque};

use super::facts::{Annotated, Event, Role, Side, State};

/// At most this many events wait for an answer; past it the oldest go on with `?`.
pub const HOLD: usize = 10_000;
/// Nor more payload bytes than this.
const HOLD_BYTES: usize = 16 << 20;
/// Live, how long a SYN's row waits for its answer before it is shown with `?`:
/// well above a round trip on any link a lesson uses, well below the SYN's own
/// retransmission timeout (1 s), so that a dropped SYN shows `?` at once, every time.
pub const LIVE_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

/// Holds events behind an unanswered SYN, in capture order.
#[derive(Debug, Default)]
pub struct Lookahead {
    held: VecDeque<Event>,
    bytes: usize,
    /// Events ever pushed: the one at the front of `held` is number `popped`.
    pushed: u64,
    popped: u64,
    /// Per stream, the numbers of its rows waiting for an answer.
    waiting: HashMap<u64, Vec<u64>>,
}

fn payload(e: &Event) -> usize {
    match e {
        Event::Segment(n) => n.seg.payload.len(),
        Event::Ended(_) | Event::Control(_) => 0,
    }
}

fn waiting(e: &Event) -> bool {
    matches!(e, Event::Segment(n) if unanswered(n))
}

/// A row whose server state waits for an answer: not one of a connection joined after
/// its handshake, where `?` means unknown for good (no SYN of it is waiting).
fn unanswered(n: &Annotated) -> bool {
    n.server_state == State::Unknown && !n.joined_late
}

impl Lookahead {
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the next event; returns those that can go on now.
    pub fn push(&mut self, e: Event) -> Vec<Event> {
        if let Event::Segment(n) = &e {
            self.answer(n);
            if unanswered(n) {
                self.waiting.entry(n.stream).or_default().push(self.pushed);
            }
        }
        self.pushed += 1;
        self.bytes += payload(&e);
        self.held.push_back(e);
        self.release(|_| false)
    }

    /// Live, at capture time `now`: the rows of SYNs sent `wait` ago or more
    /// with no answer seen go on, their server state `?`, and the rows behind them.
    pub fn expire(&mut self, now: std::time::Duration, wait: std::time::Duration) -> Vec<Event> {
        self.release(|e| matches!(e, Event::Segment(n) if n.time + wait <= now))
    }

    /// Lets go, from the front, every event that waits for nothing, that `overdue`
    /// says has waited long enough, or that is past the bounds.
    fn release(&mut self, overdue: impl Fn(&Event) -> bool) -> Vec<Event> {
        let mut ready = Vec::new();
        while self.held.front().is_some_and(|e| !waiting(e) || overdue(e))
            || self.held.len() > HOLD
            || self.bytes > HOLD_BYTES
        {
            let Some(e) = self.held.pop_front() else { break };
            self.popped += 1;
            self.bytes -= payload(&e);
            if let Event::Segment(n) = &e {
                // Gone on unanswered (past the bound, or live past its wait): no longer waiting.
                if let Some(w) = self.waiting.get_mut(&n.stream) {
                    w.retain(|&i| i >= self.popped);
                    if w.is_empty() {
                        self.waiting.remove(&n.stream);
                    }
                }
            }
            ready.push(e);
        }
        ready
    }

    /// The end of the capture: everything goes on, unanswered SYNs with `?`.
    pub fn finish(&mut self) -> Vec<Event> {
        self.bytes = 0;
        self.popped = self.pushed;
        self.waiting.clear();
        self.held.drain(..).collect()
    }

    /// What `n` tells of the SYNs of its connection still waiting.
    fn answer(&mut self, n: &Annotated) {
        if n.from == Side::Server && matches!(n.role, Role::Simultaneous { step: 1, .. }) {
            return self.answer_with_syn(n.stream);
        }
        let resolved = match (&n.role, n.from) {
            (Role::Handshake(2), Side::Server) => State::SynReceived,
            // CLOSED, or `?` where a firewall may have answered in the server's name.
            (Role::Refused, _) => n.server_state,
            // The client sent its SYN again: the earlier ones got no answer.
            (Role::Handshake(1), Side::Client) => State::Listen,
            _ if n.server_state != State::Unknown => n.server_state,
            _ => return,
        };
        let Some(numbers) = self.waiting.remove(&n.stream) else { return };
        let dropped = match resolved {
            State::Closed | State::Unknown => resolved,
            _ => State::Listen,
        };
        for (k, &number) in numbers.iter().enumerate() {
            // Only the latest SYN is the one answered; any before it were dropped.
            let state = if k + 1 == numbers.len() { resolved } else { dropped };
            let at = number.wrapping_sub(self.popped) as usize;
            if let Some(Event::Segment(h)) = self.held.get_mut(at) {
                h.server_state = state;
                h.answered = true;
            }
        }
    }

    /// The server's own SYN answers the client's (a simultaneous open): no socket
    /// listened, its end was CLOSED until its connect(). Where the server had sent
    /// something before its SYN (a split handshake's bare ACK), no state of RFC 9293
    /// sends that: `?`.
    fn answer_with_syn(&mut self, stream: u64) {
        let Some(numbers) = self.waiting.remove(&stream) else { return };
        let popped = self.popped;
        let at = |number: u64| number.wrapping_sub(popped) as usize;
        let from_server = |e: Option<&Event>| matches!(e, Some(Event::Segment(h)) if h.from == Side::Server);
        let spoke = numbers.iter().any(|&i| from_server(self.held.get(at(i))));
        for number in numbers {
            if let Some(Event::Segment(h)) = self.held.get_mut(at(number)) {
                h.server_state = if spoke { State::Unknown } else { State::Closed };
                (h.answered, h.ack_before_syn) = (true, spoke);
                if h.role == Role::Handshake(1) {
                    h.role = Role::Simultaneous { step: 1, again: false }; // the first of two SYNs
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::analysis::Analyzer;
    use crate::decode::craft::{frame, SYN_OPTIONS};
    use crate::decode::flags::*;
    use crate::decode::segment;

    /// Runs (ms, from_client, seq, ack, flags) through the analysis and the lookahead.
    fn run(segs: &[(u64, bool, u32, u32, u8)]) -> (Vec<State>, Vec<State>) {
        let (mut a, mut l) = (Analyzer::new(), Lookahead::new());
        let (mut live, mut read) = (Vec::new(), Vec::new());
        for (i, &(ms, c, seq, ack, fl)) in segs.iter().enumerate() {
            let (sp, dp) = if c { (40000, 80) } else { (80, 40000) };
            let f = frame(ms, sp, dp, seq, ack, fl, 100, &SYN_OPTIONS, b"");
            let n = a.push(i as u64 + 1, Duration::from_millis(ms), segment(&f).unwrap());
            live.push(n.server_state);
            read.extend(l.push(Event::Segment(Box::new(n))));
        }
        read.extend(l.finish());
        let read = read
            .into_iter()
            .filter_map(|e| match e {
                Event::Segment(n) => Some(n.server_state),
                Event::Ended(_) | Event::Control(_) => None,
            })
            .collect();
        (live, read)
    }

    #[test]
    fn a_refused_syn_never_made_a_server_socket() {
        let (live, read) = run(&[(0, true, 10, 0, SYN), (0, false, 0, 11, RST | ACK)]);
        assert_eq!(live, [State::Unknown, State::Closed]);
        assert_eq!(read, [State::Closed, State::Closed]);
    }

    #[test]
    fn a_dropped_syn_leaves_the_server_listening_until_one_is_answered() {
        let (live, read) = run(&[
            (0, true, 10, 0, SYN),
            (1000, true, 10, 0, SYN),
            (1000, false, 50, 11, SYN | ACK),
            (1000, true, 11, 51, ACK),
        ]);
        assert_eq!(live, [State::Unknown, State::Unknown, State::SynReceived, State::Established]);
        assert_eq!(read, [State::Listen, State::SynReceived, State::SynReceived, State::Established]);
    }

    fn row(a: &mut Analyzer, ms: u64, c: bool, seq: u32, ack: u32, fl: u8) -> Event {
        let (sp, dp) = if c { (40000, 80) } else { (80, 40000) };
        let f = frame(ms, sp, dp, seq, ack, fl, 100, &SYN_OPTIONS, b"");
        Event::Segment(Box::new(a.push(1, Duration::from_millis(ms), segment(&f).unwrap())))
    }

    fn states(v: Vec<Event>) -> Vec<State> {
        v.into_iter()
            .filter_map(|e| match e {
                Event::Segment(n) => Some(n.server_state),
                Event::Ended(_) | Event::Control(_) => None,
            })
            .collect()
    }

    #[test]
    fn live_a_syn_row_waits_for_its_answer_but_not_for_ever() {
        let ms = Duration::from_millis;
        // Answered in time: the same state as read back.
        let (mut a, mut l) = (Analyzer::new(), Lookahead::new());
        assert!(l.push(row(&mut a, 0, true, 10, 0, SYN)).is_empty());
        assert_eq!(states(l.expire(ms(100), LIVE_WAIT)), []);
        let answered = l.push(row(&mut a, 0, false, 50, 11, SYN | ACK));
        assert_eq!(states(answered), [State::SynReceived, State::SynReceived]);
        // No answer within LIVE_WAIT: shown with `?`, and what waited behind it goes on.
        let (mut a, mut l) = (Analyzer::new(), Lookahead::new());
        assert!(l.push(row(&mut a, 0, true, 10, 0, SYN)).is_empty());
        assert_eq!(states(l.expire(ms(499), LIVE_WAIT)), []);
        assert_eq!(states(l.expire(ms(500), LIVE_WAIT)), [State::Unknown]);
        assert!(l.finish().is_empty());
    }

    #[test]
    fn a_connection_joined_after_its_handshake_waits_for_nothing() {
        // Its `?` states are unknown for good: no SYN of it waits for an answer.
        let (mut a, mut l) = (Analyzer::new(), Lookahead::new());
        assert_eq!(states(l.push(row(&mut a, 0, false, 50, 11, PSH | ACK))), [State::Unknown]);
        assert_eq!(states(l.push(row(&mut a, 0, true, 11, 51, ACK))), [State::Unknown]);
        assert!(l.finish().is_empty());
    }

    #[test]
    fn a_syn_never_answered_stays_unknown_and_rows_keep_their_order() {
        let (_, read) = run(&[(0, true, 10, 0, SYN)]);
        assert_eq!(read, [State::Unknown]);
    }
}
