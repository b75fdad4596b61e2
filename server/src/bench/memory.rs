//! Peak resident memory of this process, from Linux's `/proc/self` (elsewhere: not measured).

/// Resets the kernel's peak-RSS mark (Linux: writing 5 to clear_refs) and returns the resident
/// memory it starts from: the allocator keeps what seeding used, so peaks are shown above it.
pub fn reset_peak() -> Option<u64> {
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    status_kb("VmRSS:")
}

/// The peak resident memory since the last reset, in KB.
pub fn peak() -> Option<u64> {
    status_kb("VmHWM:")
}

/// How far resident memory rose above `floor` since the last reset, in KB.
pub fn growth(floor: Option<u64>) -> Option<u64> {
    Some(peak()?.saturating_sub(floor?))
}

fn status_kb(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A growth as the reports print it.
pub fn show(kb: Option<u64>) -> String {
    kb.map_or_else(|| "无法测得".into(), |k| format!("+{} MB", k >> 10))
}
