//! A small client of Herald's API: bearer auth, JSON in and out, the API's error shape.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::error::{CliError, Refusal};

pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    pub fn new(base: &str, token: &str) -> Result<Self, CliError> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| CliError::Unreachable(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
        })
    }

    pub async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value, CliError> {
        self.send(Method::GET, path, query, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Result<Value, CliError> {
        self.send(Method::POST, path, &[], Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Result<Value, CliError> {
        self.send(Method::PATCH, path, &[], Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Result<Value, CliError> {
        self.send(Method::DELETE, path, &[], None).await
    }

    /// Every item of a paged list, following `next_cursor`.
    pub async fn list_all(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<Value>, CliError> {
        Ok(self.list_up_to(path, query, None).await?.0)
    }

    /// The first `max` items of a paged list (all with `None`), following `next_cursor`, and
    /// the cursor of the rest when there is more.
    pub async fn list_up_to(
        &self,
        path: &str,
        query: &[(&str, String)],
        max: Option<usize>,
    ) -> Result<(Vec<Value>, Option<String>), CliError> {
        const PAGE: usize = 500;
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let want = max.map_or(PAGE, |max| (max - items.len()).min(PAGE));
            let mut q = query.to_vec();
            q.push(("limit", want.to_string()));
            if let Some(cursor) = &cursor {
                q.push(("cursor", cursor.clone()));
            }
            let page = self.get(path, &q).await?;
            if let Some(page_items) = page["items"].as_array() {
                items.extend(page_items.iter().cloned());
            }
            match page["next_cursor"].as_str() {
                Some(next) if max.is_none_or(|max| items.len() < max) => {
                    cursor = Some(next.to_owned());
                }
                next => return Ok((items, next.map(str::to_owned))),
            }
        }
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value, CliError> {
        let url = format!("{}/v1{path}", self.base);
        // reqwest's `query` needs a feature the workspace does not enable; Url encodes too.
        let target = reqwest::Url::parse_with_params(&url, query)
            .map_err(|e| CliError::Usage(format!("--api-url: {url} is not a URL: {e}")))?;
        let mut request = self.http.request(method, target).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| CliError::Unreachable(format!("cannot reach {url}: {e}")))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = response
            .text()
            .await
            .map_err(|e| CliError::Unreachable(format!("{url}: cannot read the answer: {e}")))?;
        if status == StatusCode::NO_CONTENT || (status.is_success() && text.is_empty()) {
            return Ok(Value::Null);
        }
        let json: Option<Value> = serde_json::from_str(&text).ok();
        if status.is_success() {
            return json.ok_or_else(|| {
                CliError::Unreachable(format!("{url}: the answer is not JSON: {text}"))
            });
        }
        // Too many requests is "try again later", the meaning of exit 3, not a refusal.
        if status == StatusCode::TOO_MANY_REQUESTS {
            let wait = retry_after.map_or_else(String::new, |s| format!("; retry after {s} s"));
            return Err(CliError::Unreachable(format!(
                "{url}: rate limited (HTTP 429){wait}"
            )));
        }
        if status.is_server_error() {
            return Err(CliError::Unreachable(format!(
                "{url}: HTTP {status}: {text}"
            )));
        }
        Err(CliError::Refused(refusal(status, json.as_ref(), &text)))
    }
}

fn refusal(status: StatusCode, json: Option<&Value>, text: &str) -> Refusal {
    let error = json.map(|j| &j["error"]);
    let fields = error
        .and_then(|e| e["fields"].as_object())
        .map(|fields| {
            fields
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    Refusal {
        status: status.as_u16(),
        code: error
            .and_then(|e| e["code"].as_str())
            .unwrap_or("http_error")
            .to_owned(),
        message: error
            .and_then(|e| e["message"].as_str())
            .map_or_else(|| text.trim().to_owned(), str::to_owned),
        fields,
    }
}
