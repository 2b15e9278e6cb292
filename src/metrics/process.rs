//! Process metrics read from `/proc/self` on every scrape: resident memory, open file
//! descriptors and their limit, and CPU time (Linux only; elsewhere they are left out).

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;

/// Collects the process metrics when `/metrics` is scraped.
#[derive(Debug)]
pub(super) struct ProcessCollector;

/// What `/proc/self` says of this process.
#[derive(Debug, Default, PartialEq)]
struct Reading {
    resident_bytes: Option<i64>,
    open_fds: Option<i64>,
    max_fds: Option<i64>,
    cpu_seconds: Option<f64>,
}

fn read() -> Reading {
    // SAFETY: sysconf only reads system configuration values.
    let (page, ticks) = unsafe {
        (
            libc::sysconf(libc::_SC_PAGESIZE),
            libc::sysconf(libc::_SC_CLK_TCK),
        )
    };
    let statm = std::fs::read_to_string("/proc/self/statm").ok();
    let stat = std::fs::read_to_string("/proc/self/stat").ok();
    let limits = std::fs::read_to_string("/proc/self/limits").ok();
    Reading {
        resident_bytes: statm
            .as_deref()
            .and_then(|s| s.split_whitespace().nth(1)?.parse::<i64>().ok())
            .map(|pages| pages * page),
        open_fds: std::fs::read_dir("/proc/self/fd")
            .ok()
            .map(|dir| dir.count() as i64),
        max_fds: limits.as_deref().and_then(|l| {
            l.lines()
                .find(|line| line.starts_with("Max open files"))?
                .split_whitespace()
                .nth(3)?
                .parse()
                .ok()
        }),
        // Fields 14 and 15 (utime, stime) of stat, after the command name in parentheses.
        cpu_seconds: stat.as_deref().and_then(|s| {
            let mut fields = s.rsplit_once(')')?.1.split_whitespace().skip(11);
            let user: f64 = fields.next()?.parse().ok()?;
            let system: f64 = fields.next()?.parse().ok()?;
            (ticks > 0).then(|| (user + system) / ticks as f64)
        }),
    }
}

impl Collector for ProcessCollector {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> Result<(), std::fmt::Error> {
        let reading = read();
        let gauges = [
            (
                "process_resident_memory_bytes",
                "Resident memory of the process in bytes",
                reading.resident_bytes,
            ),
            (
                "process_open_fds",
                "Open file descriptors",
                reading.open_fds,
            ),
            (
                "process_max_fds",
                "Most file descriptors the process may open",
                reading.max_fds,
            ),
        ];
        for (name, help, value) in gauges {
            if let Some(value) = value {
                let gauge = ConstGauge::new(value);
                gauge.encode(encoder.encode_descriptor(
                    name,
                    help,
                    None,
                    gauge.metric_type(),
                )?)?;
            }
        }
        if let Some(seconds) = reading.cpu_seconds {
            let counter = ConstCounter::new(seconds);
            counter.encode(encoder.encode_descriptor(
                "process_cpu_seconds",
                "User and system CPU time of the process in seconds",
                None,
                counter.metric_type(),
            )?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        let reading = read();
        assert!(reading.resident_bytes.unwrap() > 1 << 20, "{reading:?}");
        assert!(reading.open_fds.unwrap() >= 3, "{reading:?}");
        assert!(reading.max_fds.unwrap() >= reading.open_fds.unwrap());
        assert!(reading.cpu_seconds.unwrap() >= 0.0);
    }
}
