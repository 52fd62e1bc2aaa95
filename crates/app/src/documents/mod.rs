//! Documents of a unit: the letterhead, next period's tasks, the difficulties and proposals compiled;
//! and the documents themselves (`contents`: what a weekly or final report says; `Format`: its file).

mod contents;

pub use contents::{DOCX_TYPE, Format, PDF, Report, final_document, weekly_document};

use crate::error::{AppError, Result};
use crate::session::{Session, target};
use chrono::NaiveDate;
use hocvuso_core::official::Letterhead;
use hocvuso_core::units::UnitKind;
use hocvuso_store::reports::Concerns;
use hocvuso_store::units::UnitRecord;

impl Session {
    pub fn can_edit_documents(&self, unit: &UnitRecord) -> bool {
        target(unit).is_ok_and(|t| self.actor().can_edit_documents(t))
    }

    /// The letterhead of a unit's documents: as saved, else the default for its level.
    pub async fn letterhead(&self, unit: &UnitRecord) -> Result<Letterhead> {
        let unit = self.unit(&unit.code).await?;
        if let Some(saved) = self
            .app
            .store
            .letterhead(&self.plan().code, &unit.code)
            .await?
        {
            return Ok(saved);
        }
        let province = self
            .app
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

    pub async fn save_letterhead(&self, unit: &UnitRecord, letterhead: &Letterhead) -> Result<()> {
        let unit = self.unit(&unit.code).await?;
        self.require(
            self.can_edit_documents(&unit),
            "sửa mẫu văn bản của đơn vị này",
        )?;
        let problems = letterhead.problems();
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        Ok(self
            .app
            .store
            .set_letterhead(&self.plan().code, &unit.code, letterhead, self.who())
            .await?)
    }

    /// The next week's tasks saved for a unit's report of `week`.
    pub async fn next_tasks(&self, unit: &UnitRecord, week: NaiveDate) -> Result<Option<String>> {
        let unit = self.unit(&unit.code).await?;
        Ok(self
            .app
            .store
            .next_tasks(&self.plan().code, &unit.code, week)
            .await?)
    }

    pub async fn save_next_tasks(
        &self,
        unit: &UnitRecord,
        week: NaiveDate,
        text: &str,
    ) -> Result<()> {
        let unit = self.unit(&unit.code).await?;
        self.require(
            self.can_edit_documents(&unit),
            "sửa báo cáo tuần của đơn vị này",
        )?;
        if text.chars().count() > 10_000 {
            return Err(AppError::Invalid(vec![
                "Nhiệm vụ tuần tới: dài quá 10.000 ký tự".into(),
            ]));
        }
        Ok(self
            .app
            .store
            .set_next_tasks(&self.plan().code, &unit.code, week, text, self.who())
            .await?)
    }

    /// Difficulties and proposals written in a week within a unit's subtree.
    pub async fn concerns_within(
        &self,
        unit: &UnitRecord,
        week: NaiveDate,
    ) -> Result<Vec<Concerns>> {
        let unit = self.unit(&unit.code).await?;
        Ok(self
            .app
            .store
            .week_concerns(&self.plan().code, &unit.path, week)
            .await?)
    }
}
