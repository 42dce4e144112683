//! Helpers the benchmarks share: settings from the environment, the machine they ran on,
//! and percentiles. Benchmarks report ratios against a baseline measured in the same run,
//! since these machines are shared and noisy.

use std::time::Duration;

/// An error a benchmark reports and stops on.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// A whole number from the environment, or `default`.
pub fn env_usize(name: &str, default: usize) -> Result<usize, Error> {
    match std::env::var(name) {
        Ok(text) => text
            .trim()
            .parse()
            .map_err(|_| format!("{name} must be a whole number, got {text:?}").into()),
        Err(_) => Ok(default),
    }
}

/// The CPU model and the number of cores.
pub fn machine() -> (String, usize) {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| {
            line.strip_prefix("model name")
                .and_then(|rest| rest.split_once(':'))
                .map(|(_, name)| name.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    (model, cores)
}

/// Milliseconds with two decimals.
pub fn ms(duration: Duration) -> String {
    format!("{:.2}", duration.as_secs_f64() * 1000.0)
}

/// The `p`-th percentile (0–100) of `samples`, nearest-rank.
pub fn percentile(samples: &mut [Duration], p: usize) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort_unstable();
    let rank = (p * samples.len()).div_ceil(100).clamp(1, samples.len());
    samples[rank - 1]
}

/// Whether this process was started as a benchmark (`cargo bench` passes `--bench`), and
/// not by a test runner listing or running tests.
pub fn started_as_benchmark(name: &str) -> bool {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return false;
    }
    if !args.iter().any(|a| a == "--bench") {
        println!("{name} is a benchmark: run it with `cargo bench -p api-tests --bench {name}`");
        return false;
    }
    true
}
