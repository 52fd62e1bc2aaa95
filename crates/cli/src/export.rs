//! `hocvuso export`: the raw tables as CSV files (RFC 4180, UTF-8, a header row).

use anyhow::{Context, Result};
use hocvuso_docs::csv_out::CsvWriter;
use hocvuso_store::Store;
use hocvuso_store::export::{PAGE, TABLES};
use std::path::Path;

/// Writes every table of [`TABLES`] into `dir`; returns (table, rows written).
pub async fn write_tables(store: &Store, dir: &Path) -> Result<Vec<(&'static str, usize)>> {
    std::fs::create_dir_all(dir).with_context(|| format!("không tạo được {}", dir.display()))?;
    let mut written = Vec::new();
    for (index, (name, columns, _)) in TABLES.iter().enumerate() {
        let path = dir.join(format!("{name}.csv"));
        let file = std::fs::File::create(&path)
            .with_context(|| format!("không ghi được {}", path.display()))?;
        let mut out = CsvWriter::new(std::io::BufWriter::new(file), b',', false)?;
        out.row(columns.iter())?;
        let mut rows = 0;
        loop {
            let page = store.export_page(index, rows as i64).await?;
            for row in &page {
                out.row(row.iter().map(|v| v.as_deref().unwrap_or_default()))?;
            }
            rows += page.len();
            if (page.len() as i64) < PAGE {
                break;
            }
        }
        std::io::Write::flush(&mut out.finish()?)?;
        written.push((*name, rows));
    }
    Ok(written)
}
