//! [`App`]: the running application (its store, plan and settings), and [`Session`]: the data as one
//! actor may see and change it. Every use case is a `Session` method (one file per area beside this
//! one) that applies the one policy of `hocvuso_core::access::Actor` before it touches the store; the
//! store is private to this crate, so no path (page, API, Excel, CLI) can skip it.

use crate::error::{AppError, Result};
use chrono::NaiveDate;
use hocvuso_core::access::{Actor, Role, Target};
use hocvuso_core::field::PersonKey;
use hocvuso_core::outlook::Tracked;
use hocvuso_core::plan::Plan;
use hocvuso_core::units::UnitKind;
use hocvuso_store::Store;
use hocvuso_store::accounts::Throttle;
use hocvuso_store::audit::Who;
use hocvuso_store::units::{UnitFilter, UnitRecord};
use std::sync::Arc;

/// What every use case needs. The store is private to this crate.
#[derive(Clone)]
pub struct App {
    pub(crate) store: Store,
    pub plan: Arc<Plan>,
    /// The date pages show when none is chosen (the demo's date, else today).
    pub default_as_of: NaiveDate,
    /// Whether the database holds synthetic (demo) figures, to label them.
    pub synthetic: bool,
    pub account_throttle: Throttle,
    pub address_throttle: Throttle,
    /// Pause after a failed login, times the failures so far, to slow guessing down.
    pub failure_delay: std::time::Duration,
    /// Secret of the person pseudonyms (HMAC of the CCCD); never leaves the server.
    pub(crate) person_key: PersonKey,
    /// Added to the system clock: zero in production; in the demo, the gap back to the demo's date, so
    /// that due and lock times behave as on that day.
    pub clock_offset: chrono::Duration,
}

impl App {
    pub fn new(
        store: Store,
        plan: Plan,
        default_as_of: NaiveDate,
        synthetic: bool,
        person_key: PersonKey,
    ) -> App {
        App {
            store,
            plan: Arc::new(plan),
            default_as_of,
            synthetic,
            account_throttle: Throttle {
                max_failures: 5,
                window: chrono::Duration::minutes(15),
                lock_for: chrono::Duration::minutes(15),
            },
            address_throttle: Throttle {
                max_failures: 30,
                window: chrono::Duration::minutes(15),
                lock_for: chrono::Duration::minutes(15),
            },
            failure_delay: std::time::Duration::from_millis(200),
            clock_offset: chrono::Duration::zero(),
            person_key,
        }
    }

    /// The current instant, as the campaign's rules see it.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + self.clock_offset
    }

    /// Liveness of the database, for `/healthz` (no data is read).
    pub async fn ping(&self) -> bool {
        self.store.ping().await.is_ok()
    }

    /// The data as `actor` may see it, its changes audited under `who`.
    pub fn session(&self, actor: Actor, who: Who) -> Session {
        Session {
            app: self.clone(),
            actor,
            who,
        }
    }

    /// The whole campaign as a command of the `hocvuso` binary sees it: an administrator without
    /// an account, audited under `name`.
    pub fn system(&self, name: &str) -> Session {
        let actor = Actor {
            user_id: 0,
            username: name.into(),
            display_name: name.into(),
            role: Role::Admin,
            unit: None,
        };
        self.session(actor, Who::system(name))
    }
}

/// The data as one actor may see and change it.
#[derive(Clone)]
pub struct Session {
    pub(crate) app: App,
    actor: Actor,
    who: Who,
}

/// Refuses, naming what the account may not do, unless `allowed` (a rule of `core::access`).
pub(crate) fn require(allowed: bool, what: &str) -> Result<()> {
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "Tài khoản của bạn không có quyền {what}."
        )))
    }
}

/// A unit as the policy sees it.
pub(crate) fn target(u: &UnitRecord) -> Result<Target<'_>> {
    let kind = u
        .kind()
        .ok_or_else(|| AppError::BadRequest(format!("đơn vị «{}» có loại không hợp lệ", u.code)))?;
    Ok(Target {
        code: &u.code,
        kind,
        path: &u.path,
    })
}

impl Session {
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn who(&self) -> &Who {
        &self.who
    }

    pub fn plan(&self) -> &Plan {
        &self.app.plan
    }

    pub fn default_as_of(&self) -> NaiveDate {
        self.app.default_as_of
    }

    pub fn synthetic(&self) -> bool {
        self.app.synthetic
    }

    /// The current instant, as the campaign's rules see it (shifted in the demo).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.app.now()
    }

    pub(crate) fn forbid(message: impl Into<String>) -> AppError {
        AppError::Forbidden(message.into())
    }

    pub fn require(&self, allowed: bool, what: &str) -> Result<()> {
        require(allowed, what)
    }

    // ---- reading -------------------------------------------------------------------------------

    /// A unit the actor may read.
    pub async fn unit(&self, code: &str) -> Result<UnitRecord> {
        let unit = self.app.store.require_unit(code).await?;
        if !self.actor().can_read(target(&unit)?) {
            return Err(Self::forbid(format!(
                "Tài khoản của bạn không có quyền xem số liệu của {}.",
                unit.full_name
            )));
        }
        Ok(unit)
    }

    /// Where this actor starts: the plan's province for staff, else its own unit.
    pub async fn home(&self) -> Result<UnitRecord> {
        match self.actor().read_root() {
            None => self.unit(self.plan().province.as_str()).await,
            Some(root) => self.unit(&root.code.clone()).await,
        }
    }

    /// Units matching a filter, limited to what the actor may read.
    pub async fn list_units(&self, mut filter: UnitFilter) -> Result<(Vec<UnitRecord>, i64)> {
        if let Some(parent) = &filter.parent {
            self.unit(parent).await?;
        }
        match (&filter.within, self.actor().read_root()) {
            (Some(within), _) => {
                self.unit(within).await?;
            }
            (None, Some(root)) => filter.within = Some(root.code.clone()),
            (None, None) => {}
        }
        Ok(self.app.store.list_units(&filter).await?)
    }

    pub async fn count_units(&self, kind: UnitKind, within: &UnitRecord) -> Result<i64> {
        self.unit(&within.code).await?;
        Ok(self.app.store.count_units(kind, Some(&within.code)).await?)
    }

    /// Units of `kind` below each child of `parent` (see `Store::count_below_children`).
    pub async fn count_below_children(
        &self,
        parent: &UnitRecord,
        kind: UnitKind,
    ) -> Result<std::collections::HashMap<String, i64>> {
        self.unit(&parent.code).await?;
        Ok(self
            .app
            .store
            .count_below_children(&parent.code, kind)
            .await?)
    }

    /// Ancestors of a unit that the actor may read, from the root down.
    pub async fn readable_ancestors(&self, unit: &UnitRecord) -> Result<Vec<UnitRecord>> {
        let mut out = Vec::new();
        for code in unit.lineage().into_iter().filter(|c| *c != unit.code) {
            if let Some(u) = self.app.store.unit(code).await?
                && self.actor().can_read(target(&u)?)
            {
                out.push(u);
            }
        }
        Ok(out)
    }

    /// Progress with its weekly history and outlook, for pages and the progress API.
    pub async fn tracked(&self, unit: &UnitRecord, as_of: NaiveDate) -> Result<Vec<Tracked>> {
        let unit = self.unit(&unit.code).await?;
        Ok(self.app.store.tracked(self.plan(), &unit, as_of).await?)
    }

    /// The units of `kind` directly below `parent` on `as_of`, each with every indicator tracked.
    pub async fn tracked_children(
        &self,
        parent: &UnitRecord,
        kind: UnitKind,
        as_of: NaiveDate,
    ) -> Result<Vec<(UnitRecord, Vec<Tracked>)>> {
        let parent = self.unit(&parent.code).await?;
        Ok(self
            .app
            .store
            .tracked_children(self.plan(), &parent, kind, as_of)
            .await?)
    }
}
