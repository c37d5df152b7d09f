//! One line of `tfs doctor`: what was checked, how it went, and what to do.

use serde::Serialize;

/// What a check is about; its JSON name is the snake_case variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    FleetFile,
    Docker,
    Gpus,
    DeviceRequests,
    ServingImage,
    BalancerImage,
    BalancerAddresses,
    ModelDirectories,
    Lock,
}

impl Subject {
    /// The words a person reads.
    pub fn title(self) -> &'static str {
        match self {
            Subject::FleetFile => "fleet file",
            Subject::Docker => "Docker",
            Subject::Gpus => "GPUs",
            Subject::DeviceRequests => "GPU device requests",
            Subject::ServingImage => "serving image",
            Subject::BalancerImage => "balancer image",
            Subject::BalancerAddresses => "balancer addresses",
            Subject::ModelDirectories => "model directories",
            Subject::Lock => "lock",
        }
    }
}

/// How a check went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
    /// Not run: not needed (a CPU fleet has no GPU checks), or it could not
    /// run after another check failed.
    Skip,
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    #[serde(rename = "name")]
    pub subject: Subject,
    #[serde(rename = "status")]
    pub verdict: Verdict,
    pub detail: String,
    /// What to do; set when the check failed (and on some skips).
    pub fix: Option<String>,
}

impl Check {
    pub fn pass(subject: Subject, detail: impl Into<String>) -> Self {
        Self::new(subject, Verdict::Pass, detail.into(), None)
    }

    pub fn fail(subject: Subject, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::new(subject, Verdict::Fail, detail.into(), Some(fix.into()))
    }

    pub fn skip(subject: Subject, detail: impl Into<String>) -> Self {
        Self::new(subject, Verdict::Skip, detail.into(), None)
    }

    fn new(subject: Subject, verdict: Verdict, detail: String, fix: Option<String>) -> Self {
        Self {
            subject,
            verdict,
            detail,
            fix,
        }
    }
}
