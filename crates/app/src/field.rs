//! The door-to-door log: a team member's records from the phone, paper logs, and the log's reads.

use crate::error::{AppError, Result};
use crate::session::{Session, target};
use chrono::NaiveDate;
use hocvuso_core::access::Role;
use hocvuso_core::calendar;
use hocvuso_core::field::{FieldProblem, RawRecord, check_record, check_rows};
use hocvuso_core::units::UnitKind;
use hocvuso_store::field::{FieldInput, Outcome};
use hocvuso_store::units::UnitRecord;
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

/// Records one sync may carry (the app sends at most 100).
pub const MAX_SYNC_RECORDS: usize = 500;

impl Session {
    /// The village of a team member: the only accounts that log visits in the field app.
    pub async fn team_village(&self) -> Result<UnitRecord> {
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
    ) -> Result<(UnitRecord, Vec<SyncResult>)> {
        if raws.len() > MAX_SYNC_RECORDS {
            return Err(AppError::BadRequest(format!(
                "mỗi lần gửi tối đa {MAX_SYNC_RECORDS} bản ghi (đang có {})",
                raws.len()
            )));
        }
        let village = self.team_village().await?;
        let plan = self.plan();
        let today = calendar::local_today(plan, self.now());
        let mut results: Vec<SyncResult> = Vec::with_capacity(raws.len());
        let mut inputs = Vec::new();
        let mut positions = Vec::new();
        for (index, raw) in raws.iter().enumerate() {
            let id = hocvuso_core::field::parse_uuid(&raw.id).unwrap_or_default();
            match check_record(raw, plan, today, &self.app.person_key) {
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
            .app
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

    /// Imports a paper log (.csv or .xlsx), all or nothing: the secretariat for any village of the
    /// plan, a commune's reporter for its own villages. Every problem comes back with its row and
    /// column. Returns the records stored now and those that were already stored (the same file
    /// imported again).
    pub async fn import_field_log(&self, bytes: &[u8], file_name: &str) -> Result<(usize, usize)> {
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
        let rows = hocvuso_docs::field_log::parse(bytes).map_err(|problems| {
            AppError::Invalid(problems.iter().map(|p| p.to_string()).collect())
        })?;
        let rows = &rows;
        if let Some(path) = &within {
            let mut outside = Vec::new();
            let mut allowed: BTreeMap<&str, bool> = BTreeMap::new();
            for (line, village, _) in rows {
                if !allowed.contains_key(village.as_str()) {
                    let inside = self
                        .app
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
                return Err(AppError::Invalid(outside));
            }
        }
        let plan = self.plan();
        let today = calendar::local_today(plan, self.now());
        let inputs: Vec<FieldInput> = check_rows(rows, plan, today, &self.app.person_key)
            .map_err(|problems| {
                AppError::Invalid(problems.iter().map(|p| p.to_string()).collect())
            })?
            .into_iter()
            .map(|(line, village, record)| FieldInput {
                line,
                village,
                record,
            })
            .collect();
        let outcomes = self
            .app
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
            return Err(AppError::Conflict(
                "một số mã bản ghi trong tệp trùng với bản ghi khác đã lưu".into(),
            ));
        }
        Ok((stored, again))
    }

    /// The figures of the community teams' log for a commune's report of `week`, by indicator code:
    /// cumulative up to that reporting day, for the indicators the plan measures from the log
    /// (empty for other units).
    pub async fn field_log_figures(
        &self,
        unit: &UnitRecord,
        week: NaiveDate,
    ) -> Result<BTreeMap<String, f64>> {
        let plan = self.plan();
        if unit.kind() != Some(UnitKind::Commune) || plan.field_indicators().next().is_none() {
            return Ok(BTreeMap::new());
        }
        let totals = self.field_totals(unit, week).await?;
        Ok(plan
            .field_indicators()
            .map(|(ind, measure)| {
                let n = totals.get(measure.item()).copied().unwrap_or(0);
                (ind.code.clone(), n as f64)
            })
            .collect())
    }

    /// Cumulative figures of the log for a unit up to the week of `reporting_day`, per tally item.
    pub async fn field_totals(
        &self,
        unit: &UnitRecord,
        reporting_day: NaiveDate,
    ) -> Result<std::collections::HashMap<String, i64>> {
        let unit = self.unit(&unit.code).await?;
        Ok(self
            .app
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
    ) -> Result<std::collections::HashMap<String, hocvuso_store::field::Activity>> {
        for u in units {
            self.require(
                self.actor().can_read(target(u)?),
                "xem hoạt động của đơn vị này",
            )?;
        }
        let codes: Vec<String> = units.iter().map(|u| u.code.clone()).collect();
        Ok(self
            .app
            .store
            .field_activity(&self.plan().code, &codes, recent, to)
            .await?)
    }

    /// The inclusion aggregates of a commune or above (never a village: too few people).
    pub async fn field_inclusion(
        &self,
        unit: &UnitRecord,
        reporting_day: NaiveDate,
    ) -> Result<Vec<hocvuso_store::field::InclusionCell>> {
        let unit = self.unit(&unit.code).await?;
        Ok(self
            .app
            .store
            .field_inclusion(&self.plan().code, &unit.code, reporting_day)
            .await?)
    }
}
