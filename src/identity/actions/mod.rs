//! The identity use cases as people carry them out: the organisation's people and their roles,
//! invitations and imports, who verifies whom, approved witnesses, two-factor sign-in. Each loads
//! what it acts on, asks the policy, acts and audits in the caller's transaction; the API, the
//! pages (and the CLI) call these and only translate requests and answers.

mod account;
mod organisation;
mod people;

pub use account::*;
pub use organisation::*;
pub use people::*;
