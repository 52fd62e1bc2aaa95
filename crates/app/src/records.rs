//! The records use cases hand out and take in, as the store defines them: the web and the CLI name
//! them from here, never from the store.

pub use hocvuso_store::accounts::{Throttle, TokenRecord, UserRecord};
pub use hocvuso_store::audit::{AuditFilter, AuditRecord, Who};
pub use hocvuso_store::field::{Activity, InclusionCell};
pub use hocvuso_store::reports::{Concerns, ReportEvent, ReportRecord, UnitWeek, WeekStatus};
pub use hocvuso_store::units::{UnitFilter, UnitRecord};
