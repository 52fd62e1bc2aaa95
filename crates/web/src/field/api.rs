//! `POST /api/v1/field/records` and `GET /api/v1/field/summary`.

use crate::http::{ApiError, Scoped, WebError};
use axum::Json;
use hocvuso_app::SyncResult;
use hocvuso_app::read::Summary;
use hocvuso_core::field::RawRecord;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SyncBody {
    records: Vec<RawRecord>,
}

#[derive(serde::Serialize)]
pub struct SyncReply {
    results: Vec<SyncResult>,
    summary: Summary,
}

/// `POST /api/v1/field/records` with `{"records": [...]}`: each record answered on its own.
pub async fn sync(scoped: Scoped, body: axum::body::Bytes) -> Result<Json<SyncReply>, ApiError> {
    let parsed: SyncBody = serde_json::from_slice(&body).map_err(|e| {
        // serde's message may quote a value (a citizen number in the wrong field): only the place.
        WebError::BadRequest(format!(
            "nội dung gửi lên không đúng dạng nhật ký (dòng {}, cột {}): cần {{\"records\": [{{\"id\": \"…\", \"date\": \"…\", …}}]}}",
            e.line(),
            e.column()
        ))
    })?;
    let (village, results) = scoped.log_field_records(&parsed.records).await?;
    Ok(Json(SyncReply {
        results,
        summary: scoped.village_summary(&village).await?,
    }))
}

/// `GET /api/v1/field/summary`: the team member's village figures.
pub async fn summary(scoped: Scoped) -> Result<Json<Summary>, ApiError> {
    let village = scoped.team_village().await?;
    Ok(Json(scoped.village_summary(&village).await?))
}
