//! What the database is for: an input (`--use`, a targets file's `use`), judged by checks.

/// What the database is used for (`--use`), which decides the right eviction policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Everything can be recomputed.
    Cache,
    /// Jobs that must not vanish (BullMQ, Sidekiq, Celery…).
    Queue,
    /// Sessions that must not vanish before their TTL.
    Session,
    /// Some of each.
    Mixed,
}

impl Workload {
    /// The `--use` value.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Cache => "cache",
            Workload::Queue => "queue",
            Workload::Session => "session",
            Workload::Mixed => "mixed",
        }
    }
}
