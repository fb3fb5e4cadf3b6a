//! Departments (责任部门), their aliases and sub-units, and how a name resolves to one
//! department.
//!
//! The plan names some departments in two ways (办公室 = 综合办公室, 法警队 = 司法警察大队)
//! and assigns a standard to a sub-unit (政治部督察室). A [`DepartmentRegistry`] resolves
//! every such name to one canonical [`Department`]:
//!
//! - an alias resolves to its department and no unit;
//! - a unit (or one of its aliases) resolves to its parent department **and** the unit.
//!
//! The responsible department of a standard is always a department: 政治部督察室 is kept
//! as the unit doing the work, but 政治部 is the department that answers for it, is
//! counted in the department's load, and whose staff may act for the standard. Staff
//! of the unit act for it too, because their unit resolves to 政治部.

use std::collections::BTreeMap;

use regula_core::Text;
use serde::{Deserialize, Serialize};

/// A sub-unit of a department, such as 政治部督察室.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Unit {
    /// Machine name, e.g. `inspection_office`.
    pub id: String,
    /// Labels; `zh` is the name as written in documents.
    pub label: Text,
    /// Other names of the unit.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// A department of the court that can be responsible for standards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Department {
    /// Machine name, e.g. `general_office`.
    pub id: String,
    /// Labels; `zh` is the canonical name, e.g. 综合办公室.
    pub label: Text,
    /// Other names of the same department, e.g. 办公室.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Sub-units that act for the department.
    #[serde(default)]
    pub units: Vec<Unit>,
}

/// What a name resolved to: a department, and the unit when the name was a unit's.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DepartmentRef {
    /// The department's machine name.
    pub department: String,
    /// The unit's machine name, when the name designated a sub-unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

impl DepartmentRef {
    /// A reference to a whole department.
    pub fn department(id: impl Into<String>) -> Self {
        DepartmentRef {
            department: id.into(),
            unit: None,
        }
    }
}

/// A name given to the registry was already taken by another department or unit.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the name {name:?} is used by both {first} and {second}")]
pub struct NameClash {
    /// The name.
    pub name: String,
    /// The department (or `department/unit`) that had it first.
    pub first: String,
    /// The one that claims it again.
    pub second: String,
}

/// The departments of a court, with every name each one is known by. Serializes as
/// its departments.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct DepartmentRegistry {
    departments: Vec<Department>,
    #[serde(skip)]
    names: BTreeMap<String, DepartmentRef>,
}

impl DepartmentRegistry {
    /// A registry of `departments`; fails when two of them share a name, id or alias.
    pub fn new(departments: Vec<Department>) -> Result<Self, NameClash> {
        let mut names: BTreeMap<String, DepartmentRef> = BTreeMap::new();
        let mut claim = |name: &str, target: DepartmentRef| -> Result<(), NameClash> {
            let name = name.trim();
            match names.get(name) {
                Some(existing) if *existing != target => Err(NameClash {
                    name: name.to_owned(),
                    first: describe(existing),
                    second: describe(&target),
                }),
                Some(_) => Ok(()),
                None => {
                    names.insert(name.to_owned(), target);
                    Ok(())
                }
            }
        };
        for d in &departments {
            let whole = DepartmentRef::department(d.id.clone());
            claim(&d.id, whole.clone())?;
            claim(&d.label.zh, whole.clone())?;
            claim(&d.label.en, whole.clone())?;
            for a in &d.aliases {
                claim(a, whole.clone())?;
            }
            for u in &d.units {
                let unit = DepartmentRef {
                    department: d.id.clone(),
                    unit: Some(u.id.clone()),
                };
                claim(&u.id, unit.clone())?;
                claim(&u.label.zh, unit.clone())?;
                claim(&u.label.en, unit.clone())?;
                for a in &u.aliases {
                    claim(a, unit.clone())?;
                }
            }
        }
        Ok(DepartmentRegistry { departments, names })
    }

    /// Every department, in declaration order.
    pub fn departments(&self) -> &[Department] {
        &self.departments
    }

    /// The department with this machine name.
    pub fn get(&self, id: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.id == id)
    }

    /// Resolves a name (machine name, zh or en label, alias, or a unit's name) to its
    /// department and unit. Surrounding whitespace is ignored.
    pub fn resolve(&self, name: &str) -> Option<DepartmentRef> {
        self.names.get(name.trim()).cloned()
    }

    /// The department `name` belongs to, ignoring the unit.
    pub fn department_of(&self, name: &str) -> Option<&Department> {
        self.resolve(name).and_then(|r| self.get(&r.department))
    }

    /// The labels of a resolved reference: the unit's when it names one, else the
    /// department's. `None` if the reference is not from this registry.
    pub fn label(&self, r: &DepartmentRef) -> Option<&Text> {
        let d = self.get(&r.department)?;
        match &r.unit {
            None => Some(&d.label),
            Some(u) => d.units.iter().find(|x| &x.id == u).map(|x| &x.label),
        }
    }
}

fn describe(r: &DepartmentRef) -> String {
    match &r.unit {
        Some(u) => format!("{}/{}", r.department, u),
        None => r.department.clone(),
    }
}

/// The label shown for standards that have no responsible department.
pub const UNASSIGNED: Text = Text::new("未分配责任部门", "unassigned");

#[cfg(test)]
mod tests {
    use super::*;

    fn registry() -> DepartmentRegistry {
        DepartmentRegistry::new(vec![
            Department {
                id: "general_office".into(),
                label: Text::new("综合办公室", "General Office"),
                aliases: vec!["办公室".into()],
                units: vec![],
            },
            Department {
                id: "political".into(),
                label: Text::new("政治部", "Political Department"),
                aliases: vec![],
                units: vec![Unit {
                    id: "inspection_office".into(),
                    label: Text::new("政治部督察室", "Inspection Office"),
                    aliases: vec!["督察室".into()],
                }],
            },
        ])
        .unwrap()
    }

    #[test]
    fn aliases_and_units_resolve_to_one_department() {
        let r = registry();
        assert_eq!(r.resolve("办公室"), Some(DepartmentRef::department("general_office")));
        assert_eq!(
            r.resolve(" 综合办公室 "),
            Some(DepartmentRef::department("general_office"))
        );
        let unit = r.resolve("政治部督察室").unwrap();
        assert_eq!(unit.department, "political");
        assert_eq!(unit.unit.as_deref(), Some("inspection_office"));
        assert_eq!(r.department_of("督察室").unwrap().label.zh, "政治部");
        assert_eq!(r.label(&unit).unwrap().zh, "政治部督察室");
        assert_eq!(r.resolve("法警队"), None);
    }

    #[test]
    fn clashing_names_are_refused() {
        let err = DepartmentRegistry::new(vec![
            Department {
                id: "a".into(),
                label: Text::new("甲", "A"),
                aliases: vec!["办公室".into()],
                units: vec![],
            },
            Department {
                id: "b".into(),
                label: Text::new("办公室", "B"),
                aliases: vec![],
                units: vec![],
            },
        ])
        .unwrap_err();
        assert_eq!(err.name, "办公室");
        assert_eq!(err.first, "a");
        assert_eq!(err.second, "b");
    }
}
