//! Per-unit assigned targets (the plan's appendix): read and replaced as a whole.

use crate::error::{AppError, Result};
use crate::session::Session;

impl Session {
    /// The plan's per-unit assigned targets with their units' names (secretariat).
    pub async fn assigned_targets(
        &self,
    ) -> Result<Vec<(hocvuso_core::assigned::AssignedTarget, String)>> {
        self.require(
            self.actor().can_manage_campaign(),
            "xem chỉ tiêu giao từng đơn vị",
        )?;
        Ok(self.app.store.assigned_targets(&self.plan().code).await?)
    }

    /// Replaces the plan's assigned targets with a table read from a file, all or nothing.
    pub async fn load_assigned_targets(&self, bytes: &[u8], source: &str) -> Result<usize> {
        self.require(
            self.actor().can_manage_campaign(),
            "giao chỉ tiêu cho từng đơn vị",
        )?;
        let problems = |p: Vec<hocvuso_core::input::RowProblem>| {
            AppError::Invalid(p.iter().map(|p| p.to_string()).collect())
        };
        let (header, rows) = hocvuso_docs::table::read_table(bytes).map_err(problems)?;
        let targets =
            hocvuso_core::assigned::parse_table(self.plan(), &header, &rows).map_err(problems)?;
        Ok(self
            .app
            .store
            .put_assigned_targets(self.plan(), &targets, source, self.who())
            .await?)
    }
}
