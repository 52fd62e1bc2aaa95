//! Plans as data: a human-editable TOML file (format in `docs/plan-format.md`), parsed leniently
//! ([`raw`]), validated with every problem reported at once ([`check`]), each problem placed on its line.

mod check;
mod model;
mod raw;

pub use check::{Problem, Seg, parse_date_text, parse_weekday, path_to_string};
pub use model::*;

use std::fmt;
use toml::de::{DeTable, DeValue};

/// A problem in a plan file, with the line it is on (1-based) when known.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanError {
    pub line: Option<usize>,
    pub field: String,
    pub message: String,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.field.is_empty()) {
            (Some(l), false) => write!(f, "dòng {l}, trường {}: {}", self.field, self.message),
            (Some(l), true) => write!(f, "dòng {l}: {}", self.message),
            (None, false) => write!(f, "trường {}: {}", self.field, self.message),
            (None, true) => f.write_str(&self.message),
        }
    }
}

/// Parses and validates a plan. On failure, returns every problem found, in file order.
pub fn parse_plan(text: &str) -> Result<Plan, Vec<PlanError>> {
    let raw: raw::RawPlan = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            // Syntax or shape errors stop parsing: report the one toml found, with its line.
            let line = e.span().map(|s| line_of(text, s.start));
            return Err(vec![PlanError {
                line,
                field: String::new(),
                message: shape_message(e.message()),
            }]);
        }
    };
    check::check(&raw).map_err(|problems| {
        let doc = DeTable::parse(text).ok();
        let mut errors: Vec<PlanError> = problems
            .into_iter()
            .map(|p| PlanError {
                line: doc
                    .as_ref()
                    .and_then(|d| locate(d.get_ref(), &p.path))
                    .map(|off| line_of(text, off)),
                field: path_to_string(&p.path),
                message: p.message,
            })
            .collect();
        errors.sort_by_key(|e| e.line.unwrap_or(usize::MAX));
        errors
    })
}

/// toml's own messages are English; prefix them so a Vietnamese reader knows what kind of problem it is.
fn shape_message(msg: &str) -> String {
    format!(
        "tệp kế hoạch sai cú pháp hoặc sai kiểu dữ liệu: {}",
        msg.trim()
    )
}

/// Byte offset of the deepest existing element along `path`.
fn locate(root: &DeTable<'_>, path: &[Seg]) -> Option<usize> {
    let mut best = None;
    let mut current: Option<&DeValue<'_>> = None;
    for seg in path {
        let next = match (seg, current) {
            (Seg::Key(k), None) => root.get(*k),
            (Seg::Key(k), Some(v)) => v.get(*k),
            (Seg::Index(i), Some(v)) => v.get(*i),
            (Seg::Index(_), None) => None,
        };
        match next {
            Some(spanned) => {
                best = Some(spanned.span().start);
                current = Some(spanned.get_ref());
            }
            None => break,
        }
    }
    best
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
}
