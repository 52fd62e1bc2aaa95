//! The composite score for commendation rankings, written out for the page so that anyone can
//! recompute a unit's score from the columns shown beside it.

/// The rule as the rankings page states it.
pub const SCORE_RULE: &str = "Điểm xếp hạng = 80 % × mức đạt trung bình + 20 % × tỷ lệ báo cáo đúng hạn. Mức đạt trung bình: trung bình cộng, trên các chỉ tiêu có chỉ tiêu áp dụng cho đơn vị, của kết quả so với chỉ tiêu của mốc đang áp dụng (mỗi chỉ tiêu tính tối đa 100 %; chưa có số liệu tính 0 %). Tỷ lệ báo cáo đúng hạn: số tuần gửi báo cáo trước hạn trên số tuần phải báo cáo đến ngày xem. Bằng điểm thì xếp theo mức đạt trung bình, rồi theo tên.";

/// Weight (percent) of the average share of target; the rest is timeliness.
pub const ACHIEVEMENT_WEIGHT: f64 = 80.0;

/// Average share of target (percent) over the indicators whose target applies: each capped at 100,
/// no data counting as 0. None when no target applies.
pub fn achievement(shares: &[Option<f64>]) -> Option<f64> {
    if shares.is_empty() {
        return None;
    }
    let sum: f64 = shares
        .iter()
        .map(|s| s.unwrap_or(0.0).clamp(0.0, 100.0))
        .sum();
    Some(sum / shares.len() as f64)
}

/// The score (0–100) from the average share of target and the timeliness, both in percent.
pub fn score(achievement: f64, timeliness: f64) -> f64 {
    (ACHIEVEMENT_WEIGHT * achievement + (100.0 - ACHIEVEMENT_WEIGHT) * timeliness) / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_capped_and_missing_data_counts_as_zero() {
        assert_eq!(
            achievement(&[Some(150.0), Some(50.0), None, Some(-3.0)]),
            Some(37.5)
        );
        assert_eq!(achievement(&[]), None);
    }

    #[test]
    fn the_score_weighs_achievement_four_times_timeliness() {
        assert_eq!(score(100.0, 0.0), 80.0);
        assert_eq!(score(0.0, 100.0), 20.0);
        assert!((score(62.5, 75.0) - 65.0).abs() < 1e-9);
        assert!(SCORE_RULE.contains("80 %") && SCORE_RULE.contains("20 %"));
    }
}
