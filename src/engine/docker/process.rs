//! Commands and logs of containers.

use std::time::Duration;

use anyhow::{Context, Result};
use bollard::exec::{CreateExecOptions, StartExecResults};
use bollard::query_parameters::LogsOptionsBuilder;
use futures_util::stream::BoxStream;
use futures_util::StreamExt;

use super::{is_not_found, wrap, Docker};
use crate::engine::ExecOutput;

/// How often an exec that ended its output is asked again for its exit
/// code, 20 ms apart: at most 5 s.
const EXIT_CODE_TRIES: u32 = 250;

impl Docker {
    pub(super) async fn run_exec(&self, container: &str, command: &[&str]) -> Result<ExecOutput> {
        let options = CreateExecOptions {
            cmd: Some(command.iter().map(|part| part.to_string()).collect()),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            ..Default::default()
        };
        let context = || format!("running `{}` in {container}", command.join(" "));
        let created = self
            .client
            .create_exec(container, options)
            .await
            .map_err(wrap)
            .with_context(context)?;
        let mut output = String::new();
        if let StartExecResults::Attached {
            output: mut stream, ..
        } = self
            .client
            .start_exec(&created.id, None)
            .await
            .map_err(wrap)
            .with_context(context)?
        {
            while let Some(chunk) = stream.next().await {
                output.push_str(&chunk.map_err(wrap).with_context(context)?.to_string());
            }
        }
        // The output can end a moment before Docker records the exit
        // code (a busy daemon inspected at once still says running).
        let mut tries = 0;
        let exit_code = loop {
            let inspect = self
                .client
                .inspect_exec(&created.id)
                .await
                .map_err(wrap)
                .with_context(context)?;
            match inspect.exit_code {
                Some(code) if inspect.running != Some(true) => break code,
                _ if tries >= EXIT_CODE_TRIES => break -1,
                _ => tries += 1,
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        Ok(ExecOutput { exit_code, output })
    }

    pub(super) async fn tail_logs(&self, container: &str, lines: usize) -> Result<String> {
        let tail = lines.to_string();
        let options = LogsOptionsBuilder::new()
            .stdout(true)
            .stderr(true)
            .tail(&tail)
            .build();
        let mut stream = self.client.logs(container, Some(options));
        let mut text = String::new();
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(chunk) => text.push_str(&chunk.to_string()),
                Err(error) if is_not_found(&error) => break,
                Err(error) => {
                    return Err(wrap(error)).with_context(|| format!("reading logs of {container}"))
                }
            }
        }
        Ok(text)
    }

    pub(super) fn stream_logs(
        &self,
        container: &str,
        follow: bool,
        tail: Option<usize>,
    ) -> BoxStream<'_, Result<String>> {
        let tail = tail.map_or_else(|| "all".to_string(), |lines| lines.to_string());
        let options = LogsOptionsBuilder::new()
            .stdout(true)
            .stderr(true)
            .follow(follow)
            .tail(&tail)
            .build();
        let name = container.to_string();
        self.client
            .logs(container, Some(options))
            .map(move |chunk| {
                chunk
                    .map(|chunk| chunk.to_string())
                    .map_err(wrap)
                    .with_context(|| format!("reading logs of {name}"))
            })
            .boxed()
    }
}

impl Docker {
    /// The `exitCode` of the container's last `die` event within `within`.
    pub(super) async fn last_death(
        &self,
        container: &str,
        within: std::time::Duration,
    ) -> Result<Option<i64>> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let since = now.saturating_sub(within).as_secs().to_string();
        let until = now.as_secs().to_string();
        let filters = std::collections::HashMap::from([
            ("container", vec![container]),
            ("event", vec!["die"]),
        ]);
        let options = bollard::query_parameters::EventsOptionsBuilder::new()
            .since(&since)
            .until(&until)
            .filters(&filters)
            .build();
        let mut events = self.client.events(Some(options));
        let mut code = None;
        while let Some(event) = events.next().await {
            let event = event
                .map_err(wrap)
                .with_context(|| format!("reading the events of {container}"))?;
            code = event
                .actor
                .and_then(|actor| actor.attributes)
                .and_then(|attributes| attributes.get("exitCode").cloned())
                .and_then(|text| text.parse().ok())
                .or(code);
        }
        Ok(code)
    }
}
