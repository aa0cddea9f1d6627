//! Choosing the reference group of the tasks that compare every group with one group
//! (regression, ranking): the largest group with at least `min_group_size` rows, or a named one.
//! (The binary report also chooses per metric, `best` / `worst`; see [`super::report`].)

use super::report::{attribute_sets, FairnessOptions, ReferenceSpec};
use crate::error::{Error, Result};

/// A named reference must name something: each `ATTR=GROUP` an attribute or intersection of
/// this report, each bare group name a group of some attribute (`groups`: every attribute's
/// group names). A group missing from its own attribute is refused by [`choose_reference`].
pub(crate) fn check_named_reference(
    attributes: &[String],
    groups: &[String],
    opts: &FairnessOptions,
) -> Result<()> {
    let ReferenceSpec::Named { by_attribute, any } = &opts.reference else {
        return Ok(());
    };
    let names: Vec<String> = attribute_sets(attributes.len(), opts.intersect)
        .iter()
        .map(|set| {
            set.iter()
                .map(|&i| attributes[i].as_str())
                .collect::<Vec<_>>()
                .join("&")
        })
        .collect();
    for a in by_attribute.keys() {
        if !names.contains(a) && !attributes.contains(a) {
            return Err(Error::InvalidArgument(format!(
                "reference group given for `{a}`, which is not a sensitive attribute or intersection ({})",
                names.join(", ")
            )));
        }
    }
    for g in any {
        if !groups.contains(g) {
            return Err(Error::UnknownReference {
                attribute: attributes.join(", "),
                group: g.clone(),
                available: groups.join(", "),
            });
        }
    }
    Ok(())
}

/// The reference group of attribute set `set_name` among groups `names` with `sizes` (rows,
/// items or total weight), and how it was chosen (`named` or `majority`: the largest eligible group, the first
/// of equals; every group when none is eligible). `best` / `worst` are refused with `task`'s
/// name.
pub(crate) fn choose_reference(
    set_name: &str,
    names: &[String],
    sizes: &[f64],
    eligible: &[bool],
    opts: &FairnessOptions,
    task: &str,
) -> Result<(usize, &'static str)> {
    let wanted = match &opts.reference {
        ReferenceSpec::Named { by_attribute, any } => by_attribute
            .get(set_name)
            .cloned()
            .or_else(|| any.iter().find(|g| names.contains(g)).cloned()),
        ReferenceSpec::Best | ReferenceSpec::Worst => {
            return Err(Error::InvalidArgument(format!(
            "{task} compares every group with one reference group: use majority or name the group"
        )))
        }
        ReferenceSpec::Majority => None,
    };
    if let Some(g) = wanted {
        return match names.iter().position(|n| *n == g) {
            Some(i) => Ok((i, "named")),
            None => Err(Error::UnknownReference {
                attribute: set_name.to_string(),
                group: g,
                available: names.join(", "),
            }),
        };
    }
    let mut pool: Vec<usize> = (0..names.len()).filter(|&i| eligible[i]).collect();
    if pool.is_empty() {
        pool = (0..names.len()).collect();
    }
    let mut best = pool[0];
    for &i in &pool {
        if sizes[i] > sizes[best] {
            best = i;
        }
    }
    Ok((best, "majority"))
}
