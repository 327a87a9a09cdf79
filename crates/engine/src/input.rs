//! Reading an input against its type and finding every field that does not fit, not only the
//! first: a form or an API client with three mistakes hears about all three at once.
//!
//! serde stops at the first value it cannot read. So the input is read again and again: a
//! field refused is taken out of it, and a required field that is missing (serde names those
//! only once every present value reads) gets a stand-in value, until the whole input reads or
//! nothing more can be learnt. Only the refusals are kept; the value read from a changed input
//! is never used.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use serde_path_to_error::Segment;

/// One field the input's type refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadField {
    /// Where, as serde_path_to_error writes it: `org_name`, `legal_address.country`,
    /// `scopes[1]`, or `.` for the input itself.
    pub path: String,
    /// The field missing there, for serde's "missing field" (its path is `path.missing`).
    pub missing: Option<String>,
    /// serde's message.
    pub message: String,
}

impl BadField {
    /// The field at fault, dotted: the missing field's full path, or `path`.
    pub fn field(&self) -> String {
        match &self.missing {
            Some(missing) if self.path == "." => missing.clone(),
            Some(missing) => format!("{}.{missing}", self.path),
            None => self.path.clone(),
        }
    }
}

/// More readings than this and the input is given up on with what was found (an input has
/// far fewer fields; the bound only guards against a type that never settles).
const MAX_READINGS: usize = 64;

/// What a missing field is given, in turn, so that the fields after it can be read: one of
/// these fits most types (texts, numbers, flags, objects with defaults, lists, months, days,
/// instants); an enum's own first name is tried when serde offers it.
const STAND_INS: [&str; 8] = [
    r#""""#,
    "0",
    "false",
    "{}",
    "[]",
    r#""2000-01""#,
    r#""2000-01-01""#,
    r#""2000-01-01T00:00:00Z""#,
];

/// `value` read as `T`, or every field of it that `T` refuses (in the order found).
pub fn parse_each_field<T: DeserializeOwned>(value: Value) -> Result<T, Vec<BadField>> {
    let mut input = value;
    let mut bad: Vec<BadField> = Vec::new();
    // Missing fields given a stand-in: their path and how many stand-ins were tried.
    let mut standing_in: Vec<(Vec<String>, usize)> = Vec::new();
    for _ in 0..MAX_READINGS {
        let error = match serde_path_to_error::deserialize::<_, T>(input.clone()) {
            Ok(read) if bad.is_empty() => return Ok(read),
            Ok(_) => return Err(bad),
            Err(error) => error,
        };
        let segments: Vec<Segment> = error.path().iter().cloned().collect();
        let found = BadField {
            path: error.path().to_string(),
            missing: None,
            message: error.into_inner().to_string(),
        };
        let keys = map_keys(&segments);
        if let Some(stand_in) = standing_in
            .iter_mut()
            .find(|(path, _)| keys.starts_with(path))
        {
            // The stand-in did not fit that field: the next one.
            stand_in.1 += 1;
            let fits = stand_in_value(stand_in.1, &found.message)
                .is_some_and(|next| put(&mut input, &stand_in.0, next));
            if !fits {
                break;
            }
            continue;
        }
        let Some(missing) = missing_field(&found.message).map(str::to_owned) else {
            // A value that does not fit: taken out (a list whole), then read again.
            bad.push(found);
            if !take_out(&mut input, &keys) {
                break;
            }
            continue;
        };
        let mut path = keys;
        path.push(missing.clone());
        let missing = BadField {
            missing: Some(missing),
            ..found
        };
        let field = missing.field();
        let already = bad.iter().any(|known| {
            let known = known.field();
            known == field
                || known.starts_with(&format!("{field}."))
                || known.starts_with(&format!("{field}["))
        });
        if !already {
            bad.push(missing);
        }
        let fits = stand_in_value(0, "").is_some_and(|first| put(&mut input, &path, first));
        if !fits {
            break;
        }
        standing_in.push((path, 0));
    }
    Err(bad)
}

/// serde names a missing field only in its message: "missing field `org_name`".
pub(crate) fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

/// The object keys leading to a refused value, up to the first list or enum on the way (a
/// value inside a list is taken out with its list); empty for the input itself.
fn map_keys(segments: &[Segment]) -> Vec<String> {
    segments
        .iter()
        .map_while(|segment| match segment {
            Segment::Map { key } => Some(key.clone()),
            _ => None,
        })
        .collect()
}

/// The `attempt`-th stand-in; after an enum refused one ("unknown variant ``, expected one of
/// `open`, …"), that enum's first variant.
fn stand_in_value(attempt: usize, refusal: &str) -> Option<Value> {
    if attempt > STAND_INS.len() {
        return None;
    }
    if refusal.starts_with("unknown variant") {
        let variant = refusal
            .split_once("expected one of `")
            .or_else(|| refusal.split_once("expected `"))
            .and_then(|(_, rest)| rest.split('`').next());
        if let Some(variant) = variant {
            return Some(Value::String(variant.to_owned()));
        }
    }
    STAND_INS
        .get(attempt)
        .and_then(|text| serde_json::from_str(text).ok())
}

/// Removes the value at `keys`; false when there is none.
fn take_out(input: &mut Value, keys: &[String]) -> bool {
    let Some((last, parents)) = keys.split_last() else {
        return false;
    };
    object_at(input, parents).is_some_and(|object| object.remove(last).is_some())
}

/// Sets the value at `keys` (its parent objects must exist); false when they do not.
fn put(input: &mut Value, keys: &[String], value: Value) -> bool {
    let Some((last, parents)) = keys.split_last() else {
        return false;
    };
    match object_at(input, parents) {
        Some(object) => {
            object.insert(last.clone(), value);
            true
        }
        None => false,
    }
}

fn object_at<'v>(input: &'v mut Value, keys: &[String]) -> Option<&'v mut Map<String, Value>> {
    let mut at = input;
    for key in keys {
        at = at.as_object_mut()?.get_mut(key)?;
    }
    at.as_object_mut()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)] // read only to be refused
    struct Address {
        city: String,
        zip: u32,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    #[allow(dead_code)]
    enum Mode {
        Postpaid,
        Prepaid,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Signup {
        name: String,
        age: u32,
        #[serde(default)]
        admin: bool,
        mode: Mode,
        address: Address,
        tags: Option<Vec<String>>,
    }

    fn fields(value: Value) -> Vec<String> {
        parse_each_field::<Signup>(value)
            .unwrap_err()
            .iter()
            .map(BadField::field)
            .collect()
    }

    #[test]
    fn every_field_that_does_not_fit_is_named_once() {
        for (input, expected) in [
            (
                json!({"name": 1, "age": "x", "admin": "yes", "mode": "prepaid",
                       "address": {"city": "Rome", "zip": 1}}),
                vec!["name", "age", "admin"],
            ),
            (json!({}), vec!["name", "age", "mode", "address"]),
            (
                json!({"name": "A", "age": 3, "mode": "weekly", "address": {"zip": "x"}}),
                vec!["mode", "address.zip", "address.city"],
            ),
            (
                json!({"name": "A", "age": 3, "mode": "prepaid", "address": {"city": "R", "zip": 1},
                       "tags": ["a", 2, 3]}),
                vec!["tags[1]"],
            ),
        ] {
            assert_eq!(fields(input.clone()), expected, "{input}");
        }
    }

    #[test]
    fn a_good_input_reads_and_the_input_itself_is_one_refusal() {
        let read: Signup = parse_each_field(json!({"name": "A", "age": 3, "mode": "postpaid",
            "address": {"city": "R", "zip": 1}}))
        .unwrap();
        assert_eq!(read.name, "A");
        let refused = parse_each_field::<Signup>(json!("not an object")).unwrap_err();
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].path, ".");
    }
}
