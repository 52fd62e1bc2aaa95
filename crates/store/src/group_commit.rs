//! Group commit of reports. SQLite has one writer at a time, and every commit waits for the disk
//! (`synchronous = FULL`: an acknowledged report survives a power cut), so in the Friday burst the
//! commits, not the work, set the pace. A writer queues its reports and spawns a drain; a drain that
//! holds a writers' turn writes the queued reports of one plan in one transaction, with one refresh of
//! the roll-ups, and answers each writer after the commit. If that transaction fails, its requests
//! are queued again to be written one by one, so a bad request fails alone.
//!
//! Each change is decided inside the group's transaction against its report as stored there (see
//! `reports::Decide`); a refused request writes nothing and gets its refusal while the rest of the
//! group is written. Two requests about the same unit-week are never in one group, so each decides
//! against what the other wrote.
//!
//! Every queued request has a drain spawned after it, and a drain stops only when it finds the queue
//! empty, so none is left behind. PostgreSQL has a few turns, so groups are written side by side;
//! when it aborts one to break a deadlock (the units a group locks and the roll-up rows of their
//! ancestors are taken in different orders by different groups), its requests are written again,
//! one by one, and a request aborted alone is written again up to [`MAX_RETRIES`] times.

use crate::Store;
use crate::audit::Who;
use crate::error::{Result, StoreError};
use crate::reports::{ReportChange, write_reports};
use chrono::NaiveDate;
use hocvuso_core::plan::Plan;
use std::collections::HashSet;
use std::sync::Mutex;
use tokio::sync::oneshot;

/// At most this many reports per transaction, unless one request holds more.
const MAX_REPORTS: usize = 256;
/// How often a request is written again after PostgreSQL aborted it to break a deadlock.
const MAX_RETRIES: u8 = 3;

/// Whether PostgreSQL aborted the transaction to break a deadlock or a serialization conflict, so
/// that the same transaction may succeed when run again.
fn retryable(e: &StoreError) -> bool {
    match e {
        StoreError::Database(sqlx::Error::Database(db)) => {
            matches!(db.code().as_deref(), Some("40P01" | "40001"))
        }
        _ => false,
    }
}

#[derive(Debug)]
struct Request {
    plan: Plan,
    changes: Vec<ReportChange>,
    who: Who,
    /// Written in a transaction of its own (after a failed group).
    alone: bool,
    /// Transactions of its own that PostgreSQL aborted to break a deadlock.
    retries: u8,
    answer: oneshot::Sender<Result<Vec<i64>>>,
}

#[derive(Debug, Default)]
pub(crate) struct Queue {
    requests: Mutex<Vec<Request>>,
}

impl Queue {
    fn push(&self, request: Request) {
        self.requests.lock().expect("queue lock").push(request);
    }

    /// The oldest request, with the next ones of the same plan that fit in one transaction and
    /// change none of the unit-weeks already taken.
    fn take_group(&self) -> Vec<Request> {
        let mut queued = self.requests.lock().expect("queue lock");
        let Some(first) = queued.first() else {
            return Vec::new();
        };
        let (plan, alone) = (first.plan.code.clone(), first.alone);
        let mut reports = 0;
        let mut keys: HashSet<(String, NaiveDate)> = HashSet::new();
        let mut taken = Vec::new();
        let mut index = 0;
        while index < queued.len() {
            let r = &queued[index];
            let fits = taken.is_empty()
                || (!alone
                    && !r.alone
                    && r.plan.code == plan
                    && reports + r.changes.len() <= MAX_REPORTS
                    && !r
                        .changes
                        .iter()
                        .any(|c| keys.contains(&(c.unit.clone(), c.week))));
            if fits {
                reports += r.changes.len();
                keys.extend(r.changes.iter().map(|c| (c.unit.clone(), c.week)));
                taken.push(queued.remove(index));
                if alone {
                    break;
                }
            } else {
                index += 1;
            }
        }
        taken
    }
}

impl Store {
    /// Queues the changes for the next group commit and waits for it.
    pub(crate) async fn put_grouped(
        &self,
        plan: &Plan,
        changes: Vec<ReportChange>,
        who: &Who,
    ) -> Result<Vec<i64>> {
        let (answer, answered) = oneshot::channel();
        self.queue.push(Request {
            plan: plan.clone(),
            changes,
            who: who.clone(),
            alone: false,
            retries: 0,
            answer,
        });
        tokio::spawn(self.clone().drain());
        answered.await.unwrap_or_else(|_| {
            Err(StoreError::Conflict(
                "máy chủ dừng trước khi ghi xong báo cáo; hãy gửi lại".into(),
            ))
        })
    }

    /// For tests: how many requests wait for a group commit.
    #[doc(hidden)]
    pub fn queued_requests(&self) -> usize {
        self.queue.requests.lock().expect("queue lock").len()
    }

    /// Writes groups of queued requests, each in its own turn, until none is left.
    async fn drain(self) {
        loop {
            let turn = Some(self.group_turn().await);
            let group = self.queue.take_group();
            let Some(first) = group.first() else {
                return;
            };
            let requests: Vec<(&[ReportChange], &Who)> = group
                .iter()
                .map(|r| (r.changes.as_slice(), &r.who))
                .collect();
            let written = async {
                let mut tx = self.begin_in_turn(turn).await?;
                let ids = write_reports(&mut tx, self.backend(), &first.plan, &requests).await?;
                tx.commit().await?;
                Ok(ids)
            }
            .await;
            match written {
                Ok(answers) => {
                    for (request, answer) in group.into_iter().zip(answers) {
                        let _ = request.answer.send(answer);
                    }
                }
                Err(e) if group.len() == 1 => {
                    let mut request = group.into_iter().next().expect("one request");
                    if retryable(&e) && request.retries < MAX_RETRIES {
                        request.retries += 1;
                        self.queue.push(request);
                    } else {
                        let _ = request.answer.send(Err(e));
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, requests = group.len(), "group commit failed; writing its requests one by one");
                    for mut request in group {
                        request.alone = true;
                        self.queue.push(request);
                    }
                }
            }
        }
    }
}
