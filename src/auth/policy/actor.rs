//! Who is asking: the signed-in user, their role grants per organisation, and the internal
//! verification assignments the caller loads with them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

listed_enum! {
    /// A role a user holds in one organisation. One person may hold several.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Role {
        /// Builds their own portfolios.
        Candidate,
        /// Assesses the enrolments assigned to them.
        Assessor,
        /// Samples the decisions of the assessors assigned to them (never their own).
        InternalVerifier,
        /// Runs the organisation: users, roles, assignments, statements, exports, audit.
        ProviderAdmin,
        /// Reads the organisation's portfolios, read-only, until the grant expires.
        ExternalVerifier,
        /// Writes, checks and publishes the organisation's own standards, and the mapping files
        /// from one version of a standard to the next. Granted by a provider admin.
        StandardsEditor,
    }
}

impl Role {
    /// The stored and displayed name: `candidate`, `assessor`, `internal_verifier`,
    /// `provider_admin`, `external_verifier`, `standards_editor`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Candidate => "candidate",
            Role::Assessor => "assessor",
            Role::InternalVerifier => "internal_verifier",
            Role::ProviderAdmin => "provider_admin",
            Role::ExternalVerifier => "external_verifier",
            Role::StandardsEditor => "standards_editor",
        }
    }

    fn bit(self) -> u8 {
        match self {
            Role::Candidate => 1,
            Role::Assessor => 1 << 1,
            Role::InternalVerifier => 1 << 2,
            Role::ProviderAdmin => 1 << 3,
            Role::ExternalVerifier => 1 << 4,
            Role::StandardsEditor => 1 << 5,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not one of [`Role::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown role {0:?}: expected candidate, assessor, internal_verifier, provider_admin, external_verifier or standards_editor"
)]
pub struct UnknownRole(pub String);

impl std::str::FromStr for Role {
    type Err = UnknownRole;

    /// Accepts [`Role::as_str`] names in any case, with `-` or `_` (`internal-verifier`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.trim().to_ascii_lowercase().replace('-', "_");
        Role::ALL
            .iter()
            .copied()
            .find(|role| role.as_str() == wanted)
            .ok_or_else(|| UnknownRole(text.to_owned()))
    }
}

/// One role in one organisation, possibly time-limited (external verifiers always are).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The organisation the role applies to.
    pub org_id: Uuid,
    /// The role.
    pub role: Role,
    /// The grant stops counting at this instant; `None` for no limit.
    pub expires_at: Option<DateTime<Utc>>,
}

impl Grant {
    /// Whether the grant still counts at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_none_or(|expiry| now < expiry)
    }
}

/// An internal verifier's assignment to verify one assessor's decisions in one organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VerifierAssignment {
    /// The organisation of the assignment.
    pub org_id: Uuid,
    /// The assessor whose enrolments the verifier samples.
    pub assessor_id: Uuid,
}

/// The signed-in user as the policy sees them. Anonymous requests have no `Actor`: the HTTP
/// layer answers 401 before asking the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user's id.
    pub user_id: Uuid,
    /// False once deactivated: such an actor may do nothing.
    pub active: bool,
    /// Every role grant of the user, in every organisation, expired ones included.
    pub grants: Vec<Grant>,
    /// The assessors this user verifies as internal verifier.
    pub verifies: Vec<VerifierAssignment>,
}

impl Actor {
    /// Whether the actor has a live grant in the organisation at `now`: members see that an
    /// organisation's resources exist; everyone else gets 404.
    pub fn is_member(&self, org_id: Uuid, now: DateTime<Utc>) -> bool {
        !self.roles_in(org_id, now).is_empty()
    }

    /// The live roles in one organisation; none at all for a deactivated actor.
    pub(super) fn roles_in(&self, org_id: Uuid, now: DateTime<Utc>) -> RoleSet {
        if !self.active {
            return RoleSet::default();
        }
        self.grants
            .iter()
            .filter(|grant| grant.org_id == org_id && grant.is_live(now))
            .fold(RoleSet::default(), |set, grant| set.with(grant.role))
    }

    /// Whether the actor verifies the given assessor in the organisation.
    pub(super) fn verifies_assessor(&self, org_id: Uuid, assessor_id: Uuid) -> bool {
        self.verifies.contains(&VerifierAssignment {
            org_id,
            assessor_id,
        })
    }
}

/// A small set of roles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct RoleSet(u8);

impl RoleSet {
    pub(super) fn with(self, role: Role) -> RoleSet {
        RoleSet(self.0 | role.bit())
    }

    pub(super) fn has(self, role: Role) -> bool {
        self.0 & role.bit() != 0
    }

    pub(super) fn is_empty(self) -> bool {
        self.0 == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    #[test]
    fn role_names_round_trip_and_accept_dashes_and_case() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(*role));
            assert_eq!(role.to_string(), role.as_str());
            let json = serde_json::to_string(role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.as_str()));
        }
        assert_eq!(
            "Internal-Verifier".parse::<Role>(),
            Ok(Role::InternalVerifier)
        );
        assert_eq!(" PROVIDER_ADMIN ".parse::<Role>(), Ok(Role::ProviderAdmin));
        assert_eq!("iv".parse::<Role>(), Err(UnknownRole("iv".to_owned())));
    }

    #[test]
    fn every_role_has_its_own_bit() {
        let all = Role::ALL
            .iter()
            .fold(RoleSet::default(), |set, role| set.with(*role));
        assert_eq!(all.0.count_ones() as usize, Role::ALL.len());
        for role in Role::ALL {
            let only = RoleSet::default().with(*role);
            assert!(
                Role::ALL
                    .iter()
                    .all(|other| only.has(*other) == (other == role))
            );
        }
    }

    #[test]
    fn a_grant_stops_counting_at_its_expiry() {
        let expiry = Utc.with_ymd_and_hms(2026, 6, 30, 17, 0, 0).unwrap();
        let grant = Grant {
            org_id: Uuid::nil(),
            role: Role::ExternalVerifier,
            expires_at: Some(expiry),
        };
        assert!(grant.is_live(expiry - TimeDelta::seconds(1)));
        assert!(!grant.is_live(expiry));
        let open_ended = Grant {
            expires_at: None,
            ..grant
        };
        assert!(open_ended.is_live(expiry + TimeDelta::days(3650)));
    }
}
