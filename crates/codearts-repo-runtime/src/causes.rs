//! An error's message with its chain of causes, in one line, for messages that must say
//! why (a transport error's "connection refused" sits several sources down).

/// The message of `error` followed by each cause's that it does not already contain,
/// joined by `: `.
pub fn with_causes(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}
