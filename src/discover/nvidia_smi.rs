use anyhow::{bail, Context};

use super::gpu::{Gpu, GpuInventory, NotInstalled};

/// GPU discovery through the `nvidia-smi` command, for hosts where NVML
/// cannot be loaded by this process but the driver tools work.
pub struct NvidiaSmiInventory;

const QUERY: [&str; 2] = [
    "--query-gpu=index,uuid,name,memory.total",
    "--format=csv,noheader,nounits",
];

impl GpuInventory for NvidiaSmiInventory {
    fn source(&self) -> &'static str {
        "nvidia-smi"
    }

    fn list(&self) -> anyhow::Result<Vec<Gpu>> {
        let output = match std::process::Command::new("nvidia-smi")
            .args(QUERY)
            .output()
        {
            Ok(output) => output,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(NotInstalled("nvidia-smi is not on PATH".to_string()).into())
            }
            Err(error) => return Err(error).context("cannot run nvidia-smi"),
        };
        if !output.status.success() {
            // nvidia-smi prints its own failures ("couldn't communicate with the NVIDIA driver") on stdout.
            let stderr = String::from_utf8_lossy(&output.stderr);
            let stdout = String::from_utf8_lossy(&output.stdout);
            let said = [stderr.trim(), stdout.trim()]
                .into_iter()
                .find(|text| !text.is_empty())
                .unwrap_or("no message");
            bail!("nvidia-smi failed ({}): {said}", output.status);
        }
        parse(&String::from_utf8_lossy(&output.stdout))
    }
}

/// Parses `index, uuid, name, memory.total` CSV lines.
pub fn parse(text: &str) -> anyhow::Result<Vec<Gpu>> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            let [index, uuid, name, memory] = fields[..] else {
                bail!("unexpected nvidia-smi line: {line:?}");
            };
            Ok(Gpu {
                index: index
                    .parse()
                    .with_context(|| format!("bad GPU index in {line:?}"))?,
                uuid: uuid.to_string(),
                name: name.to_string(),
                memory_total_mib: memory.parse().unwrap_or(0),
                memory_used_mib: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn parses_csv_rows() {
        let gpus = parse("0, GPU-aaaa, NVIDIA H100 80GB HBM3, 81559\n1, GPU-bbbb, NVIDIA H100 80GB HBM3, 81559\n").unwrap();
        assert_eq!(gpus.len(), 2);
        assert_eq!(gpus[1].index, 1);
        assert_eq!(gpus[1].uuid, "GPU-bbbb");
        assert_eq!(gpus[0].memory_total_mib, 81559);
    }

    #[test]
    fn rejects_a_short_row() {
        assert!(parse("0, GPU-aaaa\n").is_err());
    }
}
