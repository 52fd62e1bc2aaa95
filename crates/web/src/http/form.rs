//! Posted forms read as fields (the report form has a field per indicator, named by its code).

use super::CSRF_FIELD;
use super::WebError;
use std::collections::BTreeMap;

pub fn form_fields(body: &[u8]) -> Result<BTreeMap<String, String>, WebError> {
    Ok(serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .map_err(|_| WebError::BadRequest("biểu mẫu không đọc được".into()))?
        .into_iter()
        .filter(|(k, _)| k != CSRF_FIELD)
        .collect())
}
