//! Checks of `[batching]`, TF Serving's BatchingParameters: each number in
//! a range TF Serving can use, and `allowed_batch_sizes` as TF Serving's
//! batching session requires it (increasing, the last equal to
//! `max_batch_size`), so that a replica does not fail to load its models.

use toml::Spanned;

use super::checker::Checker;
use super::fleet::Batching;
use super::fleet_file::BatchingSection;

/// The largest batch tfs accepts; far beyond any accelerator's memory.
const LARGEST_BATCH: i64 = 1_000_000;

/// `[batching]` checked; None after reporting what is wrong.
pub fn check_batching(section: &BatchingSection, checker: &mut Checker) -> Option<Batching> {
    let mut valid = true;
    let mut number = |value: &Option<Spanned<i64>>, low: i64, high: i64, key: &str| {
        let value = value.as_ref()?;
        let checked = checker.number(value, low..=high, key).map(u64::from);
        valid &= checked.is_some();
        checked
    };
    let max_batch_size = number(&section.max_batch_size, 1, LARGEST_BATCH, "max_batch_size");
    let batch_timeout_micros = number(
        &section.batch_timeout_micros,
        0,
        60_000_000,
        "batch_timeout_micros",
    );
    let max_enqueued_batches = number(
        &section.max_enqueued_batches,
        1,
        1_000_000,
        "max_enqueued_batches",
    );
    let num_batch_threads = number(&section.num_batch_threads, 1, 1024, "num_batch_threads");
    let allowed_batch_sizes = match &section.allowed_batch_sizes {
        Some(sizes) => check_allowed_batch_sizes(
            sizes,
            section.max_batch_size.as_ref(),
            max_batch_size,
            checker,
        ),
        None => Some(Vec::new()),
    };
    if !valid {
        return None;
    }
    Some(Batching {
        max_batch_size,
        batch_timeout_micros,
        max_enqueued_batches,
        num_batch_threads,
        allowed_batch_sizes: allowed_batch_sizes?,
        pad_variable_length_inputs: section.pad_variable_length_inputs,
    })
}

/// `allowed_batch_sizes`: each in range and larger than the one before,
/// the last equal to `max_batch_size` (`written` as in the file, `checked`
/// when it passed its own check).
fn check_allowed_batch_sizes(
    sizes: &Spanned<Vec<Spanned<i64>>>,
    written: Option<&Spanned<i64>>,
    checked: Option<u64>,
    checker: &mut Checker,
) -> Option<Vec<u64>> {
    let Some(last) = sizes.get_ref().last() else {
        checker.error(
            sizes.span(),
            "`allowed_batch_sizes` is empty",
            "list the batch sizes TF Serving may pad a batch up to, ending at `max_batch_size`, or remove `allowed_batch_sizes` to allow every size",
        );
        return None;
    };
    let mut allowed: Vec<u64> = Vec::new();
    for size in sizes.get_ref() {
        let number = u64::from(checker.number(size, 1..=LARGEST_BATCH, "allowed_batch_sizes")?);
        if let Some(&before) = allowed.last() {
            if number <= before {
                checker.error(
                    size.span(),
                    format!("`allowed_batch_sizes` is not increasing: {number} after {before}"),
                    "TF Serving requires each allowed batch size to be larger than the one before, e.g. [8, 16, 32]",
                );
                return None;
            }
        }
        allowed.push(number);
    }
    let largest = *allowed.last()?;
    let Some(written) = written else {
        checker.error(
            sizes.span(),
            "`allowed_batch_sizes` without `max_batch_size`",
            format!("TF Serving requires the last allowed batch size to equal `max_batch_size`: add `max_batch_size = {largest}`"),
        );
        return None;
    };
    // A `max_batch_size` out of range is reported on its own.
    let max_batch_size = checked?;
    if largest != max_batch_size {
        checker.error(
            last.span(),
            format!(
                "the last of `allowed_batch_sizes` is {largest}, not `max_batch_size` ({max_batch_size})"
            ),
            format!(
                "TF Serving requires the last allowed batch size to equal `max_batch_size` (line {}): end the list with {max_batch_size}, or set `max_batch_size = {largest}`",
                checker.source.position(written.span().start).line
            ),
        );
        return None;
    }
    Some(allowed)
}
