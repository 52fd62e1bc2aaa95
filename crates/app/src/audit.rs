//! The audit log, for the secretariat.

use crate::error::Result;
use crate::session::Session;
use hocvuso_store::audit::{AuditFilter, AuditRecord};

impl Session {
    pub async fn audit_entries(&self, filter: &AuditFilter) -> Result<(Vec<AuditRecord>, i64)> {
        self.require(self.actor().can_read_audit(), "xem nhật ký thao tác")?;
        Ok(self.app.store.audit_entries(filter).await?)
    }
}
