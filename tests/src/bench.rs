//! Helpers the benchmarks share: settings from the environment, the machine they ran on,
//! and percentiles. Benchmarks report ratios against a baseline measured in the same run,
//! since these machines are shared and noisy.

use std::time::Duration;

/// An error a benchmark reports and stops on.
pub type Error = bench::BoxError;

/// A whole number from the environment, or `default`.
pub use bench::env_number as env_usize;

/// Milliseconds with two decimals.
pub use bench::ms;

/// The CPU model and the number of cores.
pub fn machine() -> (String, usize) {
    let machine = bench::Machine::detect();
    (machine.cpu, machine.cores)
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
