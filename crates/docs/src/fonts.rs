//! The fonts documents are drawn with, shipped in the binary so that a PDF or a chart looks the same
//! on every machine, closed networks included: Liberation Serif (SIL Open Font License, see
//! `fonts/LICENSE`), metric-compatible with the Times New Roman that Nghị định 30/2020/NĐ-CP asks
//! for, with every Vietnamese letter.

/// The family name the fonts declare.
pub const SERIF: &str = "Liberation Serif";

/// Regular, bold, italic and bold italic faces, as TrueType files.
pub const SERIF_FACES: [&[u8]; 4] = [
    include_bytes!("../fonts/LiberationSerif-Regular.ttf"),
    include_bytes!("../fonts/LiberationSerif-Bold.ttf"),
    include_bytes!("../fonts/LiberationSerif-Italic.ttf"),
    include_bytes!("../fonts/LiberationSerif-BoldItalic.ttf"),
];
