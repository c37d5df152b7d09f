//! tensorflow_model_server's command-line flags, read the way its flag
//! library reads them: `--name=value`, `--name value` or a bare `--name`,
//! with one dash as good as two, and the last setting of a flag winning.
//! `validate` reads them to refuse the flags tfs sets itself; `desire` and
//! readiness to know whether a replica serves REST at all.

/// The flag that sets TF Serving's REST port; 0 turns REST off.
pub const REST_API_PORT: &str = "rest_api_port";

/// One argument read as a flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag<'a> {
    pub name: &'a str,
    /// What follows `=`; None for `--name`, whose value, if it takes one, is the next argument.
    pub value: Option<&'a str>,
}

/// The flag `arg` sets, if it is one: `--name=value`, `--name`, `-name=value` or `-name`.
pub fn parse_flag(arg: &str) -> Option<Flag<'_>> {
    let body = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-'))?;
    Some(match body.split_once('=') {
        Some((name, value)) => Flag {
            name,
            value: Some(value),
        },
        None => Flag {
            name: body,
            value: None,
        },
    })
}

/// The value tensorflow_model_server takes for `--name`: the last of
/// `--name=V`, `--name V`, `-name=V` or `-name V` in `args`.
pub fn flag_value<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    let mut value = None;
    let mut items = args.iter();
    while let Some(arg) = items.next() {
        match parse_flag(arg) {
            Some(flag) if flag.name == name => {
                value = match flag.value {
                    Some(written) => Some(written),
                    None => items.next().map(String::as_str).or(value),
                };
            }
            _ => {}
        }
    }
    value
}

/// False when `args` turn TF Serving's REST API off (`--rest_api_port=0`):
/// the replica then answers gRPC only.
pub fn rest_api_enabled(args: &[String]) -> bool {
    flag_value(args, REST_API_PORT).is_none_or(|port| !is_off(port))
}

/// Whether this one argument turns REST off, in the `--rest_api_port=0`
/// form that `validate` lets through.
pub fn turns_rest_off(arg: &str) -> bool {
    parse_flag(arg).is_some_and(|flag| flag.name == REST_API_PORT && flag.value.is_some_and(is_off))
}

/// A REST port of 0 is TF Serving's way of not listening at all.
fn is_off(port: &str) -> bool {
    port.trim() == "0"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn last_flag_wins_in_every_form() {
        let given = args(&[
            "--rest_api_port=8501",
            "--port=8500",
            "--rest_api_port",
            "0",
        ]);
        assert_eq!(flag_value(&given, "rest_api_port"), Some("0"));
        assert!(!rest_api_enabled(&given));
        assert!(!rest_api_enabled(&args(&["-rest_api_port=0"])));
        assert!(rest_api_enabled(&args(&[
            "--rest_api_port=0",
            "--rest_api_port=9"
        ])));
        assert!(rest_api_enabled(&args(&[
            "--rest_api_port_x=0",
            "--port=0"
        ])));
        assert!(rest_api_enabled(&[]));
    }

    #[test]
    fn one_argument_is_read_as_one_flag() {
        let flag = |name, value| Some(Flag { name, value });
        assert_eq!(parse_flag("--port=8500"), flag("port", Some("8500")));
        assert_eq!(parse_flag("-port=8500"), flag("port", Some("8500")));
        assert_eq!(
            parse_flag("--enable_batching"),
            flag("enable_batching", None)
        );
        assert_eq!(parse_flag("--a=b=c"), flag("a", Some("b=c")));
        assert_eq!(parse_flag("8500"), None);
        assert!(turns_rest_off("--rest_api_port=0"));
        assert!(turns_rest_off("-rest_api_port= 0"));
        assert!(!turns_rest_off("--rest_api_port"));
        assert!(!turns_rest_off("--rest_api_port=8501"));
    }
}
