//! One API request as a handler sees it: who calls (the token, checked for scope and
//! permission, threescale-api.md §1.2) and its parameters, merged from the query string and
//! the body (§1.3).

use super::reply::Failure;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, Method};
use base64::Engine as _;
use counterfoil_engine::model::{AccessToken, Period, Permission, Scope};
use counterfoil_engine::{Actor, Book};
use rust_decimal::Decimal;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// The scope a route needs: `/admin/api/*` account management; `/api/*` finance or account
/// management.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    AccountManagement,
    Billing,
}

impl Area {
    fn of(path: &str) -> Area {
        if path.starts_with("/admin/api/") {
            Area::AccountManagement
        } else {
            Area::Billing
        }
    }

    fn allows(self, scopes: &[Scope]) -> bool {
        match self {
            Area::AccountManagement => scopes.contains(&Scope::AccountManagement),
            Area::Billing => {
                scopes.contains(&Scope::Finance) || scopes.contains(&Scope::AccountManagement)
            }
        }
    }
}

/// An authenticated request with its parameters.
pub struct ApiCall {
    pub token: AccessToken,
    pub params: Params,
    pub state: AppState,
}

impl ApiCall {
    /// Who the audit log names: the token's id, never its value.
    pub fn actor(&self) -> Actor {
        Actor::new(format!("api token {}", self.token.id))
    }

    /// Runs `work` on the book off the async threads (the book serializes writers).
    pub async fn book<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Book, &Actor) -> Result<T, Failure> + Send + 'static,
    ) -> Result<T, Failure> {
        let actor = self.actor();
        self.state
            .with_book(move |book| work(book, &actor))
            .await
            .map_err(Failure::internal)?
    }

    /// Runs a typed read operation (`counterfoil_engine::op::*`) on a reader connection,
    /// beside other reads and the writer.
    pub async fn read<I: Send + 'static, T: Send + 'static>(
        &self,
        operation: fn(&Book, I) -> Result<T, counterfoil_engine::ApiError>,
        input: I,
    ) -> Result<T, Failure> {
        Ok(self
            .state
            .with_reader(move |book| operation(book, input))
            .await
            .map_err(Failure::internal)??)
    }

    /// Runs a typed write (or `book`) operation (`counterfoil_engine::op::*`) on the writer.
    pub async fn write<I: Send + 'static, T: Send + 'static>(
        &self,
        operation: fn(&mut Book, &Actor, I) -> Result<T, counterfoil_engine::ApiError>,
        input: I,
    ) -> Result<T, Failure> {
        self.book(move |book, actor| Ok(operation(book, actor, input)?))
            .await
    }

    /// [`ApiCall::write`], its refusals worded as 3scale's clients compare them
    /// ([`Failure::in_short_words`]).
    pub async fn write_in_short_words<I: Send + 'static, T: Send + 'static>(
        &self,
        operation: fn(&mut Book, &Actor, I) -> Result<T, counterfoil_engine::ApiError>,
        input: I,
    ) -> Result<T, Failure> {
        self.book(move |book, actor| operation(book, actor, input).map_err(Failure::in_short_words))
            .await
    }
}

impl FromRequest<AppState> for ApiCall {
    type Rejection = Failure;

    async fn from_request(request: Request, state: &AppState) -> Result<ApiCall, Failure> {
        let (parts, body) = request.into_parts();
        let path = parts.uri.path().to_owned();
        if path.ends_with(".xml") {
            return Err(Failure::NotAcceptable);
        }
        let query = parts.uri.query().unwrap_or("");
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    Failure::TooLarge
                } else {
                    Failure::field("body", "The request body could not be read.")
                }
            })?;
        let params = Params::from_request_parts(query, &parts.headers, &bytes)?;
        let value = params
            .text("access_token")
            .or_else(|| params.text("provider_key"))
            .or_else(|| basic_credential(&parts.headers))
            .ok_or(Failure::AccessDenied)?;
        let token = state
            .with_reader(move |book| counterfoil_engine::authenticate_token(book, &value))
            .await
            .map_err(Failure::internal)??
            .ok_or(Failure::AccessDenied)?;
        let writes = !matches!(parts.method, Method::GET | Method::HEAD);
        if !Area::of(&path).allows(&token.scopes) || (writes && token.permission != Permission::Rw)
        {
            tracing::info!(token = %token.id, %path, "refused: scope or permission");
            return Err(Failure::WrongPermissions);
        }
        tracing::info!(token = %token.id, method = %parts.method, %path, "api request");
        Ok(ApiCall {
            token,
            params,
            state: state.clone(),
        })
    }
}

/// HTTP Basic: the first non-empty of user and password is the token (§1.2).
fn basic_credential(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':').unwrap_or((text.as_str(), ""));
    if !user.is_empty() {
        Some(user.to_owned())
    } else if !password.is_empty() {
        Some(password.to_owned())
    } else {
        None
    }
}

/// A JSON body as a [`Value`], except that a number with decimals or an exponent is kept as
/// the text it was written as: read as a float it would lose digits (12.345678901234567890123
/// would become 12.345678901234567) before anyone could refuse it.
pub fn exact_json(body: &[u8]) -> serde_json::Result<Value> {
    let raw: &RawValue = serde_json::from_slice(body)?;
    exact_value(raw)
}

fn exact_value(raw: &RawValue) -> serde_json::Result<Value> {
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'{') => {
            let members: Vec<(String, &RawValue)> = serde_json::from_str::<RawObject<'_>>(text)?.0;
            let mut object = Map::new();
            for (name, value) in members {
                object.insert(name, exact_value(value)?);
            }
            Ok(Value::Object(object))
        }
        Some(b'[') => {
            let items: Vec<&RawValue> = serde_json::from_str(text)?;
            items
                .into_iter()
                .map(exact_value)
                .collect::<Result<_, _>>()
                .map(Value::Array)
        }
        Some(b'-' | b'0'..=b'9') if text.contains(['.', 'e', 'E']) => {
            Ok(Value::String(text.to_owned()))
        }
        _ => serde_json::from_str(text),
    }
}

/// A JSON object's members in order, their values left unread.
struct RawObject<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for RawObject<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Members<'a> {
            type Value = RawObject<'a>;
            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("a JSON object")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<RawObject<'a>, M::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, &'a RawValue>()? {
                    members.push(member);
                }
                Ok(RawObject(members))
            }
        }
        deserializer.deserialize_map(Members(std::marker::PhantomData))
    }
}

/// A request's parameters: the query string, then the body (JSON, or a form) over it.
#[derive(Debug, Clone, Default)]
pub struct Params(Map<String, Value>);

impl Params {
    fn from_request_parts(
        query: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Params, Failure> {
        let mut map = Map::new();
        merge_form(&mut map, query.as_bytes());
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Params(map));
        }
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if content_type.starts_with("application/x-www-form-urlencoded") {
            merge_form(&mut map, body);
        } else {
            match exact_json(body) {
                Ok(Value::Object(object)) => map.extend(object),
                Ok(Value::Null) => {}
                Ok(_) => {
                    return Err(Failure::field(
                        "body",
                        "The request body must be a JSON object.",
                    ))
                }
                Err(error) => {
                    return Err(Failure::field(
                        "body",
                        format!("The request body is not valid JSON: {error}."),
                    ))
                }
            }
        }
        Ok(Params(map))
    }

    #[cfg(test)]
    pub fn from_json(value: Value) -> Params {
        match value {
            Value::Object(map) => Params(map),
            _ => Params::default(),
        }
    }

    /// The parameters as `T`, a body type that documents them too (`Deserialize` +
    /// `ToSchema`); its fields read as [`lenient`] says and other keys are ignored. The
    /// values its fields refuse are one 422 naming each of those fields.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, Failure> {
        let params = Value::Object(self.0.clone());
        counterfoil_engine::input::parse_each_field(params).map_err(|bad| {
            let mut errors: std::collections::BTreeMap<String, Vec<String>> = Default::default();
            for field in bad {
                let name = field.field();
                let message = match &field.missing {
                    Some(_) => "can't be blank".to_owned(),
                    None => field.message,
                };
                errors.entry(name).or_default().push(message);
            }
            Failure::Errors(axum::http::StatusCode::UNPROCESSABLE_ENTITY, errors)
        })
    }

    /// The parameters under root key `root` (`{"service":{...}}` or `service[name]=`) over
    /// the flat ones: porta accepts both (§1.3).
    pub fn rooted(&self, root: &str) -> Params {
        let mut map = self.0.clone();
        if let Some(Value::Object(nested)) = self.0.get(root) {
            map.extend(nested.clone());
        }
        Params(map)
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.get(name).is_some_and(|value| !value.is_null())
    }

    pub fn value(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|value| !value.is_null())
    }

    /// A text parameter; numbers and booleans are taken as their text.
    pub fn text(&self, name: &str) -> Option<String> {
        lenient::text_of(self.value(name)?)
    }

    /// A required text parameter: 400 when missing.
    pub fn required_text(&self, name: &'static str) -> Result<String, Failure> {
        self.text(name).ok_or(Failure::MissingParameter(name))
    }

    /// A whole number, from a number or a text; anything else is a 422 on the field.
    pub fn integer(&self, name: &str) -> Result<Option<i64>, Failure> {
        self.read(name, lenient::integer_of)
    }

    /// A month, `YYYY-MM`; empty is absent.
    pub fn period(&self, name: &str) -> Result<Option<Period>, Failure> {
        self.read(name, lenient::period_of)
    }

    /// A decimal, exactly as written: from a number (its JSON text, see [`exact_json`]) or a
    /// text; one that cannot be kept exactly is refused, never rounded.
    pub fn decimal(&self, name: &str) -> Result<Option<Decimal>, Failure> {
        self.read(name, lenient::decimal_of)
    }

    /// A boolean from `true`/`false`, `1`/`0` or their texts.
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, Failure> {
        self.read(name, lenient::boolean_of)
    }

    fn read<T>(
        &self,
        name: &str,
        reader: fn(&Value) -> Result<Option<T>, String>,
    ) -> Result<Option<T>, Failure> {
        match self.value(name) {
            None => Ok(None),
            Some(value) => reader(value).map_err(|message| Failure::field(name, message)),
        }
    }

    /// A search text: absent when blank; longer than the engine searches
    /// ([`counterfoil_engine::model::MAX_SEARCH`] characters) is a 422 on the field.
    pub fn search(&self, name: &str) -> Result<Option<String>, Failure> {
        let text = self.text(name).filter(|text| !text.trim().is_empty());
        let max = counterfoil_engine::model::MAX_SEARCH;
        if text.as_ref().is_some_and(|text| text.chars().count() > max) {
            return Err(Failure::field(
                name,
                format!("must be at most {max} characters"),
            ));
        }
        Ok(text)
    }

    /// `page`: 1 when absent, invalid or below 1 (§1.6).
    pub fn page(&self) -> u32 {
        self.text("page")
            .and_then(|text| text.trim().parse::<u32>().ok())
            .filter(|page| *page >= 1)
            .unwrap_or(1)
    }

    /// `per_page`: 1..=500, else `default` (§1.6).
    pub fn per_page(&self, default: u32) -> u32 {
        self.text("per_page")
            .and_then(|text| text.trim().parse::<u32>().ok())
            .filter(|n| (1..=500).contains(n))
            .unwrap_or(default)
    }
}

/// Adds `a=1&b[c]=2` pairs: `b[c]` goes under root key `b` (porta's nested form keys).
fn merge_form(map: &mut Map<String, Value>, bytes: &[u8]) {
    for (key, value) in form_urlencoded::parse(bytes) {
        let value = Value::String(value.into_owned());
        match key.split_once('[') {
            Some((root, rest)) if rest.ends_with(']') && !root.is_empty() => {
                let inner = rest.trim_end_matches(']').to_owned();
                let entry = map
                    .entry(root.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(nested) = entry {
                    nested.insert(inner, value);
                }
            }
            _ => {
                map.insert(key.into_owned(), value);
            }
        }
    }
}

/// The id in a path segment that is not the last (`/api/invoices/{id}/line_items.json`);
/// anything but a number is an unknown resource.
pub fn path_id(segment: &str) -> Result<i64, Failure> {
    segment.parse().map_err(|_| Failure::NotFound)
}

/// The id in a path's last segment, `21.json` or `21` (the `.json` suffix every client sends).
pub fn id_segment(segment: &str) -> Result<i64, Failure> {
    if segment.ends_with(".xml") {
        return Err(Failure::NotAcceptable);
    }
    segment
        .strip_suffix(".json")
        .unwrap_or(segment)
        .parse()
        .map_err(|_| Failure::NotFound)
}

/// How 3scale reads a parameter (§1.3): a number or a boolean where a text is wanted, a
/// number written as text, a blank text as absent. [`Params`]' readers and the body types'
/// fields (`#[serde(default, deserialize_with = "lenient::…")]`) read the same way.
pub mod lenient {
    use counterfoil_engine::model::Period;
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer};
    use serde_json::Value;

    pub fn text_of(value: &Value) -> Option<String> {
        match value {
            Value::String(text) => Some(text.clone()),
            Value::Number(number) => Some(number.to_string()),
            Value::Bool(flag) => Some(flag.to_string()),
            _ => None,
        }
    }

    pub fn integer_of(value: &Value) -> Result<Option<i64>, String> {
        let parsed = match value {
            Value::Null => return Ok(None),
            Value::Number(number) => number.as_i64(),
            Value::String(text) if text.trim().is_empty() => return Ok(None),
            Value::String(text) => text.trim().parse().ok(),
            _ => None,
        };
        parsed
            .map(Some)
            .ok_or_else(|| "must be a whole number".to_owned())
    }

    pub fn decimal_of(value: &Value) -> Result<Option<Decimal>, String> {
        let text = match value {
            Value::Null => return Ok(None),
            Value::Number(number) => number.to_string(),
            Value::String(text) if text.trim().is_empty() => return Ok(None),
            Value::String(text) => text.trim().to_owned(),
            _ => return Err("must be a number".to_owned()),
        };
        counterfoil_billing::parse_exact(&text)
            .map(Some)
            .map_err(|error| error.to_string())
    }

    pub fn period_of(value: &Value) -> Result<Option<Period>, String> {
        match text_of(value) {
            None if value.is_null() => Ok(None),
            Some(text) if text.trim().is_empty() => Ok(None),
            Some(text) => Period::parse(text.trim())
                .map(Some)
                .map_err(|_| "must be a month written YYYY-MM, e.g. 2025-01".to_owned()),
            None => Err("must be a month written YYYY-MM, e.g. 2025-01".to_owned()),
        }
    }

    pub fn boolean_of(value: &Value) -> Result<Option<bool>, String> {
        match value {
            Value::Null => Ok(None),
            Value::Bool(flag) => Ok(Some(*flag)),
            Value::Number(number) if number.as_i64() == Some(1) => Ok(Some(true)),
            Value::Number(number) if number.as_i64() == Some(0) => Ok(Some(false)),
            Value::String(text) => match text.trim() {
                "true" | "1" => Ok(Some(true)),
                "false" | "0" => Ok(Some(false)),
                _ => Err("must be true or false".to_owned()),
            },
            _ => Err("must be true or false".to_owned()),
        }
    }

    /// A text field.
    pub fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
        Ok(text_of(&Value::deserialize(deserializer)?))
    }

    /// A whole-number field; anything else refuses the body.
    pub fn integer<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
        integer_of(&Value::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }

    /// An exact decimal field; anything else refuses the body.
    pub fn decimal<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        decimal_of(&Value::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }

    /// A month field (`YYYY-MM`); anything else refuses the body.
    pub fn period<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Period>, D::Error> {
        period_of(&Value::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }

    /// A boolean field; anything else refuses the body.
    pub fn boolean<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
        boolean_of(&Value::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }

    /// A field read by `reader` whose refusal the handler words itself (and answers with the
    /// body's other refusals): `Err` with the reader's reason; `Ok(None)` when absent.
    pub type Checked<T> = Result<Option<T>, String>;

    /// The value of an absent [`Checked`] field (`#[serde(default = "lenient::absent")]`).
    pub fn absent<T>() -> Checked<T> {
        Ok(None)
    }

    pub fn checked_integer<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Checked<i64>, D::Error> {
        Ok(integer_of(&Value::deserialize(deserializer)?))
    }

    pub fn checked_decimal<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Checked<Decimal>, D::Error> {
        Ok(decimal_of(&Value::deserialize(deserializer)?))
    }

    pub fn checked_boolean<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Checked<bool>, D::Error> {
        Ok(boolean_of(&Value::deserialize(deserializer)?))
    }
}
