//! Error chains in words, without repeating a cause that its parent's
//! message already quotes (many libraries embed their source's text).

/// The messages of an error and its causes, with repeats dropped.
pub fn messages(error: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut messages: Vec<String> = Vec::new();
    let mut current = Some(error);
    while let Some(error) = current {
        let text = error.to_string();
        if !messages
            .last()
            .is_some_and(|previous| previous.contains(&text))
        {
            messages.push(text);
        }
        current = error.source();
    }
    messages
}

/// One line: "context: cause: root cause".
pub fn one_line(error: &anyhow::Error) -> String {
    messages(error.as_ref()).join(": ")
}
