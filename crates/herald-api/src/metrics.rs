//! The API's metrics: requests by route template (never the raw path: ids would make a series
//! each), and `herald_subscription_info`, one series per subscription for dashboards to join on.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use herald_dispatcher::DisabledCounter;
use herald_store::Store;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::AppState;

/// How often `herald_subscription_info` is read again; the API's own changes show at once.
const INFO_EVERY: Duration = Duration::from_secs(30);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct InfoLabels {
    tenant: String,
    subscription_id: String,
    name: String,
    channel: String,
    enabled: &'static str,
}

#[derive(Clone)]
struct SubscriptionInfo {
    family: Family<InfoLabels, Gauge>,
    changed: Arc<Notify>,
}

#[derive(Clone)]
pub struct ApiMetrics {
    requests: Family<RequestLabels, Counter>,
    durations: Family<RouteLabels, Histogram, fn() -> Histogram>,
    info: Option<SubscriptionInfo>,
    pub(crate) disabled: DisabledCounter,
}

fn request_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl ApiMetrics {
    /// Registers the API's metrics; `disabled` is registered by the caller, once per process
    /// (the dispatcher counts there too). `per_subscription` adds `herald_subscription_info`.
    pub fn register(
        registry: &mut Registry,
        per_subscription: bool,
        disabled: DisabledCounter,
    ) -> Self {
        let metrics = Self {
            requests: Family::default(),
            durations: Family::new_with_constructor(request_histogram),
            info: per_subscription.then(|| SubscriptionInfo {
                family: Family::default(),
                changed: Arc::new(Notify::new()),
            }),
            disabled,
        };
        let api = registry.sub_registry_with_prefix("herald_api");
        api.register(
            "requests",
            "API requests by method, route template and status",
            metrics.requests.clone(),
        );
        api.register(
            "request_duration_seconds",
            "API request time by method and route template",
            metrics.durations.clone(),
        );
        if let Some(info) = &metrics.info {
            registry.register(
                "herald_subscription_info",
                "1 per subscription, with its name, channel and whether it is enabled",
                info.family.clone(),
            );
        }
        metrics
    }

    /// A subscription was created, changed or deleted here: show it without waiting.
    pub(crate) fn subscriptions_changed(&self) {
        if let Some(info) = &self.info {
            info.changed.notify_one();
        }
    }

    /// Keeps `herald_subscription_info` current until `shutdown`.
    pub(crate) async fn refresh_info(self, store: Store, shutdown: CancellationToken) {
        let Some(info) = self.info else {
            return;
        };
        loop {
            match store.subscription_summaries().await {
                Ok(summaries) => {
                    let rows: Vec<InfoLabels> = summaries
                        .into_iter()
                        .map(|s| InfoLabels {
                            tenant: s.tenant,
                            subscription_id: s.id.to_string(),
                            name: s.name,
                            channel: s.channel,
                            enabled: if s.enabled { "true" } else { "false" },
                        })
                        .collect();
                    // Read first, then swapped in with no await between: a scrape may catch the
                    // swap, never a half-read query.
                    info.family.clear();
                    for row in &rows {
                        info.family.get_or_create(row).set(1);
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "Cannot read subscriptions for herald_subscription_info.")
                }
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(INFO_EVERY) => {}
                () = info.changed.notified() => {}
            }
        }
    }
}

/// Filled with the matched route template by [`mark_route`], read by [`track`]: the outermost
/// layer sees every answer (timeouts included) but runs before routing.
#[derive(Clone, Default)]
struct RouteSlot(Arc<OnceLock<String>>);

/// Counts and times every request; the outermost layer.
pub(crate) async fn track(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let slot = RouteSlot::default();
    request.extensions_mut().insert(slot.clone());
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    let route = slot
        .0
        .get()
        .cloned()
        .unwrap_or_else(|| "unmatched".to_owned());
    let metrics = &state.metrics;
    metrics
        .durations
        .get_or_create(&RouteLabels {
            method,
            route: route.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    metrics
        .requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status: response.status().as_u16().to_string(),
        })
        .inc();
    response
}

/// Records which route template matched; a route layer, so it runs after routing.
pub(crate) async fn mark_route(request: Request, next: Next) -> Response {
    if let (Some(matched), Some(slot)) = (
        request.extensions().get::<MatchedPath>(),
        request.extensions().get::<RouteSlot>(),
    ) {
        let _ = slot.0.set(route_label(matched.as_str()).to_owned());
    }
    next.run(request).await
}

/// The console's files are one label: they are not API routes, and a dashboard of the API
/// should not split a page load into a series per file pattern.
fn route_label(matched: &str) -> &str {
    if matched == "/" || matched.starts_with("/console/") {
        "console"
    } else {
        matched
    }
}

/// Any method string a client makes up would otherwise be a series of its own.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}
