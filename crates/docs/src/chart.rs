//! Charts for documents, drawn as SVG (embedded as such in a PDF) and turned into PNG for a .docx:
//! stacked bars, one bar per category (a week), one colour per series (a status).

use crate::fonts;
use std::fmt::Write;

/// A series of a stacked bar chart: its name in the legend, its colour ("#7cc48f"), and one value
/// per category.
pub struct Series {
    pub name: String,
    pub colour: String,
    pub values: Vec<f64>,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 14.0;
/// Room for the category labels and the legend.
const BOTTOM: f64 = 64.0;

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The smallest of 1, 2, 5 × 10ⁿ at or above `max / 5`: the step between grid lines.
fn step(max: f64) -> f64 {
    let raw = (max / 5.0).max(1.0);
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power)
}

/// A stacked bar chart: `categories` along the bottom, the series stacked in order from the
/// bottom, a grid with its values on the left, the legend under the chart.
pub fn stacked_bars(categories: &[String], series: &[Series]) -> String {
    let totals: Vec<f64> = (0..categories.len())
        .map(|i| {
            series
                .iter()
                .map(|s| s.values.get(i).copied().unwrap_or(0.0))
                .sum()
        })
        .collect();
    let max = totals.iter().copied().fold(0.0, f64::max).max(1.0);
    let step = step(max);
    let top_value = (max / step).ceil() * step;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let y = |v: f64| TOP + plot_h * (1.0 - v / top_value);
    let font = fonts::SERIF;

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{font}" font-size="15">"#
    );
    let _ = write!(
        svg,
        r##"<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>"##
    );
    let mut v = 0.0;
    while v <= top_value + step / 2.0 {
        let gy = y(v);
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" y1="{gy:.1}" x2="{:.1}" y2="{gy:.1}" stroke="#d5dae1" stroke-width="0.8"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            WIDTH - RIGHT,
            LEFT - 6.0,
            gy + 4.0,
            v
        );
        v += step;
    }
    let slot = plot_w / categories.len().max(1) as f64;
    let bar = (slot * 0.7).min(40.0);
    // Every label when they fit, else every second or third.
    let every = ((categories.len() as f64 * 34.0 / plot_w).ceil() as usize).max(1);
    for (i, label) in categories.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        let mut base = 0.0;
        for s in series {
            let value = s.values.get(i).copied().unwrap_or(0.0);
            if value > 0.0 {
                let _ = write!(
                    svg,
                    r#"<rect x="{x:.1}" y="{:.1}" width="{bar:.1}" height="{:.1}" fill="{}"/>"#,
                    y(base + value),
                    y(base) - y(base + value),
                    escape(&s.colour)
                );
            }
            base += value;
        }
        if i % every == 0 {
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                x + bar / 2.0,
                TOP + plot_h + 16.0,
                escape(label)
            );
        }
    }
    let _ = write!(
        svg,
        r##"<line x1="{LEFT}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#333333" stroke-width="1"/>"##,
        TOP + plot_h,
        WIDTH - RIGHT,
        TOP + plot_h
    );
    let mut lx = LEFT;
    let ly = HEIGHT - 20.0;
    for s in series {
        let _ = write!(
            svg,
            r##"<rect x="{lx:.1}" y="{:.1}" width="13" height="13" fill="{}" stroke="#555555" stroke-width="0.5"/><text x="{:.1}" y="{ly:.1}">{}</text>"##,
            ly - 11.0,
            escape(&s.colour),
            lx + 18.0,
            escape(&s.name)
        );
        lx += 18.0 + s.name.chars().count() as f64 * 7.5 + 20.0;
    }
    svg.push_str("</svg>");
    svg
}

/// An SVG drawn `width_px` wide as PNG, with the shipped fonts: the bytes, width and height.
pub fn png(svg: &str, width_px: f64) -> Result<(Vec<u8>, u32, u32), String> {
    use resvg::{tiny_skia, usvg};
    let mut options = usvg::Options {
        font_family: fonts::SERIF.into(),
        ..usvg::Options::default()
    };
    for face in fonts::SERIF_FACES {
        options.fontdb_mut().load_font_data(face.to_vec());
    }
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| format!("hình vẽ hỏng: {e}"))?;
    let size = tree.size();
    let scale = (width_px / f64::from(size.width())).max(0.01) as f32;
    let (w, h) = (
        (size.width() * scale).ceil() as u32,
        (size.height() * scale).ceil() as u32,
    );
    let mut pixmap = tiny_skia::Pixmap::new(w, h).ok_or("hình vẽ rỗng")?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let png = pixmap
        .encode_png()
        .map_err(|e| format!("không ghi được hình PNG: {e}"))?;
    Ok((png, w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> String {
        stacked_bars(
            &["T1".into(), "T2".into(), "T3 <&>".into()],
            &[
                Series {
                    name: "Đạt".into(),
                    colour: "#7cc48f".into(),
                    values: vec![1.0, 3.0, 7.0],
                },
                Series {
                    name: "Chậm".into(),
                    colour: "#f0928a".into(),
                    values: vec![9.0, 6.0, 2.0],
                },
            ],
        )
    }

    #[test]
    fn grid_steps_are_round() {
        assert_eq!(step(16.0), 5.0);
        assert_eq!(step(3.0), 1.0);
        assert_eq!(step(102.0), 50.0);
        assert_eq!(step(1_234.0), 500.0);
    }

    #[test]
    fn bars_stack_and_labels_are_escaped() {
        let svg = sample();
        assert!(svg.contains("T3 &lt;&amp;&gt;"), "{svg}");
        assert!(svg.contains(">Đạt</text>") && svg.contains(">Chậm</text>"));
        // Two series over three categories, all values above zero: six bars, two legend keys.
        assert_eq!(svg.matches(r##"fill="#7cc48f""##).count(), 3 + 1);
        assert_eq!(svg.matches(r##"fill="#f0928a""##).count(), 3 + 1);
    }

    #[test]
    fn the_png_has_the_asked_width_and_is_not_blank() {
        let (png, w, h) = png(&sample(), 800.0).unwrap();
        assert_eq!((w, h), (800, 400));
        assert!(png.starts_with(b"\x89PNG"));
        // A white page of that size compresses to a few hundred bytes; bars and text do not.
        assert!(png.len() > 5_000, "{} bytes", png.len());
    }
}
