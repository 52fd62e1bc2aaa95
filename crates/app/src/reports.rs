//! Weekly reports: save, submit, on-behalf, approve and return, Excel templates in and out, and the
//! reports' reads (history, review queue, statuses). Every change is decided inside its write
//! transaction against the report as stored there (`hocvuso_store::reports::ReportChange`).

use crate::error::{AppError, Result};
use crate::session::{Session, target};
use chrono::NaiveDate;
use hocvuso_core::calendar;
use hocvuso_core::report::{Action, Figure, Status, check_report, next_status};
use hocvuso_store::StoreError;
use hocvuso_store::reports::{
    Concerns, NewReport, NewValue, ReportChange, ReportEvent, ReportRecord, WeekStatus,
};
use hocvuso_store::units::{UnitFilter, UnitRecord};
use std::collections::BTreeMap;

/// Which workbook a unit sends: its own report's template, or the one it fills on behalf of others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workbook {
    Report,
    OnBehalf,
}

/// Reads a workbook against the template it was made from; every problem with its sheet and cell.
fn read_workbook(
    bytes: &[u8],
    template: &hocvuso_docs::report_xlsx::Template,
) -> Result<hocvuso_docs::report_xlsx::Imported> {
    hocvuso_docs::report_xlsx::read_workbook(bytes, template)
        .map_err(|problems| AppError::Invalid(problems.iter().map(|p| p.to_string()).collect()))
}

impl Session {
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

    /// Refuses an actor who may not send `workbook` for `unit`: the check the template and its import
    /// make, cheap enough to make before an upload's body is read.
    pub fn may_send(&self, unit: &UnitRecord, workbook: Workbook) -> Result<()> {
        match workbook {
            Workbook::Report if self.writable_indicators(unit).is_empty() => {
                Err(Self::forbid(format!(
                    "Tài khoản của bạn không được gửi báo cáo của {}.",
                    unit.full_name
                )))
            }
            Workbook::OnBehalf => self.on_behalf_kind(unit).map(|_| ()),
            _ => Ok(()),
        }
    }

    /// The kind of units `unit` reports about on behalf of them, or the refusal when it reports for
    /// none (or the actor may not send its workbook).
    fn on_behalf_kind(&self, unit: &UnitRecord) -> Result<hocvuso_core::units::UnitKind> {
        let indicators = self
            .actor()
            .on_behalf_indicators(self.plan(), target(unit)?);
        match indicators.first() {
            Some((_, kind)) => Ok(*kind),
            None => Err(Self::forbid(format!(
                "{} không báo cáo thay cho đơn vị nào (hoặc tài khoản không có quyền).",
                unit.full_name
            ))),
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
    ) -> Result<(i64, Vec<String>)> {
        let unit = self.app.store.require_unit(unit_code).await?;
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
            return Err(AppError::BadRequest(format!(
                "ngày {} không phải kỳ báo cáo của kế hoạch (báo cáo theo {})",
                hocvuso_core::format::date(week),
                hocvuso_core::format::weekday_vi(plan.reporting.weekday)
            )));
        };
        let now = self.app.now();
        if w.reporting_day - chrono::Days::new(6) > now.date_naive() {
            return Err(AppError::Conflict(format!(
                "Không lưu được báo cáo: chưa đến kỳ báo cáo {}.",
                hocvuso_core::format::date(week)
            )));
        }
        let previous = self
            .app
            .store
            .previous_figures(&plan.code, &unit.code, week)
            .await?;
        let registered = self.app.store.denominators_of(&unit, week).await?;
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
            return Err(AppError::Invalid(
                findings.errors.iter().map(|p| p.to_string()).collect(),
            ));
        }
        for (text, field) in [
            (difficulties, "khó khăn, vướng mắc"),
            (proposals, "đề xuất"),
        ] {
            if text.chars().count() > 10_000 {
                return Err(AppError::Invalid(vec![format!(
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
                .map_err(|m| AppError::Conflict(format!("Không lưu được báo cáo: {m}.")))?;
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
            .app
            .store
            .change_report(&self.app.plan, change, self.who())
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
    ) -> Result<hocvuso_docs::report_xlsx::Template> {
        use hocvuso_docs::report_xlsx::{Column, Row, Template};
        let unit = self.unit(&unit.code).await?;
        self.may_send(&unit, Workbook::Report)?;
        let indicators = self.writable_indicators(&unit);
        let plan = self.plan();
        let last = self
            .app
            .store
            .latest_values(&plan.code, &unit.code, week)
            .await?;
        let registered = self.app.store.denominators_of(&unit, week).await?;
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
    ) -> Result<hocvuso_docs::report_xlsx::Template> {
        use hocvuso_docs::report_xlsx::{Column, Row, Template};
        let unit = self.unit(&unit.code).await?;
        let plan = self.plan();
        let kind = self.on_behalf_kind(&unit)?;
        let indicators = self.actor().on_behalf_indicators(plan, target(&unit)?);
        let province = self.app.store.require_unit(plan.province.as_str()).await?;
        let filter = UnitFilter {
            within: Some(province.code.clone()),
            kind: Some(kind),
            limit: 100_000,
            ..Default::default()
        };
        let (subjects, _) = self.app.store.list_units(&filter).await?;
        let previous = self
            .app
            .store
            .previous_figures_by(&plan.code, &unit.code, week)
            .await?;
        let mut registered: BTreeMap<String, std::collections::HashMap<String, f64>> =
            BTreeMap::new();
        for (ind, _) in &indicators {
            if let Some(key) = &ind.denominator {
                registered.insert(
                    ind.code.clone(),
                    self.app
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

    /// Imports `unit`'s filled report template for `week` and submits it: all of it or nothing.
    /// A file that cannot be read, or figures the rules refuse, come back as [`AppError::Invalid`]
    /// with every problem, each placed on its sheet and cell where it has one.
    pub async fn import_report_workbook(
        &self,
        unit_code: &str,
        week: NaiveDate,
        bytes: &[u8],
    ) -> Result<()> {
        let unit = self.unit(unit_code).await?;
        let template = self.report_template(&unit, week).await?;
        let imported = read_workbook(bytes, &template)?;
        let row = imported
            .rows
            .into_iter()
            .find(|r| r.code == unit.code)
            .unwrap_or_default();
        let saved = self
            .save_report(
                &unit.code,
                week,
                &row.figures,
                &row.comments(),
                &imported.difficulties,
                &imported.proposals,
                Action::Submit,
            )
            .await;
        match saved {
            Ok(_) => Ok(()),
            // The shared rules name the indicator ("chỉ tiêu 2.5: …"): place each on its cell.
            Err(AppError::Invalid(problems)) => Err(AppError::Invalid(
                problems
                    .into_iter()
                    .map(|p| {
                        let cell = p
                            .strip_prefix("chỉ tiêu ")
                            .and_then(|rest| rest.split_once(": "))
                            .map(|(code, _)| template.cell_of(row.row, code))
                            .filter(|cell| !cell.is_empty());
                        match cell {
                            Some(cell) => format!("trang «Báo cáo», ô {cell}: {p}"),
                            None => p,
                        }
                    })
                    .collect(),
            )),
            Err(other) => Err(other),
        }
    }

    /// Imports the workbook `unit` filled for the units it reports about in `week`: all rows or
    /// none, problems placed on their cells. Returns how many values were stored.
    pub async fn import_on_behalf_workbook(
        &self,
        unit_code: &str,
        week: NaiveDate,
        bytes: &[u8],
    ) -> Result<usize> {
        let unit = self.unit(unit_code).await?;
        let template = self.on_behalf_template(&unit, week).await?;
        let imported = read_workbook(bytes, &template)?;
        self.save_on_behalf(&unit.code, week, &template, &imported)
            .await
    }

    /// Stores the figures `unit` entered on behalf of other units (its own figures stay as they are),
    /// after the same checks as any report; problems are placed on the template's cells.
    async fn save_on_behalf(
        &self,
        unit_code: &str,
        week: NaiveDate,
        template: &hocvuso_docs::report_xlsx::Template,
        imported: &hocvuso_docs::report_xlsx::Imported,
    ) -> Result<usize> {
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
            return Err(AppError::BadRequest(format!(
                "ngày {} không phải kỳ báo cáo của kế hoạch",
                hocvuso_core::format::date(week)
            )));
        };
        let now = self.app.now();
        let staff = self.actor().can_manage_campaign();
        let locked = calendar::is_locked(&w, now);
        let allowed: Vec<&hocvuso_core::plan::Indicator> =
            indicators.iter().map(|(i, _)| *i).collect();
        let kind = indicators[0].1;
        let previous = self
            .app
            .store
            .previous_figures_by(&plan.code, &unit.code, week)
            .await?;
        let empty = BTreeMap::new();
        let mut problems = Vec::new();
        let mut values = Vec::new();
        for row in &imported.rows {
            let comments = row.comments();
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
            return Err(AppError::Invalid(problems));
        }
        let count = values.len();
        let (plan_code, unit_code) = (plan.code.clone(), unit.code.clone());
        let (difficulties, proposals) = (imported.difficulties.clone(), imported.proposals.clone());
        let submitted_at = now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let change = ReportChange::new(&unit.code, week, move |stored| {
            let status = next_status(stored.map(|r| r.status), &Action::Submit, staff, locked)
                .map_err(|m| AppError::Conflict(format!("Không lưu được báo cáo: {m}.")))?;
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
        self.app
            .store
            .change_report(&self.app.plan, change, self.who())
            .await?;
        Ok(count)
    }

    /// A unit's report for a week, with its history (None when there is none).
    pub async fn report(
        &self,
        unit: &UnitRecord,
        week: NaiveDate,
    ) -> Result<Option<(ReportRecord, Vec<ReportEvent>)>> {
        let unit = self.unit(&unit.code).await?;
        let Some(report) = self
            .app
            .store
            .report(&self.plan().code, &unit.code, week)
            .await?
        else {
            return Ok(None);
        };
        let events = self.app.store.report_events(report.id).await?;
        Ok(Some((report, events)))
    }

    /// Approves or returns a unit's report (secretariat).
    pub async fn review(&self, unit_code: &str, week: NaiveDate, action: Action) -> Result<Status> {
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
                .map_err(|m| AppError::Conflict(format!("{m}.")))?;
            let reason = match &action {
                Action::Return { reason } => Some(reason.trim().to_string()),
                _ => None,
            };
            Ok((to, reason))
        };
        let to = self
            .app
            .store
            .review_report(&self.app.plan, (&unit.code, week), decide, &at, self.who())
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => AppError::NotFound(format!(
                    "{} chưa có báo cáo kỳ {}",
                    unit.full_name,
                    hocvuso_core::format::date(week)
                )),
                other => other.into(),
            })?;
        Ok(to)
    }

    /// Reports waiting for review in the actor's scope (secretariat).
    pub async fn review_queue(&self, week: Option<NaiveDate>) -> Result<Vec<Concerns>> {
        self.require(self.actor().can_manage_campaign(), "duyệt báo cáo")?;
        let home = self.home().await?;
        Ok(self
            .app
            .store
            .review_queue(&self.plan().code, &home.path, week)
            .await?)
    }

    /// Difficulties and proposals of a week in the actor's scope.
    pub async fn week_concerns(&self, week: NaiveDate) -> Result<Vec<Concerns>> {
        let home = self.home().await?;
        Ok(self
            .app
            .store
            .week_concerns(&self.plan().code, &home.path, week)
            .await?)
    }

    /// Every report of a unit the actor may read, latest week first.
    pub async fn unit_history(
        &self,
        unit: &UnitRecord,
    ) -> Result<Vec<hocvuso_store::reports::UnitWeek>> {
        let unit = self.unit(&unit.code).await?;
        Ok(self
            .app
            .store
            .unit_history(&self.plan().code, &unit.code)
            .await?)
    }

    /// Report statuses within a unit's subtree.
    pub async fn week_statuses(&self, within: &UnitRecord) -> Result<Vec<WeekStatus>> {
        let within = self.unit(&within.code).await?;
        Ok(self
            .app
            .store
            .week_statuses(&self.plan().code, &within.path)
            .await?)
    }

    /// The unit's latest figures before `week`, to show beside its form.
    pub async fn latest_values(
        &self,
        unit: &UnitRecord,
        week: NaiveDate,
    ) -> Result<BTreeMap<String, (String, f64, Option<f64>)>> {
        let unit = self.unit(&unit.code).await?;
        Ok(self
            .app
            .store
            .latest_values(&self.plan().code, &unit.code, week)
            .await?)
    }
}
