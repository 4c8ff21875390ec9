//! The one integration-test binary (STYLE.md). Each topic is a module.

mod plan_proptest;
mod plan_rules;
mod plan_saved;
mod plan_scenarios;
mod plan_schema;
mod plan_support;
