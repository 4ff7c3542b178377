//! What a server does when accept() fails: retry at once if only that one
//! connection failed, otherwise rest, twice as long after each failure in a row
//! (as mini-redis's `Listener::accept`), and say so once, not ten times a second.

use std::io;
use std::time::{Duration, Instant};

use crate::narrate::{Layer, Narrator};

/// The rest after the first failure in a row; each further failure doubles it, up to [`LONGEST`].
const FIRST: Duration = Duration::from_millis(50);
/// The longest rest: a server out of fds tries again at least this often, so it
/// serves again within this long once clients leave.
const LONGEST: Duration = Duration::from_millis(1600);

/// The state of a server's accept() between failures: how many in a row, and
/// until when the listener rests. Every server keeps one next to its listener.
#[derive(Debug, Default)]
pub struct Backoff {
    /// accept() calls that failed in a row.
    failures: u32,
    /// While the listener rests: until when.
    until: Option<Instant>,
}

impl Backoff {
    /// accept() failed with `e`: how long to rest before the next accept()
    /// (zero: try again at once). The first failure of a run is told, with the
    /// plan; the rest of the run is quiet.
    pub fn failed(&mut self, e: &io::Error, say: Narrator) -> Duration {
        if only_this_connection(e) {
            return Duration::ZERO;
        }
        let rest = FIRST.saturating_mul(1 << self.failures.min(5)).min(LONGEST);
        if self.failures == 0 {
            // EMFILE and ENFILE come before the kernel takes a connection off the queue (do_accept()).
            let queued = if matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE)) {
                ", so the connection stays queued"
            } else {
                ""
            };
            say.warn(
                Layer::L4,
                format!(
                    "accept() failed: {e}{queued}; retrying in {} ms, then twice as long each time (at most {} s), quietly",
                    rest.as_millis(),
                    LONGEST.as_secs_f64()
                ),
            );
        }
        self.failures = self.failures.saturating_add(1);
        self.until = Some(Instant::now() + rest);
        rest
    }

    /// accept() returned a connection: the run of failures, if there was one, is over, and told.
    pub fn worked(&mut self, say: Narrator) {
        if self.failures > 0 {
            say.say(Layer::L4, format!("accept() works again, after {} failed tries", self.failures));
        }
        *self = Backoff::default();
    }

    /// How long the listener still rests after a failure, if it does: an
    /// event loop leaves the listener out of its wait until then.
    pub fn resting(&self) -> Option<Duration> {
        let left = self.until?.saturating_duration_since(Instant::now());
        (!left.is_zero()).then_some(left)
    }
}

/// Errors of one connection, not of the server: the next accept() may well
/// work. EINTR (a signal came); ECONNABORTED (reset while queued, on systems
/// that drop it); and the network errors that accept(2) says Linux passes on
/// from the new connection and should be treated like EAGAIN.
fn only_this_connection(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(
            libc::EINTR
                | libc::ECONNABORTED
                | libc::ENETDOWN
                | libc::EPROTO
                | libc::ENOPROTOOPT
                | libc::EHOSTDOWN
                | libc::ENONET
                | libc::EHOSTUNREACH
                | libc::EOPNOTSUPP
                | libc::ENETUNREACH
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::{ColorChoice, OutputArgs};

    fn quiet() -> Narrator {
        Narrator::new(&OutputArgs { quiet: true, color: ColorChoice::Never })
    }

    #[test]
    fn each_failure_in_a_row_doubles_the_rest_up_to_the_longest() {
        let (mut backoff, say) = (Backoff::default(), quiet());
        let emfile = io::Error::from_raw_os_error(libc::EMFILE);
        let rests: Vec<u128> = (0..8).map(|_| backoff.failed(&emfile, say).as_millis()).collect();
        assert_eq!(rests, [50, 100, 200, 400, 800, 1600, 1600, 1600]);
        assert!(backoff.resting().is_some_and(|left| left > Duration::from_millis(1500)));
        backoff.worked(say);
        assert_eq!(backoff.resting(), None);
        assert_eq!(backoff.failed(&emfile, say), FIRST, "a new run starts short again");
    }

    #[test]
    fn a_failure_of_one_connection_is_retried_at_once() {
        let (mut backoff, say) = (Backoff::default(), quiet());
        for errno in [libc::ECONNABORTED, libc::EINTR, libc::EPROTO] {
            assert_eq!(backoff.failed(&io::Error::from_raw_os_error(errno), say), Duration::ZERO);
        }
        assert_eq!(backoff.resting(), None);
    }
}
