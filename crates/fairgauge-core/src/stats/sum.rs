//! Compensated summation, used wherever a statistic adds many floating-point terms.

/// Sum with Neumaier's compensation (error independent of the length for sums of like sign).
pub fn neumaier_sum<I: IntoIterator<Item = f64>>(values: I) -> f64 {
    let mut sum = 0.0f64;
    let mut comp = 0.0f64;
    for x in values {
        let t = sum + x;
        if sum.abs() >= x.abs() {
            comp += (sum - t) + x;
        } else {
            comp += (x - t) + sum;
        }
        sum = t;
    }
    sum + comp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neumaier_is_compensated() {
        let v = [1e16, 1.0, -1e16, 1.0];
        assert_eq!(neumaier_sum(v), 2.0);
    }
}
