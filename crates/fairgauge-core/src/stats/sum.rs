//! Compensated summation, used wherever a statistic adds many floating-point terms.

/// Sum with Neumaier's compensation (error independent of the length for sums of like sign).
pub fn neumaier_sum<I: IntoIterator<Item = f64>>(values: I) -> f64 {
    let mut s = NeumaierSum::default();
    for x in values {
        s.add(x);
    }
    s.value()
}

/// A running sum with Neumaier's compensation (Neumaier 1974, "Rundungsfehleranalyse einiger
/// Verfahren zur Summation endlicher Summen", ZAMM 54): Kahan's algorithm with the branch that
/// keeps the larger of the two terms' low bits, so the error does not grow with the count.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NeumaierSum {
    sum: f64,
    comp: f64,
}

impl NeumaierSum {
    /// Adds `x`.
    pub fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.comp += (self.sum - t) + x;
        } else {
            self.comp += (x - t) + self.sum;
        }
        self.sum = t;
    }

    /// The compensated sum so far.
    pub fn value(&self) -> f64 {
        self.sum + self.comp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neumaier_is_compensated() {
        let v = [1e16, 1.0, -1e16, 1.0];
        assert_eq!(neumaier_sum(v), 2.0);
        let mut s = NeumaierSum::default();
        for x in v {
            s.add(x);
        }
        assert_eq!(s.value(), 2.0);
        // Plain summation loses the first one.
        assert_eq!(v.iter().sum::<f64>(), 1.0);
    }
}
