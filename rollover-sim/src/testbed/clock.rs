//! The compressed clock: scenario time runs `speedup` times faster than the
//! wall clock, from the scenario's start at the moment the test bed starts.

use crate::clock::{Duration, Instant};
use std::time::{SystemTime, UNIX_EPOCH};

/// Wall-clock seconds since the Unix epoch, with sub-second precision.
pub fn wall_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

#[derive(Debug, Clone, Copy)]
pub struct Compressed {
    /// Wall time (Unix seconds) at which scenario time `sim0` was "now".
    pub wall0: f64,
    pub sim0: Instant,
    pub speedup: f64,
}

impl Compressed {
    pub fn start(sim0: Instant, speedup: f64) -> Compressed {
        Compressed {
            wall0: wall_now(),
            sim0,
            speedup,
        }
    }
    /// Scenario time now.
    pub fn sim_now(&self) -> Instant {
        self.sim_at(wall_now())
    }
    pub fn sim_at(&self, wall: f64) -> Instant {
        self.sim0 + ((wall - self.wall0) * self.speedup).floor() as Instant
    }
    /// Wall time (Unix seconds) at which scenario time `t` comes.
    pub fn wall_at(&self, t: Instant) -> f64 {
        self.wall0 + (t - self.sim0) as f64 / self.speedup
    }
    /// A scenario duration in whole wall seconds, at least 1.
    pub fn wall_secs(&self, d: Duration) -> u64 {
        ((d as f64 / self.speedup).round() as u64).max(1)
    }
    /// Sleeps until scenario time `t` (returns at once if it has passed).
    pub fn sleep_until(&self, t: Instant) {
        let dt = self.wall_at(t) - wall_now();
        if dt > 0.0 {
            std::thread::sleep(std::time::Duration::from_secs_f64(dt));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_both_ways() {
        let c = Compressed {
            wall0: 1000.0,
            sim0: 1_700_000_000,
            speedup: 3600.0,
        };
        assert_eq!(c.sim_at(1001.0), 1_700_003_600);
        assert_eq!(c.wall_at(1_700_007_200), 1002.0);
        assert_eq!(c.wall_secs(86_400), 24);
        assert_eq!(c.wall_secs(10), 1, "never below one second");
    }
}
