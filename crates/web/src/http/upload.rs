//! Files the site takes in: the `file` field of a multipart form.

use super::WebError;

/// Largest upload body: a little over the largest workbook, which the importer refuses with a clear
/// message.
pub const UPLOAD_LIMIT: usize = hocvuso_docs::report_xlsx::MAX_XLSX_BYTES + 1024 * 1024;

/// The form's non-empty `file` field: its name and bytes.
pub async fn uploaded_file(
    multipart: &mut axum::extract::Multipart,
) -> Result<Option<(String, axum::body::Bytes)>, WebError> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        WebError::BadRequest(format!("tệp gửi lên không đọc được: {e}"))
    };
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("tệp").to_string();
            file = Some((name, field.bytes().await.map_err(unreadable)?));
        }
    }
    Ok(file.filter(|(_, bytes)| !bytes.is_empty()))
}
