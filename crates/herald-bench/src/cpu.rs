//! CPU time of the processes that share the machine during a run (Herald, Postgres, NATS and the
//! benchmark itself), from /proc: where the cores went.

use std::time::Instant;

/// Cumulated user + system ticks of each group of processes at one moment.
#[derive(Debug, Clone, Copy)]
pub struct CpuSample {
    at: Instant,
    herald: u64,
    postgres: u64,
    nats: u64,
    bench: u64,
}

/// Average cores used by each group between two samples.
#[derive(Debug, Clone, Copy)]
pub struct CpuShare {
    pub herald: f64,
    pub postgres: f64,
    pub nats: f64,
    pub bench: f64,
}

pub struct CpuMeter {
    ticks_per_second: f64,
}

impl CpuSample {
    pub fn seconds_since(&self, earlier: &CpuSample) -> f64 {
        self.at.duration_since(earlier.at).as_secs_f64()
    }
}

impl CpuMeter {
    pub fn new() -> Self {
        // CLK_TCK is 100 on every Linux this runs on; `getconf` says so when it can.
        let ticks_per_second = std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|out| String::from_utf8(out.stdout).ok())
            .and_then(|text| text.trim().parse::<f64>().ok())
            .filter(|t| *t > 0.0)
            .unwrap_or(100.0);
        Self { ticks_per_second }
    }

    pub fn sample(&self, herald_pid: u32) -> CpuSample {
        let mut sample = CpuSample {
            at: Instant::now(),
            herald: ticks(&format!("/proc/{herald_pid}/stat")).unwrap_or(0),
            postgres: 0,
            nats: 0,
            bench: ticks("/proc/self/stat").unwrap_or(0),
        };
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return sample;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(pid) = name
                .to_str()
                .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
            else {
                continue;
            };
            let Ok(comm) = std::fs::read_to_string(format!("/proc/{pid}/comm")) else {
                continue;
            };
            let group = match comm.trim() {
                "postgres" => &mut sample.postgres,
                "nats-server" => &mut sample.nats,
                _ => continue,
            };
            *group += ticks(&format!("/proc/{pid}/stat")).unwrap_or(0);
        }
        sample
    }

    pub fn share(&self, from: &CpuSample, to: &CpuSample) -> CpuShare {
        let seconds = to.at.duration_since(from.at).as_secs_f64().max(1e-9);
        let cores = |a: u64, b: u64| b.saturating_sub(a) as f64 / self.ticks_per_second / seconds;
        CpuShare {
            herald: cores(from.herald, to.herald),
            postgres: cores(from.postgres, to.postgres),
            nats: cores(from.nats, to.nats),
            bench: cores(from.bench, to.bench),
        }
    }
}

/// utime + stime of /proc/<pid>/stat (fields 14 and 15; the command name may hold spaces).
fn ticks(path: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(path).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// How busy the machine's cores (and its disk: time waiting on I/O counts) were over `over`,
/// from /proc/stat, 0 to 1. A run on a busy machine measures less than Herald can do: right
/// after a cold build, for example, B came out ~25 % lower than a minute later.
pub async fn machine_busy(over: std::time::Duration) -> Option<f64> {
    let first = cpu_times()?;
    tokio::time::sleep(over).await;
    let second = cpu_times()?;
    let total = second.0.saturating_sub(first.0);
    let idle = second.1.saturating_sub(first.1);
    (total > 0).then(|| 1.0 - idle as f64 / total as f64)
}

/// (all ticks, idle ticks) of the machine; iowait counts as busy.
fn cpu_times() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let ticks: Vec<u64> = line
        .split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect();
    let idle = *ticks.get(3)?;
    Some((ticks.iter().sum(), idle))
}
