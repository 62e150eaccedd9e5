//! The JSON API: thin handlers that extract, authorize through the policy, call one action, answer.

pub mod archives;
pub mod audit;
pub mod auth;
pub mod credentials;
pub mod draws;
pub mod enrolments;
pub mod exports;
pub mod grids;
pub mod notify;
pub mod openapi;
pub mod orgs;
pub mod people;
pub mod privacy;
pub mod question_sets;
pub mod signoff;
pub mod standards;
pub mod time_points;
