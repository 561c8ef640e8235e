//! One batch: validate, store and fan out, publish jobs and rejected copies, ack.

use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::Utc;
use herald_bus::{
    AckKind, HeaderMap, MSG_ID_HEADER, Message, Outgoing, REJECTION_HEADER, publish_all,
};
use herald_domain::{Event, Rejection, RejectionReason};
use herald_proto::v1::DeliveryJob;
use herald_store::{Failure, FanOut, NewRejection};
use herald_telemetry::propagation;
use prost::Message as _;
use tracing::Span;

use crate::Ingest;
use crate::origin::{self, Received, Refusal};
use crate::store::{Unstored, delivered};

/// How long a failed batch waits before NATS hands it out again.
const RETRY_DELAY: Duration = Duration::from_secs(2);

#[derive(Debug, Default, PartialEq, Eq)]
pub struct BatchReport {
    pub stored: usize,
    pub duplicates: usize,
    pub rejected: usize,
    pub jobs: usize,
}

pub(crate) struct Accepted {
    /// Its index in the batch.
    pub message: usize,
    pub event: Event,
    pub span: Span,
}

struct Rejected {
    message: usize,
    rejection: NewRejection,
}

/// What becomes of one message of a batch once the batch is processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Settled {
    /// Stored, or rejected and kept: ack it.
    Done,
    /// Not durable yet: NATS hands it out again after [`RETRY_DELAY`].
    Retry,
}

impl Ingest {
    /// Processes a batch to the end: every message is acked once its outcome (stored, or
    /// rejected and kept) is durable, or handed back to NATS with a delay when it is not, so
    /// nothing is lost and nothing comes back forever (see `herald_store::PoisonPolicy`).
    pub async fn process_batch(&mut self, messages: Vec<Message>) -> BatchReport {
        let started = Instant::now();
        self.metrics.received.inc_by(messages.len() as u64);
        let (accepted, mut rejected) = self.classify(&messages);
        let mut settled = vec![Settled::Done; messages.len()];
        let outcomes = self.store_events(&messages, &accepted).await;
        let mut stored = Vec::with_capacity(accepted.len());
        let mut unstored: Option<Failure> = None;
        for (accepted, outcome) in accepted.iter().zip(outcomes) {
            match outcome {
                Ok(fan_out) => stored.push((accepted, fan_out)),
                Err(Unstored { failure, alone }) => {
                    let message = &messages[accepted.message];
                    let delivered = delivered(message);
                    let policy = self.config.poison;
                    if alone && policy.gives_up(failure.kind, delivered, self.health.works()) {
                        let reason = if policy.is_net(failure.kind, delivered) {
                            RejectionReason::TooManyDeliveries {
                                deliveries: delivered,
                                error: failure.message,
                            }
                        } else {
                            RejectionReason::Unstorable {
                                error: failure.message,
                            }
                        };
                        let _entered = accepted.span.enter();
                        let rejection = Rejection {
                            reason,
                            event_id: Some(accepted.event.id.clone()),
                        };
                        rejected.push(Rejected {
                            message: accepted.message,
                            rejection: self.rejection(message, rejection.into()),
                        });
                    } else {
                        settled[accepted.message] = Settled::Retry;
                        unstored = Some(failure);
                    }
                }
            }
        }
        let report = self
            .publish_outcomes(&messages, &stored, &rejected, &mut settled)
            .await;
        if let Some(failure) = unstored {
            let retrying = settled.iter().filter(|s| **s == Settled::Retry).count();
            self.metrics.batch_failures.inc();
            tracing::warn!(error = %failure.message, events = retrying, "Events not stored; NATS will redeliver them.");
        }
        for (message, settled) in messages.iter().zip(&settled) {
            let kind = match settled {
                Settled::Done => AckKind::Ack,
                Settled::Retry => AckKind::Nak(Some(RETRY_DELAY)),
            };
            if let Err(error) = message.ack_with(kind).await {
                // The message will simply come back after AckWait; everything downstream is
                // idempotent.
                tracing::warn!(%error, "Ack failed; the message will be redelivered.");
            }
        }
        self.metrics
            .batch_seconds
            .observe(started.elapsed().as_secs_f64());
        report
    }

    fn classify(&self, messages: &[Message]) -> (Vec<Accepted>, Vec<Rejected>) {
        let mut accepted = Vec::new();
        let mut rejected = Vec::new();
        for (index, message) in messages.iter().enumerate() {
            let span = ingest_span(message);
            match self.parse(message) {
                Ok(event) => {
                    span.record("cloudevents.event_id", event.id.as_str());
                    span.record("cloudevents.event_type", event.event_type.as_str());
                    span.record("herald.tenant", event.tenant.as_str());
                    accepted.push(Accepted {
                        message: index,
                        event,
                        span,
                    });
                }
                Err(rejection) => {
                    let _entered = span.enter();
                    rejected.push(Rejected {
                        message: index,
                        rejection: self.rejection(message, rejection),
                    });
                }
            }
        }
        (accepted, rejected)
    }

    fn parse(&self, message: &Message) -> Result<Event, Refusal> {
        let content_type = message
            .headers
            .as_ref()
            .and_then(|h| h.get("Content-Type"))
            .map(|v| v.as_str());
        let received = Received {
            subject: message.subject.as_str(),
            content_type,
            body: &message.payload,
        };
        origin::parse(self.bus.names(), &self.config.limits, &received)
    }

    fn rejection(&self, message: &Message, refusal: Refusal) -> NewRejection {
        let subject = message.subject.as_str();
        let tenant = self
            .bus
            .names()
            .subject_tenant(subject)
            .unwrap_or_default()
            .to_owned();
        let (stream, stream_seq) = message
            .info()
            .map(|info| (info.stream.to_owned(), info.stream_sequence))
            .unwrap_or_else(|_| (self.bus.names().events_stream(), 0));
        let code = refusal.code;
        self.metrics
            .rejected
            .get_or_create(&crate::metrics::ReasonLabel {
                reason: code.to_owned(),
            })
            .inc();
        tracing::warn!(
            event_id = refusal.event_id.as_deref().unwrap_or(""),
            %subject,
            reason = %refusal.reason,
            "Event rejected."
        );
        NewRejection {
            tenant,
            subject: subject.to_owned(),
            reason_code: code.to_owned(),
            reason: refusal.reason,
            event_id: refusal.event_id,
            received_at: Utc::now(),
            stream,
            stream_seq,
            body: message.payload.to_vec(),
        }
    }

    /// Keeps the rejections (their rows, then their copies in `{P}_REJECTED`) and publishes
    /// the jobs of the stored events. What could not be made durable is marked for retry.
    async fn publish_outcomes(
        &self,
        messages: &[Message],
        stored: &[(&Accepted, FanOut)],
        rejected: &[Rejected],
        settled: &mut [Settled],
    ) -> BatchReport {
        let mut report = BatchReport::default();
        let rows: Vec<NewRejection> = rejected.iter().map(|r| r.rejection.clone()).collect();
        let rejections_kept = match self.store.record_rejections(&rows).await {
            Ok(()) => true,
            Err(error) => {
                tracing::warn!(%error, rejections = rows.len(), "Cannot record rejected events; NATS will redeliver them.");
                for rejected in rejected {
                    settled[rejected.message] = Settled::Retry;
                }
                false
            }
        };
        let mut outgoing = Vec::new();
        for (accepted, fan_out) in stored {
            self.count(fan_out, &mut report);
            outgoing.extend(self.jobs(accepted, fan_out));
        }
        if rejections_kept {
            report.rejected = rejected.len();
            for rejected in rejected {
                outgoing.push(self.rejected_copy(&messages[rejected.message], &rejected.rejection));
            }
        }
        if let Err(error) = publish_all(&self.bus, outgoing).await {
            tracing::warn!(%error, "Cannot publish delivery jobs or rejected copies; NATS will redeliver the batch.");
            settled.fill(Settled::Retry);
            return BatchReport::default();
        }
        report
    }

    fn count(&self, fan_out: &FanOut, report: &mut BatchReport) {
        if fan_out.newly_stored {
            report.stored += 1;
            self.metrics.stored.inc();
            self.metrics.deliveries.inc_by(fan_out.jobs.len() as u64);
        } else {
            report.duplicates += 1;
            self.metrics.duplicates.inc();
        }
        report.jobs += fan_out.jobs.len();
    }

    fn jobs<'a>(
        &'a self,
        accepted: &'a Accepted,
        fan_out: &'a FanOut,
    ) -> impl Iterator<Item = Outgoing> + 'a {
        let _entered = accepted.span.enter();
        if fan_out.newly_stored {
            tracing::debug!(event_id = %fan_out.event_id, deliveries = fan_out.jobs.len(), "Event stored and fanned out.");
        }
        let mut headers = HeaderMap::new();
        propagation::inject(&accepted.span, &mut headers);
        fan_out.jobs.iter().map(move |job| {
            let payload = DeliveryJob::from(job);
            Outgoing {
                subject: self.bus.names().delivery_subject(&job.channel),
                msg_id: job.delivery_id.to_string(),
                headers: headers.clone(),
                payload: Bytes::from(payload.encode_to_vec()),
            }
        })
    }

    fn rejected_copy(&self, message: &Message, rejection: &NewRejection) -> Outgoing {
        // The original's headers travel along (trace context included), but not its dedupe id:
        // the copy gets one of its own.
        let mut headers = HeaderMap::new();
        for (name, values) in message.headers.iter().flat_map(|h| h.iter()) {
            if !AsRef::<str>::as_ref(name).eq_ignore_ascii_case(MSG_ID_HEADER) {
                for value in values {
                    headers.append(name.clone(), value.clone());
                }
            }
        }
        headers.insert(REJECTION_HEADER, rejection.reason.as_str());
        headers.insert("Herald-Rejection-Code", rejection.reason_code.as_str());
        headers.insert("Herald-Original-Subject", rejection.subject.as_str());
        Outgoing {
            subject: self.bus.names().rejected_subject(&rejection.tenant),
            msg_id: format!("{}:{}", rejection.stream, rejection.stream_seq),
            headers,
            payload: message.payload.clone(),
        }
    }
}

fn ingest_span(message: &Message) -> Span {
    let span = tracing::info_span!(
        "herald.ingest",
        otel.kind = "consumer",
        messaging.system = "nats",
        messaging.operation.type = "process",
        messaging.destination.name = %message.subject,
        cloudevents.event_id = tracing::field::Empty,
        cloudevents.event_type = tracing::field::Empty,
        herald.tenant = tracing::field::Empty,
    );
    propagation::set_parent(&span, message.headers.as_ref());
    span
}
