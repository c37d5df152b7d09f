//! A small protobuf text-format reader: enough for TF Serving's model config,
//! monitoring config and batching parameters files. It keeps the field tree
//! without a schema; callers pick the fields they know.

/// One field value: a scalar (kept as text, quotes removed) or a nested message.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar(String),
    Message(Message),
}

/// A message: its fields in file order (repeated fields appear repeatedly).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Message {
    pub fields: Vec<(String, Value)>,
}

impl Message {
    /// All nested messages named `name`.
    pub fn messages<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Message> + 'a {
        self.fields.iter().filter_map(move |(n, v)| match v {
            Value::Message(m) if n == name => Some(m),
            _ => None,
        })
    }

    /// The last nested message named `name`.
    pub fn message(&self, name: &str) -> Option<&Message> {
        self.fields.iter().rev().find_map(|(n, v)| match v {
            Value::Message(m) if n == name => Some(m),
            _ => None,
        })
    }

    /// All scalars named `name`.
    pub fn scalars<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields.iter().filter_map(move |(n, v)| match v {
            Value::Scalar(s) if n == name => Some(s.as_str()),
            _ => None,
        })
    }

    /// The last scalar named `name` (proto semantics: the last one wins).
    pub fn scalar(&self, name: &str) -> Option<&str> {
        self.fields.iter().rev().find_map(|(n, v)| match v {
            Value::Scalar(s) if n == name => Some(s.as_str()),
            _ => None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Punct(char),
}

fn tokenize(text: &str) -> Result<Vec<Tok>, String> {
    let mut toks = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() || c == ',' || c == ';' {
            chars.next();
        } else if c == '#' {
            for c in chars.by_ref() {
                if c == '\n' {
                    break;
                }
            }
        } else if "{}<>:[]".contains(c) {
            toks.push(Tok::Punct(c));
            chars.next();
        } else if c == '"' || c == '\'' {
            chars.next();
            let mut s = String::new();
            loop {
                match chars.next() {
                    None => return Err("unterminated string".into()),
                    Some(q) if q == c => break,
                    Some('\\') => match chars.next() {
                        Some('n') => s.push('\n'),
                        Some('t') => s.push('\t'),
                        Some(e) => s.push(e),
                        None => return Err("unterminated string".into()),
                    },
                    Some(o) => s.push(o),
                }
            }
            toks.push(Tok::Str(s));
        } else if c.is_alphanumeric() || "_-+.".contains(c) {
            let mut s = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_alphanumeric() || "_-+.".contains(c) {
                    s.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
            toks.push(Tok::Ident(s));
        } else {
            return Err(format!("unexpected character '{c}'"));
        }
    }
    Ok(toks)
}

/// Parses a whole text-format document into its top-level message.
pub fn parse(text: &str) -> Result<Message, String> {
    let toks = tokenize(text)?;
    let mut pos = 0;
    let msg = parse_fields(&toks, &mut pos, None)?;
    Ok(msg)
}

fn parse_fields(toks: &[Tok], pos: &mut usize, close: Option<char>) -> Result<Message, String> {
    let mut msg = Message::default();
    loop {
        let name = match toks.get(*pos) {
            None if close.is_none() => return Ok(msg),
            None => return Err("unexpected end of input: missing '}'".into()),
            Some(Tok::Punct(c)) if Some(*c) == close => {
                *pos += 1;
                return Ok(msg);
            }
            Some(Tok::Ident(n)) => n.clone(),
            Some(t) => return Err(format!("expected a field name, found {t:?}")),
        };
        *pos += 1;
        let colon = matches!(toks.get(*pos), Some(Tok::Punct(':')));
        if colon {
            *pos += 1;
        }
        if let Some(Tok::Punct('[')) = toks.get(*pos) {
            *pos += 1;
            while !matches!(toks.get(*pos), Some(Tok::Punct(']'))) {
                let v = parse_value(toks, pos, &name, colon)?;
                msg.fields.push((name.clone(), v));
            }
            *pos += 1;
        } else {
            let v = parse_value(toks, pos, &name, colon)?;
            msg.fields.push((name, v));
        }
    }
}

fn parse_value(toks: &[Tok], pos: &mut usize, name: &str, colon: bool) -> Result<Value, String> {
    let tok = toks.get(*pos).cloned();
    *pos += 1;
    match tok {
        Some(Tok::Punct('{')) => Ok(Value::Message(parse_fields(toks, pos, Some('}'))?)),
        Some(Tok::Punct('<')) => Ok(Value::Message(parse_fields(toks, pos, Some('>'))?)),
        Some(Tok::Ident(s)) if colon => Ok(Value::Scalar(s)),
        Some(Tok::Str(s)) if colon => {
            let mut s = s;
            // Adjacent string literals concatenate.
            while let Some(Tok::Str(more)) = toks.get(*pos) {
                s.push_str(more);
                *pos += 1;
            }
            Ok(Value::Scalar(s))
        }
        Some(t) => Err(format!("bad value for field '{name}': {t:?}")),
        None => Err(format!("missing value for field '{name}'")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_config_list() {
        let m = parse(
            "model_config_list {\n  config {\n    name: 'a'\n    base_path: \"/models/a\"\n    \
             model_platform: 'tensorflow'\n    model_version_policy { specific { versions: 123 \
             versions: 124 } }\n  }\n  config: { name: 'b', base_path: '/models/b' }\n}\n",
        )
        .unwrap();
        let list = m.message("model_config_list").unwrap();
        let configs: Vec<_> = list.messages("config").collect();
        assert_eq!(configs.len(), 2);
        assert_eq!(configs[0].scalar("name"), Some("a"));
        assert_eq!(configs[0].scalar("base_path"), Some("/models/a"));
        let specific = configs[0]
            .message("model_version_policy")
            .and_then(|p| p.message("specific"))
            .unwrap();
        assert_eq!(
            specific.scalars("versions").collect::<Vec<_>>(),
            ["123", "124"]
        );
        assert_eq!(configs[1].scalar("base_path"), Some("/models/b"));
    }

    #[test]
    fn comments_commas_lists_and_angle_brackets() {
        let m =
            parse("# c\nprometheus_config < enable: true, path: \"/p\" > x: [1, 2]; y: 'q' \"r\"")
                .unwrap();
        let p = m.message("prometheus_config").unwrap();
        assert_eq!(p.scalar("enable"), Some("true"));
        assert_eq!(p.scalar("path"), Some("/p"));
        assert_eq!(m.scalars("x").collect::<Vec<_>>(), ["1", "2"]);
        assert_eq!(m.scalar("y"), Some("qr"));
    }

    #[test]
    fn batching_parameters() {
        let m = parse("max_batch_size { value: 128 }\nbatch_timeout_micros { value: 0 }").unwrap();
        assert_eq!(
            m.message("max_batch_size").unwrap().scalar("value"),
            Some("128")
        );
    }

    #[test]
    fn last_scalar_wins_and_empty_is_ok() {
        assert_eq!(parse("a: 1 a: 2").unwrap().scalar("a"), Some("2"));
        assert_eq!(parse("  \n# only a comment\n").unwrap(), Message::default());
    }

    #[test]
    fn errors() {
        assert!(parse("config {").is_err());
        assert!(parse("name: 'x").is_err());
        assert!(parse("}").is_err());
        assert!(parse("name 'x'").is_err());
        assert!(parse("a: {").is_err());
        assert!(parse("a: $").is_err());
    }
}
