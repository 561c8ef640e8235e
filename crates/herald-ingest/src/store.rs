//! Storing a batch's events, and finding the ones at fault when the database refuses the batch.
//!
//! The batch goes in as one statement. When that fails in a way [`PoisonPolicy`] says is worth
//! pursuing, the batch is split in halves, and halves of halves, until every event either went
//! in with a group or failed alone: one bad event among 256 costs about 16 statements, once,
//! and the other 255 are stored at once.

use std::ops::Range;

use herald_bus::Message;
use herald_store::{Failure, FailureKind, FanOut, NewEvent};
use herald_telemetry::propagation;

use crate::Ingest;
use crate::batch::Accepted;

/// An event that was not stored, and whether it failed on its own (only then can the failure
/// be its fault).
pub(crate) struct Unstored {
    pub failure: Failure,
    pub alone: bool,
}

impl Ingest {
    /// One outcome per accepted event, in order.
    pub(crate) async fn store_events(
        &mut self,
        messages: &[Message],
        accepted: &[Accepted],
    ) -> Vec<Result<FanOut, Unstored>> {
        let events: Vec<NewEvent<'_>> = accepted
            .iter()
            .map(|a| NewEvent {
                event: &a.event,
                trace_id: propagation::trace_id(&a.span),
            })
            .collect();
        let error = match self.store.record_events(&events, &mut self.cache).await {
            Ok(fan_outs) => {
                self.health.succeeded();
                return fan_outs.into_iter().map(Ok).collect();
            }
            Err(error) => error,
        };
        let failure = Failure::from(&error);
        let worst = accepted
            .iter()
            .map(|a| delivered(&messages[a.message]))
            .max()
            .unwrap_or(1);
        let alone = events.len() == 1;
        if alone
            || !self
                .config
                .poison
                .gives_up(failure.kind, worst, self.health.works())
        {
            return events
                .iter()
                .map(|_| {
                    Err(Unstored {
                        failure: failure.clone(),
                        alone,
                    })
                })
                .collect();
        }
        tracing::info!(%error, events = events.len(), "The database refused a batch; storing its events in smaller groups to find the ones at fault.");
        self.isolate(&events).await
    }

    async fn isolate(&mut self, events: &[NewEvent<'_>]) -> Vec<Result<FanOut, Unstored>> {
        let mut outcomes: Vec<(usize, Result<FanOut, Unstored>)> = Vec::with_capacity(events.len());
        let mut groups = Vec::from(halves(0..events.len()));
        while let Some(group) = groups.pop() {
            match self
                .store
                .record_events(&events[group.clone()], &mut self.cache)
                .await
            {
                Ok(fan_outs) => {
                    self.health.succeeded();
                    outcomes.extend(group.zip(fan_outs.into_iter().map(Ok)));
                }
                Err(error) => {
                    let failure = Failure::from(&error);
                    let alone = group.len() == 1;
                    // A transient failure says nothing about the events: splitting further
                    // would only meet it again.
                    if alone || failure.kind == FailureKind::Transient {
                        outcomes.extend(group.map(|index| {
                            (
                                index,
                                Err(Unstored {
                                    failure: failure.clone(),
                                    alone,
                                }),
                            )
                        }));
                    } else {
                        groups.extend(halves(group));
                    }
                }
            }
        }
        outcomes.sort_by_key(|(index, _)| *index);
        outcomes.into_iter().map(|(_, outcome)| outcome).collect()
    }
}

/// The second half first, so the first half is stored first (popped from the end).
fn halves(range: Range<usize>) -> [Range<usize>; 2] {
    let middle = range.start + range.len() / 2;
    [middle..range.end, range.start..middle]
}

/// How often NATS has handed this message out, this time included.
pub(crate) fn delivered(message: &Message) -> u64 {
    message
        .info()
        .map(|info| info.delivered.max(1) as u64)
        .unwrap_or(1)
}
