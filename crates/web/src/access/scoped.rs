//! [`Scoped`]: the data as one signed-in actor may see and change it. Every method checks the policy
//! (`hocvuso_core::access::Actor`) before it touches the store.

use super::identity::Identity;
use super::{AppState, secrets};
use crate::error::{ApiError, WebError};
use crate::views::Nav;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use hocvuso_core::access::{Actor, Role, Target};
use hocvuso_core::calendar;
use hocvuso_core::field::{FieldProblem, RawRecord, check_record, check_rows};
use hocvuso_core::official::Letterhead;
use hocvuso_core::outlook::Tracked;
use hocvuso_core::plan::Plan;
use hocvuso_core::report::{Action, Figure, Status, check_report, next_status};
use hocvuso_core::units::UnitKind;
use hocvuso_store::accounts::{NewUser, TokenRecord, UserRecord};
use hocvuso_store::audit::{AuditFilter, AuditRecord, Who};
use hocvuso_store::field::{FieldInput, Outcome};
use hocvuso_store::reports::{
    Concerns, NewReport, NewValue, ReportChange, ReportEvent, ReportRecord, WeekStatus,
};
use hocvuso_store::units::{UnitFilter, UnitRecord};
use std::collections::BTreeMap;

/// What became of one record a phone sent.
#[derive(Debug, serde::Serialize)]
pub struct SyncResult {
    /// Position in the batch.
    pub index: usize,
    /// The record's UUID ("" when it was not one).
    pub id: String,
    /// "stored", "duplicate" (stored before: a retry) or "rejected".
    pub status: &'static str,
    pub problems: Vec<FieldProblem>,
}

impl SyncResult {
    fn new(index: usize, id: String, status: &'static str, problems: Vec<FieldProblem>) -> Self {
        SyncResult {
            index,
            id,
            status,
            problems,
        }
    }
}

pub struct Scoped {
    state: AppState,
    identity: Identity,
}

impl FromRequestParts<AppState> for Scoped {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match parts.extensions.get::<Identity>() {
            Some(identity) => Ok(Scoped {
                state: state.clone(),
                identity: identity.clone(),
            }),
            None if parts.uri.path().starts_with("/api/") => Err(ApiError(WebError::Unauthorized(
                "Cần đăng nhập, hoặc gửi khóa API trong tiêu đề Authorization: Bearer …".into(),
            ))
            .into_response()),
            None => {
                let here = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                let next = serde_urlencoded::to_string([("next", here)]).unwrap_or_default();
                Err(Redirect::to(&format!("/login?{next}")).into_response())
            }
        }
    }
}

fn target(u: &UnitRecord) -> Result<Target<'_>, WebError> {
    let kind = u
        .kind()
        .ok_or_else(|| WebError::BadRequest(format!("đơn vị «{}» có loại không hợp lệ", u.code)))?;
    Ok(Target {
        code: &u.code,
        kind,
        path: &u.path,
    })
}

impl Scoped {
    /// The whole campaign as a command of the `hocvuso` binary sees it: an administrator without
    /// an account, audited under `name`.
    pub fn system(state: AppState, name: &str) -> Scoped {
        Scoped {
            state,
            identity: Identity {
                actor: Actor {
                    user_id: 0,
                    username: name.into(),
                    display_name: name.into(),
                    role: Role::Admin,
                    unit: None,
                },
                who: Who::system(name),
                csrf: None,
                session: None,
            },
        }
    }

    pub fn actor(&self) -> &Actor {
        &self.identity.actor
    }

    pub fn who(&self) -> &Who {
        &self.identity.who
    }

    pub fn plan(&self) -> &Plan {
        &self.state.plan
    }

    pub fn default_as_of(&self) -> NaiveDate {
        self.state.default_as_of
    }

    pub fn synthetic(&self) -> bool {
        self.state.synthetic
    }

    /// The current instant, as the campaign's rules see it (shifted in the demo).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.state.now()
    }

    /// What the top bar shows for this actor.
    pub fn nav(&self) -> Nav {
        Nav::for_actor(self.actor(), self.identity.csrf.clone().unwrap_or_default())
    }

    fn forbid(message: impl Into<String>) -> WebError {
        WebError::Forbidden(message.into())
    }

    pub fn require(&self, allowed: bool, what: &str) -> Result<(), WebError> {
        if allowed {
            Ok(())
        } else {
            Err(Self::forbid(format!(
                "Tài khoản của bạn không có quyền {what}."
            )))
        }
    }

    // ---- reading -------------------------------------------------------------------------------

    /// A unit the actor may read.
    pub async fn unit(&self, code: &str) -> Result<UnitRecord, WebError> {
        let unit = self.state.store.require_unit(code).await?;
        if !self.actor().can_read(target(&unit)?) {
            return Err(Self::forbid(format!(
                "Tài khoản của bạn không có quyền xem số liệu của {}.",
                unit.full_name
            )));
        }
        Ok(unit)
    }

    /// Where this actor starts: the plan's province for staff, else its own unit.
    pub async fn home(&self) -> Result<UnitRecord, WebError> {
        match self.actor().read_root() {
            None => self.unit(self.plan().province.as_str()).await,
            Some(root) => self.unit(&root.code.clone()).await,
        }
    }

    /// Units matching a filter, limited to what the actor may read.
    pub async fn list_units(
        &self,
        mut filter: UnitFilter,
    ) -> Result<(Vec<UnitRecord>, i64), WebError> {
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
        Ok(self.state.store.list_units(&filter).await?)
    }

    pub async fn count_units(&self, kind: UnitKind, within: &UnitRecord) -> Result<i64, WebError> {
        self.unit(&within.code).await?;
        Ok(self
            .state
            .store
            .count_units(kind, Some(&within.code))
            .await?)
    }

    /// Units of `kind` below each child of `parent` (see `Store::count_below_children`).
    pub async fn count_below_children(
        &self,
        parent: &UnitRecord,
        kind: UnitKind,
    ) -> Result<std::collections::HashMap<String, i64>, WebError> {
        self.unit(&parent.code).await?;
        Ok(self
            .state
            .store
            .count_below_children(&parent.code, kind)
            .await?)
    }

    /// Ancestors of a unit that the actor may read, from the root down.
    pub async fn readable_ancestors(&self, unit: &UnitRecord) -> Result<Vec<UnitRecord>, WebError> {
        let mut out = Vec::new();
        for code in unit.lineage().into_iter().filter(|c| *c != unit.code) {
            if let Some(u) = self.state.store.unit(code).await?
                && self.actor().can_read(target(&u)?)
            {
                out.push(u);
            }
        }
        Ok(out)
    }

    /// Progress with its weekly history and outlook, for pages and the progress API.
    pub async fn tracked(
        &self,
        unit: &UnitRecord,
        as_of: NaiveDate,
    ) -> Result<Vec<Tracked>, WebError> {
        let unit = self.unit(&unit.code).await?;
        Ok(self.state.store.tracked(self.plan(), &unit, as_of).await?)
    }

    /// The units of `kind` directly below `parent` on `as_of`, each with every indicator tracked.
    pub async fn tracked_children(
        &self,
        parent: &UnitRecord,
        kind: UnitKind,
        as_of: NaiveDate,
    ) -> Result<Vec<(UnitRecord, Vec<Tracked>)>, WebError> {
        let parent = self.unit(&parent.code).await?;
        Ok(self
            .state
            .store
            .tracked_children(self.plan(), &parent, kind, as_of)
            .await?)
    }

    // ---- documents -----------------------------------------------------------------------------

    pub fn can_edit_documents(&self, unit: &UnitRecord) -> bool {
        target(unit).is_ok_and(|t| self.actor().can_edit_documents(t))
    }

    /// The letterhead of a unit's documents: as saved, else the default for its level.
    pub async fn letterhead(&self, unit: &UnitRecord) -> Result<Letterhead, WebError> {
        let unit = self.unit(&unit.code).await?;
        if let Some(saved) = self
            .state
            .store
            .letterhead(&self.plan().code, &unit.code)
            .await?
        {
            return Ok(saved);
        }
        let province = self
            .state
            .store
            .require_unit(self.plan().province.as_str())
            .await?;
        let kind = unit.kind().unwrap_or(UnitKind::Department);
        Ok(Letterhead::default_for(
            kind,
            &unit.full_name,
            &unit.name,
            &province.name,
        ))
    }

    pub async fn save_letterhead(
        &self,
        unit: &UnitRecord,
        letterhead: &Letterhead,
    ) -> Result<(), WebError> {
        let unit = self.unit(&unit.code).await?;
        self.require(
            self.can_edit_documents(&unit),
            "sửa mẫu văn bản của đơn vị này",
        )?;
        let problems = letterhead.problems();
        if !problems.is_empty() {
            return Err(WebError::Invalid(problems));
        }
        Ok(self
            .state
            .store
            .set_letterhead(&self.plan().code, &unit.code, letterhead, self.who())
            .await?)
    }

    /// The next week's tasks saved for a unit's report of `week`.
    pub async fn next_tasks(
        &self,
        unit: &UnitRecord,
        week: NaiveDate,
    ) -> Result<Option<String>, WebError> {
        let unit = self.unit(&unit.code).await?;
        Ok(self
            .state
            .store
            .next_tasks(&self.plan().code, &unit.code, week)
            .await?)
    }

    pub async fn save_next_tasks(
        &self,
        unit: &UnitRecord,
        week: NaiveDate,
        text: &str,
    ) -> Result<(), WebError> {
        let unit = self.unit(&unit.code).await?;
        self.require(
            self.can_edit_documents(&unit),
            "sửa báo cáo tuần của đơn vị này",
        )?;
        if text.chars().count() > 10_000 {
            return Err(WebError::Invalid(vec![
                "Nhiệm vụ tuần tới: dài quá 10.000 ký tự".into(),
            ]));
        }
        Ok(self
            .state
            .store
            .set_next_tasks(&self.plan().code, &unit.code, week, text, self.who())
            .await?)
    }

    /// Difficulties and proposals written in a week within a unit's subtree.
    pub async fn concerns_within(
        &self,
        unit: &UnitRecord,
        week: NaiveDate,
    ) -> Result<Vec<Concerns>, WebError> {
        let unit = self.unit(&unit.code).await?;
        Ok(self
            .state
            .store
            .week_concerns(&self.plan().code, &unit.path, week)
            .await?)
    }

    // ---- assigned targets ----------------------------------------------------------------------

    /// The plan's per-unit assigned targets with their units' names (secretariat).
    pub async fn assigned_targets(
        &self,
    ) -> Result<Vec<(hocvuso_core::assigned::AssignedTarget, String)>, WebError> {
        self.require(
            self.actor().can_manage_campaign(),
            "xem chỉ tiêu giao từng đơn vị",
        )?;
        Ok(self.state.store.assigned_targets(&self.plan().code).await?)
    }

    /// Replaces the plan's assigned targets with a table read from a file, all or nothing.
    pub async fn load_assigned_targets(
        &self,
        bytes: &[u8],
        source: &str,
    ) -> Result<usize, WebError> {
        self.require(
            self.actor().can_manage_campaign(),
            "giao chỉ tiêu cho từng đơn vị",
        )?;
        let problems = |p: Vec<hocvuso_core::input::RowProblem>| {
            WebError::Invalid(p.iter().map(|p| p.to_string()).collect())
        };
        let (header, rows) = hocvuso_docs::table::read_table(bytes).map_err(problems)?;
        let targets =
            hocvuso_core::assigned::parse_table(self.plan(), &header, &rows).map_err(problems)?;
        Ok(self
            .state
            .store
            .put_assigned_targets(self.plan(), &targets, source, self.who())
            .await?)
    }

    // ---- weekly reports ------------------------------------------------------------------------

    /// The indicators the actor may write for `unit` (empty: it may not report for this unit).
    pub fn writable_indicators<'a>(
        &'a self,
        unit: &UnitRecord,
    ) -> Vec<&'a hocvuso_core::plan::Indicator> {
        match target(unit) {
            Ok(t) => self.actor().writable_indicators(self.plan(), t),
            Err(_) => Vec::new(),
        }
    }

    /// Saves a unit's weekly report as a draft or submits it, after checking the week, the workflow
    /// (lock time, approved reports), the actor's right to write each indicator for this unit, and the
    /// values (errors, and warnings without a comment). Nothing is stored when anything is wrong.
    /// Returns the report id and the accepted warnings.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_report(
        &self,
        unit_code: &str,
        week: NaiveDate,
        figures: &BTreeMap<String, Figure>,
        comments: &BTreeMap<String, String>,
        difficulties: &str,
        proposals: &str,
        action: Action,
    ) -> Result<(i64, Vec<String>), WebError> {
        let unit = self.state.store.require_unit(unit_code).await?;
        let allowed = self.writable_indicators(&unit);
        if allowed.is_empty() || !self.actor().can_read(target(&unit)?) {
            return Err(Self::forbid(format!(
                "Tài khoản của bạn không được gửi báo cáo của {}.",
                unit.full_name
            )));
        }
        if figures.keys().any(|code| {
            !allowed.iter().any(|i| &i.code == code) && self.plan().indicator(code).is_some()
        }) {
            return Err(Self::forbid(
                "Báo cáo có chỉ tiêu không giao cho tài khoản của bạn; không có gì được lưu.",
            ));
        }
        let plan = self.plan();
        let Some(w) = calendar::week_on(plan, week) else {
            return Err(WebError::BadRequest(format!(
                "ngày {} không phải kỳ báo cáo của kế hoạch (báo cáo theo {})",
                hocvuso_core::format::date(week),
                crate::views::weekday_vi(plan.reporting.weekday)
            )));
        };
        let now = self.state.now();
        if w.reporting_day - chrono::Days::new(6) > now.date_naive() {
            return Err(WebError::Conflict(format!(
                "Không lưu được báo cáo: chưa đến kỳ báo cáo {}.",
                hocvuso_core::format::date(week)
            )));
        }
        let previous = self
            .state
            .store
            .previous_figures(&plan.code, &unit.code, week)
            .await?;
        let registered = self.state.store.denominators_of(&unit, week).await?;
        let kind = target(&unit)?.kind;
        let findings = check_report(
            plan,
            kind,
            &allowed,
            figures,
            comments,
            &previous,
            &registered,
        );
        if !findings.errors.is_empty() {
            return Err(WebError::Invalid(
                findings.errors.iter().map(|p| p.to_string()).collect(),
            ));
        }
        for (text, field) in [
            (difficulties, "khó khăn, vướng mắc"),
            (proposals, "đề xuất"),
        ] {
            if text.chars().count() > 10_000 {
                return Err(WebError::Invalid(vec![format!(
                    "{field}: dài quá 10.000 ký tự"
                )]));
            }
        }
        let staff = self.actor().can_manage_campaign();
        let locked = calendar::is_locked(&w, now);
        let own: Vec<NewValue> = figures
            .iter()
            .map(|(code, f)| NewValue {
                indicator: code.clone(),
                subject: unit.code.clone(),
                numerator: f.numerator,
                denominator: f.denominator,
                comment: comments
                    .get(code)
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty()),
            })
            .collect();
        let (plan_code, unit_code) = (plan.code.clone(), unit.code.clone());
        let (difficulties, proposals) = (
            difficulties.trim().to_string(),
            proposals.trim().to_string(),
        );
        let submitted_at = now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let change = ReportChange::new(&unit.code, week, move |stored| {
            let status = next_status(stored.map(|r| r.status), &action, staff, locked)
                .map_err(|m| WebError::Conflict(format!("Không lưu được báo cáo: {m}.")))?;
            let mut values = own.clone();
            // Figures entered for other units (on their behalf) stay as they are.
            values.extend(
                stored
                    .iter()
                    .flat_map(|r| r.values.iter().filter(|v| v.subject != unit_code).cloned()),
            );
            Ok(NewReport {
                plan: plan_code.clone(),
                unit: unit_code.clone(),
                week,
                status,
                difficulties: difficulties.clone(),
                proposals: proposals.clone(),
                submitted_at: status.counts().then(|| submitted_at.clone()),
                synthetic: false,
                values,
            })
        });
        let id = self
            .state
            .store
            .change_report(&self.state.plan, change, self.who())
            .await?;
        Ok((
            id,
            findings.warnings.iter().map(|w| w.to_string()).collect(),
        ))
    }

    /// The Excel template of a unit's report for a week: its own indicators, pre-filled with its last
    /// figures, with its registered denominators (to read a typed percentage).
    pub async fn report_template(
        &self,
        unit: &UnitRecord,
        week: NaiveDate,
    ) -> Result<hocvuso_docs::report_xlsx::Template, WebError> {
        use hocvuso_docs::report_xlsx::{Column, Row, Template};
        let unit = self.unit(&unit.code).await?;
        let indicators = self.writable_indicators(&unit);
        if indicators.is_empty() {
            return Err(Self::forbid(format!(
                "Tài khoản của bạn không được gửi báo cáo của {}.",
                unit.full_name
            )));
        }
        let plan = self.plan();
        let last = self
            .state
            .store
            .latest_values(&plan.code, &unit.code, week)
            .await?;
        let registered = self.state.store.denominators_of(&unit, week).await?;
        Ok(Template {
            plan_code: plan.code.clone(),
            plan_title: plan.title.clone(),
            week,
            reporter_code: unit.code.clone(),
            reporter_name: unit.full_name.clone(),
            columns: indicators
                .iter()
                .map(|i| Column {
                    indicator: i.code.clone(),
                    title: i.short_name.clone(),
                    has_denominator: i.kind == hocvuso_core::plan::TargetKind::Ratio,
                })
                .collect(),
            rows: vec![Row {
                code: unit.code.clone(),
                name: unit.full_name.clone(),
                last: last
                    .iter()
                    .map(|(k, (_, n, d))| (k.clone(), (*n, *d)))
                    .collect(),
                registered: indicators
                    .iter()
                    .filter_map(|i| {
                        Some((i.code.clone(), *registered.get(i.denominator.as_deref()?)?))
                    })
                    .collect(),
            }],
        })
    }

    /// The workbook in which `unit` enters, for every unit it reports on behalf of, the indicators the
    /// plan gives it for them (Công an tỉnh: VNeID figures for every commune of the province).
    pub async fn on_behalf_template(
        &self,
        unit: &UnitRecord,
        week: NaiveDate,
    ) -> Result<hocvuso_docs::report_xlsx::Template, WebError> {
        use hocvuso_docs::report_xlsx::{Column, Row, Template};
        let unit = self.unit(&unit.code).await?;
        let plan = self.plan();
        let indicators = self.actor().on_behalf_indicators(plan, target(&unit)?);
        let Some((_, kind)) = indicators.first() else {
            return Err(Self::forbid(format!(
                "{} không báo cáo thay cho đơn vị nào (hoặc tài khoản không có quyền).",
                unit.full_name
            )));
        };
        let province = self
            .state
            .store
            .require_unit(plan.province.as_str())
            .await?;
        let filter = UnitFilter {
            within: Some(province.code.clone()),
            kind: Some(*kind),
            limit: 100_000,
            ..Default::default()
        };
        let (subjects, _) = self.state.store.list_units(&filter).await?;
        let previous = self
            .state
            .store
            .previous_figures_by(&plan.code, &unit.code, week)
            .await?;
        let mut registered: BTreeMap<String, std::collections::HashMap<String, f64>> =
            BTreeMap::new();
        for (ind, _) in &indicators {
            if let Some(key) = &ind.denominator {
                registered.insert(
                    ind.code.clone(),
                    self.state
                        .store
                        .denominators_within(&province.path, key, week)
                        .await?,
                );
            }
        }
        Ok(Template {
            plan_code: plan.code.clone(),
            plan_title: plan.title.clone(),
            week,
            reporter_code: unit.code.clone(),
            reporter_name: unit.full_name.clone(),
            columns: indicators
                .iter()
                .map(|(i, _)| Column {
                    indicator: i.code.clone(),
                    title: i.short_name.clone(),
                    has_denominator: i.kind == hocvuso_core::plan::TargetKind::Ratio,
                })
                .collect(),
            rows: subjects
                .iter()
                .map(|s| Row {
                    code: s.code.clone(),
                    name: s.full_name.clone(),
                    last: previous
                        .get(&s.code)
                        .map(|m| {
                            m.iter()
                                .map(|(k, p)| (k.clone(), (p.numerator, p.denominator)))
                                .collect()
                        })
                        .unwrap_or_default(),
                    registered: registered
                        .iter()
                        .filter_map(|(ind, by)| Some((ind.clone(), *by.get(&s.code)?)))
                        .collect(),
                })
                .collect(),
        })
    }

    /// Stores the figures `unit` entered on behalf of other units (its own figures stay as they are),
    /// after the same checks as any report; problems are placed on the template's cells.
    pub async fn save_on_behalf(
        &self,
        unit_code: &str,
        week: NaiveDate,
        template: &hocvuso_docs::report_xlsx::Template,
        imported: &hocvuso_docs::report_xlsx::Imported,
    ) -> Result<usize, WebError> {
        let unit = self.unit(unit_code).await?;
        let plan = self.plan();
        let indicators = self.actor().on_behalf_indicators(plan, target(&unit)?);
        if indicators.is_empty() {
            return Err(Self::forbid(format!(
                "Tài khoản của bạn không được báo cáo thay cho đơn vị khác của {}.",
                unit.full_name
            )));
        }
        let Some(w) = calendar::week_on(plan, week) else {
            return Err(WebError::BadRequest(format!(
                "ngày {} không phải kỳ báo cáo của kế hoạch",
                hocvuso_core::format::date(week)
            )));
        };
        let now = self.state.now();
        let staff = self.actor().can_manage_campaign();
        let locked = calendar::is_locked(&w, now);
        let allowed: Vec<&hocvuso_core::plan::Indicator> =
            indicators.iter().map(|(i, _)| *i).collect();
        let kind = indicators[0].1;
        let previous = self
            .state
            .store
            .previous_figures_by(&plan.code, &unit.code, week)
            .await?;
        let empty = BTreeMap::new();
        let mut problems = Vec::new();
        let mut values = Vec::new();
        for row in &imported.rows {
            let comments: BTreeMap<String, String> = if row.note.is_empty() {
                BTreeMap::new()
            } else {
                row.figures
                    .keys()
                    .map(|k| (k.clone(), row.note.clone()))
                    .collect()
            };
            let registered: BTreeMap<String, f64> = template
                .rows
                .iter()
                .find(|r| r.code == row.code)
                .map(|r| {
                    allowed
                        .iter()
                        .filter_map(|i| Some((i.denominator.clone()?, *r.registered.get(&i.code)?)))
                        .collect()
                })
                .unwrap_or_default();
            let findings = check_report(
                plan,
                kind,
                &allowed,
                &row.figures,
                &comments,
                previous.get(&row.code).unwrap_or(&empty),
                &registered,
            );
            for p in findings.errors {
                let code = p.field.trim_start_matches("chỉ tiêu ");
                problems.push(format!(
                    "trang «Báo cáo», ô {}: {} ({}): {}",
                    template.cell_of(row.row, code),
                    p.field,
                    row.code,
                    p.message
                ));
            }
            values.extend(row.figures.iter().map(|(code, f)| NewValue {
                indicator: code.clone(),
                subject: row.code.clone(),
                numerator: f.numerator,
                denominator: f.denominator,
                comment: comments.get(code).cloned(),
            }));
        }
        if !problems.is_empty() {
            return Err(WebError::Invalid(problems));
        }
        let count = values.len();
        let (plan_code, unit_code) = (plan.code.clone(), unit.code.clone());
        let (difficulties, proposals) = (imported.difficulties.clone(), imported.proposals.clone());
        let submitted_at = now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let change = ReportChange::new(&unit.code, week, move |stored| {
            let status = next_status(stored.map(|r| r.status), &Action::Submit, staff, locked)
                .map_err(|m| WebError::Conflict(format!("Không lưu được báo cáo: {m}.")))?;
            // The unit's own figures stay; the figures about other units are the workbook's.
            let mut all = values.clone();
            all.extend(
                stored
                    .iter()
                    .flat_map(|r| r.values.iter().filter(|v| v.subject == unit_code).cloned()),
            );
            let keep = |new: &str, old: Option<&String>| {
                if new.is_empty() {
                    old.cloned().unwrap_or_default()
                } else {
                    new.to_string()
                }
            };
            Ok(NewReport {
                plan: plan_code.clone(),
                unit: unit_code.clone(),
                week,
                status,
                difficulties: keep(&difficulties, stored.map(|r| &r.difficulties)),
                proposals: keep(&proposals, stored.map(|r| &r.proposals)),
                submitted_at: Some(submitted_at.clone()),
                synthetic: false,
                values: all,
            })
        });
        self.state
            .store
            .change_report(&self.state.plan, change, self.who())
            .await?;
        Ok(count)
    }

    /// A unit's report for a week, with its history (None when there is none).
    pub async fn report(
        &self,
        unit: &UnitRecord,
        week: NaiveDate,
    ) -> Result<Option<(ReportRecord, Vec<ReportEvent>)>, WebError> {
        let unit = self.unit(&unit.code).await?;
        let Some(report) = self
            .state
            .store
            .report(&self.plan().code, &unit.code, week)
            .await?
        else {
            return Ok(None);
        };
        let events = self.state.store.report_events(report.id).await?;
        Ok(Some((report, events)))
    }

    /// Approves or returns a unit's report (secretariat).
    pub async fn review(
        &self,
        unit_code: &str,
        week: NaiveDate,
        action: Action,
    ) -> Result<Status, WebError> {
        self.require(
            self.actor().can_manage_campaign(),
            "duyệt hoặc trả lại báo cáo",
        )?;
        let unit = self.unit(unit_code).await?;
        let at = self
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let decide = |report: &ReportRecord| {
            let to = next_status(Some(report.status), &action, true, false)
                .map_err(|m| WebError::Conflict(format!("{m}.")))?;
            let reason = match &action {
                Action::Return { reason } => Some(reason.trim().to_string()),
                _ => None,
            };
            Ok((to, reason))
        };
        let to = self
            .state
            .store
            .review_report(
                &self.state.plan,
                (&unit.code, week),
                decide,
                &at,
                self.who(),
            )
            .await
            .map_err(|e| match e {
                hocvuso_store::StoreError::NotFound(_) => WebError::NotFound(format!(
                    "{} chưa có báo cáo kỳ {}",
                    unit.full_name,
                    hocvuso_core::format::date(week)
                )),
                other => other.into(),
            })?;
        Ok(to)
    }

    /// Reports waiting for review in the actor's scope (secretariat).
    pub async fn review_queue(&self, week: Option<NaiveDate>) -> Result<Vec<Concerns>, WebError> {
        self.require(self.actor().can_manage_campaign(), "duyệt báo cáo")?;
        let home = self.home().await?;
        Ok(self
            .state
            .store
            .review_queue(&self.plan().code, &home.path, week)
            .await?)
    }

    /// Difficulties and proposals of a week in the actor's scope.
    pub async fn week_concerns(&self, week: NaiveDate) -> Result<Vec<Concerns>, WebError> {
        let home = self.home().await?;
        Ok(self
            .state
            .store
            .week_concerns(&self.plan().code, &home.path, week)
            .await?)
    }

    /// Every report of a unit the actor may read, latest week first.
    pub async fn unit_history(
        &self,
        unit: &UnitRecord,
    ) -> Result<Vec<hocvuso_store::reports::UnitWeek>, WebError> {
        let unit = self.unit(&unit.code).await?;
        Ok(self
            .state
            .store
            .unit_history(&self.plan().code, &unit.code)
            .await?)
    }

    /// Report statuses within a unit's subtree.
    pub async fn week_statuses(&self, within: &UnitRecord) -> Result<Vec<WeekStatus>, WebError> {
        let within = self.unit(&within.code).await?;
        Ok(self
            .state
            .store
            .week_statuses(&self.plan().code, &within.path)
            .await?)
    }

    /// The unit's latest figures before `week`, to show beside its form.
    pub async fn latest_values(
        &self,
        unit: &UnitRecord,
        week: NaiveDate,
    ) -> Result<BTreeMap<String, (String, f64, Option<f64>)>, WebError> {
        let unit = self.unit(&unit.code).await?;
        Ok(self
            .state
            .store
            .latest_values(&self.plan().code, &unit.code, week)
            .await?)
    }

    // ---- door-to-door log -----------------------------------------------------------------------

    /// The village of a team member: the only accounts that log visits in the field app.
    pub async fn team_village(&self) -> Result<UnitRecord, WebError> {
        match (&self.actor().role, &self.actor().unit) {
            (Role::TeamMember, Some(own)) if own.kind == UnitKind::Village => {
                self.unit(&own.code.clone()).await
            }
            _ => Err(Self::forbid(
                "Nhật ký dành cho thành viên Tổ Công nghệ số cộng đồng (tài khoản gắn với một thôn, buôn, tổ dân phố).",
            )),
        }
    }

    /// Checks and stores records sent by a team member's phone, for its village (returned with the
    /// answers). Each record is answered on its own: stored, already stored (a retry), refused with
    /// its problems.
    pub async fn log_field_records(
        &self,
        raws: &[RawRecord],
    ) -> Result<(UnitRecord, Vec<SyncResult>), WebError> {
        let village = self.team_village().await?;
        let plan = self.plan();
        let today = calendar::local_today(plan, self.now());
        let mut results: Vec<SyncResult> = Vec::with_capacity(raws.len());
        let mut inputs = Vec::new();
        let mut positions = Vec::new();
        for (index, raw) in raws.iter().enumerate() {
            let id = hocvuso_core::field::parse_uuid(&raw.id).unwrap_or_default();
            match check_record(raw, plan, today, &self.state.person_key) {
                Ok(record) => {
                    positions.push(index);
                    inputs.push(FieldInput {
                        line: index + 1,
                        village: village.code.clone(),
                        record,
                    });
                    results.push(SyncResult::new(index, id, "stored", Vec::new()));
                }
                Err(problems) => results.push(SyncResult::new(index, id, "rejected", problems)),
            }
        }
        let outcomes = self
            .state
            .store
            .put_field_records(plan, &inputs, "app", self.who())
            .await?;
        for (position, outcome) in positions.into_iter().zip(outcomes) {
            let r = &mut results[position];
            match outcome {
                Outcome::Stored => {}
                Outcome::Duplicate => r.status = "duplicate",
                Outcome::Conflict => {
                    r.status = "rejected";
                    r.problems.push(FieldProblem {
                        field: "id",
                        message:
                            "mã bản ghi này đã dùng cho một bản ghi khác; bản ghi không được lưu"
                                .into(),
                    });
                }
            }
        }
        Ok((village, results))
    }

    /// Imports a paper log (rows already read from the file), all or nothing: the secretariat for
    /// any village of the plan, a commune's reporter for its own villages. Returns the records stored
    /// now and those that were already stored (the same file imported again).
    pub async fn import_field_log(
        &self,
        rows: &[(usize, String, RawRecord)],
        file_name: &str,
    ) -> Result<(usize, usize), WebError> {
        let actor = self.actor();
        let within = match actor.role {
            Role::Admin | Role::Secretariat => None,
            Role::Reporter
                if actor
                    .unit
                    .as_ref()
                    .is_some_and(|u| u.kind == UnitKind::Commune) =>
            {
                actor.unit.as_ref().map(|u| u.path.clone())
            }
            _ => {
                return Err(Self::forbid(
                    "Chỉ Sở KH&CN hoặc cán bộ báo cáo của xã, phường được nhập nhật ký giấy.",
                ));
            }
        };
        if let Some(path) = &within {
            let mut outside = Vec::new();
            let mut allowed: BTreeMap<&str, bool> = BTreeMap::new();
            for (line, village, _) in rows {
                if !allowed.contains_key(village.as_str()) {
                    let inside = self
                        .state
                        .store
                        .unit(village)
                        .await?
                        .is_some_and(|u| u.path.starts_with(path.as_str()));
                    allowed.insert(village, inside);
                }
                if !allowed[village.as_str()] {
                    outside.push(format!(
                        "dòng {line}, cột Mã thôn: «{village}» không phải thôn, buôn, tổ dân phố của xã, phường của bạn"
                    ));
                }
            }
            if !outside.is_empty() {
                return Err(WebError::Invalid(outside));
            }
        }
        let plan = self.plan();
        let today = calendar::local_today(plan, self.now());
        let inputs: Vec<FieldInput> = check_rows(rows, plan, today, &self.state.person_key)
            .map_err(|problems| {
                WebError::Invalid(problems.iter().map(|p| p.to_string()).collect())
            })?
            .into_iter()
            .map(|(line, village, record)| FieldInput {
                line,
                village,
                record,
            })
            .collect();
        let outcomes = self
            .state
            .store
            .put_field_records(plan, &inputs, file_name, self.who())
            .await?;
        let stored = outcomes.iter().filter(|o| **o == Outcome::Stored).count();
        let again = outcomes
            .iter()
            .filter(|o| **o == Outcome::Duplicate)
            .count();
        if stored + again < outcomes.len() {
            // Cannot happen for ids derived from the file's content; refuse rather than half-import.
            return Err(WebError::Conflict(
                "một số mã bản ghi trong tệp trùng với bản ghi khác đã lưu".into(),
            ));
        }
        Ok((stored, again))
    }

    /// Cumulative figures of the log for a unit up to the week of `reporting_day`, per tally item.
    pub async fn field_totals(
        &self,
        unit: &UnitRecord,
        reporting_day: NaiveDate,
    ) -> Result<std::collections::HashMap<String, i64>, WebError> {
        let unit = self.unit(&unit.code).await?;
        Ok(self
            .state
            .store
            .field_totals(&self.plan().code, &unit.code, reporting_day)
            .await?)
    }

    /// The log's team activity of units the actor may read (see `Store::field_activity`).
    pub async fn field_activity(
        &self,
        units: &[UnitRecord],
        recent: &[NaiveDate],
        to: NaiveDate,
    ) -> Result<std::collections::HashMap<String, hocvuso_store::field::Activity>, WebError> {
        for u in units {
            self.require(
                self.actor().can_read(target(u)?),
                "xem hoạt động của đơn vị này",
            )?;
        }
        let codes: Vec<String> = units.iter().map(|u| u.code.clone()).collect();
        Ok(self
            .state
            .store
            .field_activity(&self.plan().code, &codes, recent, to)
            .await?)
    }

    /// The inclusion aggregates of a commune or above (never a village: too few people).
    pub async fn field_inclusion(
        &self,
        unit: &UnitRecord,
        reporting_day: NaiveDate,
    ) -> Result<Vec<hocvuso_store::field::InclusionCell>, WebError> {
        let unit = self.unit(&unit.code).await?;
        Ok(self
            .state
            .store
            .field_inclusion(&self.plan().code, &unit.code, reporting_day)
            .await?)
    }

    // ---- audit ---------------------------------------------------------------------------------

    pub async fn audit_entries(
        &self,
        filter: &AuditFilter,
    ) -> Result<(Vec<AuditRecord>, i64), WebError> {
        self.require(self.actor().can_read_audit(), "xem nhật ký thao tác")?;
        Ok(self.state.store.audit_entries(filter).await?)
    }

    // ---- accounts ------------------------------------------------------------------------------

    pub async fn users(&self) -> Result<Vec<UserRecord>, WebError> {
        self.require(self.actor().can_manage_accounts(), "quản lý tài khoản")?;
        Ok(self.state.store.list_users().await?)
    }

    /// Creates an account; returns its id.
    pub async fn create_user(
        &self,
        username: &str,
        display_name: &str,
        role: Role,
        unit_code: Option<&str>,
        password: &str,
    ) -> Result<i64, WebError> {
        self.require(self.actor().can_manage_accounts(), "quản lý tài khoản")?;
        let new = validate_new_user(
            &self.state.store,
            username,
            display_name,
            role,
            unit_code,
            password,
        )
        .await?;
        let hash = secrets::hash_password(password.to_string()).await;
        Ok(self
            .state
            .store
            .create_user(
                &NewUser {
                    password_hash: hash,
                    ..new
                },
                self.who(),
            )
            .await?)
    }

    pub async fn set_disabled(&self, user_id: i64, disabled: bool) -> Result<(), WebError> {
        self.require(self.actor().can_manage_accounts(), "quản lý tài khoản")?;
        if user_id == self.actor().user_id && disabled {
            return Err(WebError::BadRequest(
                "Không thể tự khóa tài khoản của chính mình.".into(),
            ));
        }
        Ok(self
            .state
            .store
            .set_disabled(user_id, disabled, self.who())
            .await?)
    }

    /// Sets a new random password for a user and returns it (shown once to the admin).
    pub async fn reset_password(&self, user_id: i64) -> Result<String, WebError> {
        self.require(self.actor().can_manage_accounts(), "quản lý tài khoản")?;
        let password = temporary_password();
        let hash = secrets::hash_password(password.clone()).await;
        self.state
            .store
            .set_password(user_id, &hash, self.who())
            .await?;
        Ok(password)
    }

    /// Changes the actor's own password after checking the current one; every session ends.
    pub async fn change_own_password(&self, current: &str, new: &str) -> Result<(), WebError> {
        let (_, hash) = self
            .state
            .store
            .user_for_login(&self.actor().username)
            .await?
            .ok_or_else(|| WebError::NotFound("tài khoản không còn".into()))?;
        if !secrets::verify_password(current.to_string(), hash).await {
            return Err(WebError::Invalid(vec![
                "Mật khẩu hiện tại không đúng.".into(),
            ]));
        }
        secrets::check_new_password(new)
            .map_err(|m| WebError::Invalid(vec![format!("Mật khẩu mới: {m}.")]))?;
        let hash = secrets::hash_password(new.to_string()).await;
        Ok(self
            .state
            .store
            .set_password(self.actor().user_id, &hash, self.who())
            .await?)
    }

    pub async fn tokens(&self) -> Result<Vec<TokenRecord>, WebError> {
        self.require(self.actor().can_manage_accounts(), "quản lý khóa API")?;
        Ok(self.state.store.list_tokens(None).await?)
    }

    /// Creates an API token for a user; returns the token, shown once.
    pub async fn create_token(&self, user_id: i64, label: &str) -> Result<String, WebError> {
        self.require(self.actor().can_manage_accounts(), "quản lý khóa API")?;
        let label = label.trim();
        if label.is_empty() || label.chars().count() > 100 {
            return Err(WebError::Invalid(vec![
                "Tên khóa API: cần từ 1 đến 100 ký tự.".into(),
            ]));
        }
        let (token, prefix) = secrets::new_api_token();
        self.state
            .store
            .create_token(
                user_id,
                label,
                &secrets::digest(&token),
                &prefix,
                self.who(),
            )
            .await?;
        Ok(token)
    }

    pub async fn revoke_token(&self, id: i64) -> Result<(), WebError> {
        self.require(self.actor().can_manage_accounts(), "quản lý khóa API")?;
        Ok(self.state.store.revoke_token(id, self.who()).await?)
    }
}

/// A readable random password for resets and first accounts.
pub fn temporary_password() -> String {
    let raw = secrets::random_token(8);
    format!("hvs-{}-{}", &raw[..8], &raw[8..])
}

/// Checks the fields of a new account; the hash is filled in by the caller.
pub async fn validate_new_user(
    store: &hocvuso_store::Store,
    username: &str,
    display_name: &str,
    role: Role,
    unit_code: Option<&str>,
    password: &str,
) -> Result<NewUser, WebError> {
    let mut problems = Vec::new();
    let username = username.trim().to_lowercase();
    if username.is_empty()
        || username.len() > 64
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        problems
            .push("Tên đăng nhập: 1–64 ký tự gồm chữ không dấu, số, '.', '-', '_'.".to_string());
    }
    let display_name = display_name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if display_name.is_empty()
        || display_name.chars().count() > 120
        || display_name.chars().any(char::is_control)
    {
        problems.push("Họ tên: 1–120 ký tự, không có ký tự điều khiển.".to_string());
    }
    if let Err(m) = secrets::check_new_password(password) {
        problems.push(format!("Mật khẩu: {m}."));
    }
    let unit_code = unit_code.map(str::trim).filter(|c| !c.is_empty());
    match (role.unit_kinds(), unit_code) {
        (None, Some(_)) => problems.push(format!(
            "Vai trò «{}» không gắn với đơn vị; bỏ trống mã đơn vị.",
            role.label_vi()
        )),
        (Some(_), None) => problems.push(format!("Vai trò «{}» cần mã đơn vị.", role.label_vi())),
        (Some(kinds), Some(code)) => match store.unit(code).await? {
            None => problems.push(format!("Không có đơn vị mã «{code}».")),
            Some(u) if !u.kind().is_some_and(|k| kinds.contains(&k)) => problems.push(format!(
                "Vai trò «{}» không gắn được với {} (loại {}).",
                role.label_vi(),
                u.full_name,
                u.kind
            )),
            Some(_) => {}
        },
        (None, None) => {}
    }
    if !problems.is_empty() {
        return Err(WebError::Invalid(problems));
    }
    Ok(NewUser {
        username,
        display_name,
        role: role.as_str().to_string(),
        unit_code: unit_code.map(str::to_string),
        password_hash: String::new(),
    })
}
