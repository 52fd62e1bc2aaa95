//! Static assets, embedded so that a deployment on a closed network needs nothing else: styles,
//! scripts, the vendored ECharts bundle and the boundary maps from `data/`.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const GEOJSON: &str = "application/geo+json";

/// (path under `/static/`, content type, body)
const FILES: [(&str, &str, &[u8]); 10] = [
    ("app.css", CSS, include_bytes!("../../static/app.css")),
    ("field.css", CSS, include_bytes!("../../static/field.css")),
    ("field.js", JS, include_bytes!("../../static/field.js")),
    (
        "field-icon.svg",
        "image/svg+xml",
        include_bytes!("../../static/field-icon.svg"),
    ),
    ("app.js", JS, include_bytes!("../../static/app.js")),
    ("map.js", JS, include_bytes!("../../static/map.js")),
    ("trend.js", JS, include_bytes!("../../static/trend.js")),
    (
        "vendor/echarts.min.js",
        JS,
        include_bytes!("../../static/vendor/echarts.min.js"),
    ),
    (
        "geo/communes-66.geojson",
        GEOJSON,
        include_bytes!("../../../../data/daklak-communes-2025.geojson"),
    ),
    (
        "geo/provinces.geojson",
        GEOJSON,
        include_bytes!("../../../../data/vn-provinces-2025.geojson"),
    ),
];

/// Whether a commune boundary map of the province `code` is shipped.
pub fn has_commune_map(code: &str) -> bool {
    let path = format!("geo/communes-{code}.geojson");
    FILES.iter().any(|(name, _, _)| *name == path)
}

pub async fn serve(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, mime, body)) => (
            [
                (header::CONTENT_TYPE, *mime),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "Không có tệp này").into_response(),
    }
}
