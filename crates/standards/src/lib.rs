//! Court work standards on Regula (placeholder docs).

pub mod catalog;
pub mod court;
pub mod data;
pub mod department;
pub mod lifecycle;
pub mod plan;
pub mod rules;

pub use catalog::{BUILTIN_CATALOG, CHINA_STANDARD_TIME, Catalog, CatalogError, CatalogErrorKind, Category, Domain, Entry};
pub use court::{CourtConfig, CreateError, check_document_number, create_standard, external_checks, standard_definition};
pub use data::StandardData;
pub use department::{Department, DepartmentRef, DepartmentRegistry, UNASSIGNED};
pub use lifecycle::{Stage, StandardAction, StandardLifecycle, roles};
pub use plan::{GroupBy, Ledger, Milestone, Scope, Standing, Step, WorkPlan};
